#include "drivers/strongswan/site_to_site.h"

#include <catch2/catch.hpp>

using namespace hublab;
using namespace hublab::strongswan;

TEST_CASE("Tunnel failures are explained from charon's own log lines", "[strongswan]") {
  // Lines as charon 5.9.8 logged them here, initiator's and responder's.
  CHECK(explain_tunnel_failure({"received AUTHENTICATION_FAILED notify error"}) ==
        "the pre-shared keys of the two sides differ");
  CHECK(explain_tunnel_failure(
            {"tried 1 shared key for '198.51.100.1' - '198.51.100.2', but MAC mismatched"}) ==
        "the pre-shared keys of the two sides differ");
  CHECK(explain_tunnel_failure({"received NO_PROPOSAL_CHOSEN notify, no CHILD_SA built"}) ==
        "the two sides have no IPsec (ESP) proposal in common");
  CHECK(explain_tunnel_failure({"received NO_PROPOSAL_CHOSEN notify error"}) ==
        "the two sides have no IKE proposal in common");
  CHECK(explain_tunnel_failure({"received proposals unacceptable"}) ==
        "the two sides have no IKE proposal in common");
  CHECK(explain_tunnel_failure(
            {"retransmit 1 of request with message ID 0", "giving up after 3 retransmits"}) ==
        "the peer does not answer IKE (unreachable, or no IKE daemon there)");
  CHECK_FALSE(explain_tunnel_failure({"initiating IKE_SA s2s[1] to 198.51.100.2"}));
}

TEST_CASE("A route-based tunnel selects all traffic and turns MOBIKE off", "[strongswan]") {
  SiteToSite tunnel{"c1",
                    "198.51.100.1",
                    "198.51.100.2",
                    "198.51.100.2",
                    azure_default_ike_proposals(),
                    azure_default_esp_proposals()};
  vici::Message conn = load_conn_request(tunnel);
  const vici::Section& c = conn.get_section("c1");
  CHECK(c.get("version") == "2");
  CHECK(c.get("mobike") == "no");
  CHECK(c.get_list("local_addrs") == vici::List{"198.51.100.1"});
  CHECK(c.get_list("proposals") == azure_default_ike_proposals());
  CHECK(c.get_section("local").get("id") == "198.51.100.1");
  const vici::Section& child = c.get_section("children").get_section("c1");
  CHECK(child.get_list("local_ts") == vici::List{"0.0.0.0/0"});
  CHECK(child.get_list("remote_ts") == vici::List{"0.0.0.0/0"});

  vici::Message key = load_shared_request(tunnel, "k");
  CHECK(key.get_list("owners") == vici::List{"198.51.100.1", "198.51.100.2"});
  CHECK(key.get("type") == "IKE");
}

TEST_CASE("Tunnel status sums the CHILD_SAs of the tunnel from list-sas", "[strongswan]") {
  vici::Message event;
  vici::Section& ike = event.section("c1");
  ike.set("state", "ESTABLISHED").set("established", "42");
  vici::Section& sas = ike.section("child-sas");
  sas.section("c1-1")
      .set("name", "c1")
      .set("state", "INSTALLED")
      .set("bytes-in", "100")
      .set("bytes-out", "200")
      .set("packets-in", "1")
      .set("packets-out", "2");
  TunnelStatus status = tunnel_status("c1", {event});
  CHECK(status.ike_state == "ESTABLISHED");
  CHECK(status.child_state == "INSTALLED");
  CHECK(status.established_seconds == 42);
  CHECK(status.bytes_in == 100);
  CHECK(status.packets_out == 2);

  TunnelStatus absent = tunnel_status("c1", {});
  CHECK(absent.ike_state == "DOWN");
  CHECK(absent.child_state == "DOWN");
  CHECK_FALSE(absent.established_seconds);
}
