#include "base/ipv4.h"

#include <catch2/catch.hpp>

using hublab::Ipv4;
using hublab::Prefix;

TEST_CASE("IPv4 addresses parse strictly", "[ipv4]") {
  CHECK(Ipv4::parse("10.0.0.4")->str() == "10.0.0.4");
  CHECK(Ipv4::parse("255.255.255.255")->value == 0xffffffffu);
  CHECK_FALSE(Ipv4::parse("10.0.0"));
  CHECK_FALSE(Ipv4::parse("10.0.0.256"));
  CHECK_FALSE(Ipv4::parse("10.0.0.04"));
  CHECK_FALSE(Ipv4::parse("10.0.0.4 "));
  CHECK_FALSE(Ipv4::parse("a.b.c.d"));
}

TEST_CASE("Prefixes refuse host bits and know Azure's reserved addresses", "[ipv4]") {
  Prefix::ParseError error;
  CHECK_FALSE(Prefix::parse("10.0.0.1/24", &error));
  CHECK(error == Prefix::ParseError::kHostBits);
  CHECK_FALSE(Prefix::parse("10.0.0.0/33", &error));
  CHECK(error == Prefix::ParseError::kSyntax);
  CHECK_FALSE(Prefix::parse("10.0.0.0", &error));
  CHECK(error == Prefix::ParseError::kSyntax);

  Prefix subnet = *Prefix::parse("10.0.200.0/24");
  CHECK(subnet.gateway().str() == "10.0.200.1");
  CHECK(subnet.first_usable().str() == "10.0.200.4");
  CHECK(subnet.last_usable().str() == "10.0.200.254");
  CHECK(subnet.is_azure_reserved(*Ipv4::parse("10.0.200.3")));
  CHECK(subnet.is_azure_reserved(*Ipv4::parse("10.0.200.255")));
  CHECK_FALSE(subnet.is_azure_reserved(*Ipv4::parse("10.0.200.4")));

  Prefix space = *Prefix::parse("10.0.0.0/16");
  CHECK(space.contains(subnet));
  CHECK_FALSE(subnet.contains(space));
  CHECK(space.overlaps(subnet));
  CHECK_FALSE(space.overlaps(*Prefix::parse("10.1.0.0/16")));
  CHECK(Prefix::parse("0.0.0.0/0")->contains(space));
}
