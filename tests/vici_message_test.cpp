// Unit tests of the vici wire format: message and packet encodings against the
// byte layout of strongSwan's vici README, the decoder's rejection of malformed
// input, and the client's framing of a byte stream (against a scripted peer).
#include "drivers/vici/vici_message.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "drivers/vici/vici_client.h"

using hublab::vici::decode;
using hublab::vici::decode_packet;
using hublab::vici::encode;
using hublab::vici::encode_frame;
using hublab::vici::List;
using hublab::vici::Message;
using hublab::vici::MessageError;
using hublab::vici::Packet;
using hublab::vici::PacketType;
using hublab::vici::Section;

namespace {

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (int value : values) out.push_back(static_cast<char>(value));
  return out;
}

// The "Encoding example" of the README, byte for byte.
const std::string kReadmeExample = bytes({
    3, 4,  'k', 'e', 'y', '1', 0,   6,   'v', 'a', 'l', 'u', 'e', '1',  //
    1, 8,  's', 'e', 'c', 't', 'i', 'o', 'n', '1',                      //
    1, 11, 's', 'u', 'b', '-', 's', 'e', 'c', 't', 'i', 'o', 'n',       //
    3, 4,  'k', 'e', 'y', '2', 0,   6,   'v', 'a', 'l', 'u', 'e', '2',  //
    2,                                                                  //
    4, 5,  'l', 'i', 's', 't', '1',                                     //
    5, 0,  5,   'i', 't', 'e', 'm', '1',                                //
    5, 0,  5,   'i', 't', 'e', 'm', '2',                                //
    6,                                                                  //
    2,                                                                  //
});

Message readme_example_message() {
  Message message;
  message.set("key1", "value1");
  Section& section1 = message.section("section1");
  section1.section("sub-section").set("key2", "value2");
  section1.set_list("list1", {"item1", "item2"});
  return message;
}

}  // namespace

TEST_CASE("vici message encodes the README example byte for byte", "[vici]") {
  CHECK(encode(readme_example_message()) == kReadmeExample);
}

TEST_CASE("vici message decodes the README example", "[vici]") {
  const Message message = decode(kReadmeExample);
  CHECK(message == readme_example_message());
  CHECK(message.get("key1") == "value1");
  const Section& section1 = message.get_section("section1");
  CHECK(section1.get_section("sub-section").get("key2") == "value2");
  CHECK(section1.get_list("list1") == List{"item1", "item2"});
  REQUIRE(message.entries().size() == 2);
  CHECK(message.entries()[0].name == "key1");
  CHECK(message.entries()[1].name == "section1");
}

TEST_CASE("vici empty message is zero bytes", "[vici]") {
  CHECK(encode(Message{}).empty());
  CHECK(decode("").empty());
}

TEST_CASE("vici message round trips keep order, binary values and empty lists", "[vici]") {
  Message message;
  message.set("zeta", "last-alphabetically-first-in-order");
  message.set("binary", std::string("\0\xff\x01 \n", 5));
  message.set("empty", "");
  message.set_list("nothing", {});
  Section& conn = message.section("gw");
  conn.set("version", "2").set_list("proposals", {"aes256-sha256-modp2048", "default"});
  conn.section("local").set("auth", "psk").set("id", "gw1");
  conn.section("remote").set("auth", "psk").set("id", "gw2");
  conn.section("children").section("s2s").set_list("local_ts", {"0.0.0.0/0"});
  message.section("empty-section");

  const Message decoded = decode(encode(message));
  CHECK(decoded == message);
  CHECK(encode(decoded) == encode(message));
  CHECK(decoded.entries()[0].name == "zeta");
  CHECK(decoded.get("binary") == std::string("\0\xff\x01 \n", 5));
  CHECK(decoded.get_list("nothing").empty());
  CHECK(decoded.get_section("gw").get_section("children").get_section("s2s").get_list("local_ts") ==
        List{"0.0.0.0/0"});
  CHECK(decoded.get_section("empty-section").empty());
}

TEST_CASE("vici message round trips the largest name and value", "[vici]") {
  Message message;
  message.set(std::string(255, 'k'), std::string(65535, 'v'));
  const std::string wire = encode(message);
  CHECK(wire.size() == 1 + 1 + 255 + 2 + 65535);
  CHECK(decode(wire) == message);
}

TEST_CASE("vici message builders replace values and refuse kind clashes", "[vici]") {
  Message message;
  message.set("a", "1").set("a", "2");
  CHECK(message.size() == 1);
  CHECK(message.get("a") == "2");
  message.section("s").set("x", "1");
  message.section("s").set("y", "2");
  CHECK(message.get_section("s").size() == 2);
  CHECK_THROWS_AS(message.set_list("a", {}), MessageError);
  CHECK_THROWS_AS(message.set("s", "v"), MessageError);
  CHECK_THROWS_AS(message.section("a"), MessageError);
}

TEST_CASE("vici message lookups", "[vici]") {
  const Message message = readme_example_message();
  CHECK(message.find("missing") == nullptr);
  CHECK(message.find("section1") == nullptr);  // a section is not a value
  CHECK(message.find_section("key1") == nullptr);
  CHECK(message.value_or("missing", "fallback") == "fallback");
  CHECK(message.contains("section1"));
  CHECK_THROWS_WITH(message.get("missing"), Catch::Contains("missing"));
  CHECK_THROWS_AS(message.get_list("key1"), MessageError);
  CHECK_THROWS_AS(message.get_section("key1"), MessageError);
}

TEST_CASE("vici decoder keeps repeated keys in order", "[vici]") {
  const Message message = decode(bytes({3, 1, 'k', 0, 1, 'a', 3, 1, 'k', 0, 1, 'b'}));
  REQUIRE(message.size() == 2);
  CHECK(message.get("k") == "a");
  CHECK(std::get<std::string>(message.entries()[1].value) == "b");
}

TEST_CASE("vici encoder rejects names and values the format cannot carry", "[vici]") {
  Message long_name;
  long_name.set(std::string(256, 'k'), "v");
  CHECK_THROWS_AS(encode(long_name), MessageError);

  Message long_value;
  long_value.set("k", std::string(65536, 'v'));
  CHECK_THROWS_AS(encode(long_value), MessageError);

  Message long_item;
  long_item.set_list("l", {std::string(65536, 'i')});
  CHECK_THROWS_AS(encode(long_item), MessageError);
}

TEST_CASE("vici decoder rejects every truncation of a valid message", "[vici]") {
  // Cutting anywhere except after a complete top-level element must fail.
  const std::vector<std::size_t> valid_prefixes = {0, 14, kReadmeExample.size()};
  for (std::size_t length = 0; length <= kReadmeExample.size(); ++length) {
    const std::string prefix = kReadmeExample.substr(0, length);
    const bool valid =
        std::find(valid_prefixes.begin(), valid_prefixes.end(), length) != valid_prefixes.end();
    INFO("prefix length " << length);
    if (valid) {
      CHECK_NOTHROW(decode(prefix));
    } else {
      CHECK_THROWS_AS(decode(prefix), MessageError);
    }
  }
}

TEST_CASE("vici decoder rejects malformed structure with a clear message", "[vici]") {
  using Catch::Contains;
  CHECK_THROWS_WITH(decode(bytes({9})), Contains("unknown element type 9"));
  CHECK_THROWS_WITH(decode(bytes({0})), Contains("unknown element type 0"));
  CHECK_THROWS_WITH(decode(bytes({2})), Contains("section end without open section"));
  CHECK_THROWS_WITH(decode(bytes({1, 1, 's'})), Contains("unclosed section"));
  CHECK_THROWS_WITH(decode(bytes({5, 0, 1, 'x'})), Contains("list item outside a list"));
  CHECK_THROWS_WITH(decode(bytes({6})), Contains("list end without open list"));
  CHECK_THROWS_WITH(decode(bytes({4, 1, 'l'})), Contains("ends inside list 'l'"));
  // Lists hold items only: no key/values, sections or nested lists.
  CHECK_THROWS_WITH(decode(bytes({4, 1, 'l', 3, 1, 'k', 0, 0, 6})), Contains("inside list"));
  CHECK_THROWS_WITH(decode(bytes({4, 1, 'l', 1, 1, 's', 2, 6})), Contains("inside list"));
  CHECK_THROWS_WITH(decode(bytes({4, 1, 'l', 4, 1, 'm', 6, 6})), Contains("inside list"));
  // Lengths that point past the end.
  CHECK_THROWS_WITH(decode(bytes({3, 200, 'k'})), Contains("truncated"));
  CHECK_THROWS_WITH(decode(bytes({3, 1, 'k', 0xff, 0xff, 'v'})), Contains("truncated"));
  CHECK_THROWS_WITH(decode(bytes({3, 1, 'k', 0})), Contains("truncated"));
}

TEST_CASE("vici decoder bounds nesting depth", "[vici]") {
  std::string deep;
  for (std::size_t i = 0; i <= hublab::vici::kMaxSectionDepth; ++i) deep += bytes({1, 0});
  for (std::size_t i = 0; i <= hublab::vici::kMaxSectionDepth; ++i) deep += bytes({2});
  CHECK_THROWS_WITH(decode(deep), Catch::Contains("deeper than"));

  std::string allowed;
  for (std::size_t i = 0; i < hublab::vici::kMaxSectionDepth; ++i) allowed += bytes({1, 0});
  for (std::size_t i = 0; i < hublab::vici::kMaxSectionDepth; ++i) allowed += bytes({2});
  CHECK(encode(decode(allowed)) == allowed);
}

TEST_CASE("vici decoder survives pseudo-random garbage", "[vici]") {
  // Either a clean decode or MessageError: never a crash or another exception.
  std::uint32_t state = 12345;
  auto next = [&state] {
    state = state * 1664525u + 1013904223u;
    return static_cast<char>(state >> 24);
  };
  for (int round = 0; round < 2000; ++round) {
    std::string garbage;
    const std::size_t length = static_cast<std::uint8_t>(next()) % 64;
    for (std::size_t i = 0; i < length; ++i) {
      // Bias towards valid element types so the parser gets past byte one.
      const char byte = next();
      garbage.push_back(i % 3 == 0 ? static_cast<char>(1 + static_cast<std::uint8_t>(byte) % 6)
                                   : byte);
    }
    try {
      const Message message = decode(garbage);
      CHECK(decode(encode(message)) == message);
    } catch (const MessageError&) {
    }
  }
}

TEST_CASE("vici to_text hides secrets", "[vici]") {
  Message message;
  message.set("type", "IKE").set("data", "do-not-print").set_list("owners", {"gw1"});
  message.section("secrets").set("secret", "do-not-print-either");
  const std::string text = hublab::vici::to_text(message);
  CHECK(text.find("do-not-print") == std::string::npos);
  CHECK(text.find("owners = [ gw1 ]") != std::string::npos);
}

TEST_CASE("vici packets frame with a big-endian length and named types", "[vici]") {
  Message args;
  args.set("k", "v");
  const std::string frame = encode_frame(Packet{PacketType::kCmdRequest, "version", args});
  const std::string expected_payload =
      bytes({0, 7, 'v', 'e', 'r', 's', 'i', 'o', 'n', 3, 1, 'k', 0, 1, 'v'});
  CHECK(frame == bytes({0, 0, 0, static_cast<int>(expected_payload.size())}) + expected_payload);
  CHECK(decode_packet(frame.substr(4)) == Packet{PacketType::kCmdRequest, "version", args});

  // Unnamed types carry the message right after the type byte.
  const std::string response = encode_frame(Packet{PacketType::kCmdResponse, "", args});
  CHECK(response.substr(4) == bytes({1, 3, 1, 'k', 0, 1, 'v'}));
  CHECK(encode_frame(Packet{PacketType::kEventConfirm, "", {}}) == bytes({0, 0, 0, 1, 5}));
  CHECK_THROWS_AS(encode_frame(Packet{PacketType::kCmdResponse, "named", {}}), MessageError);

  Message big;
  for (int i = 0; i < 9; ++i) big.set("k" + std::to_string(i), std::string(65535, 'x'));
  CHECK_THROWS_WITH(encode_frame(Packet{PacketType::kCmdRequest, "load-conn", big}),
                    Catch::Contains("512 KiB"));
}

TEST_CASE("vici packet decoder rejects malformed packets", "[vici]") {
  using Catch::Contains;
  CHECK_THROWS_WITH(decode_packet(""), Contains("empty"));
  CHECK_THROWS_WITH(decode_packet(bytes({8})), Contains("unknown packet type 8"));
  CHECK_THROWS_WITH(decode_packet(bytes({7})), Contains("missing name length"));
  CHECK_THROWS_WITH(decode_packet(bytes({7, 5, 'l', 'o'})), Contains("truncated"));
  CHECK_THROWS_AS(decode_packet(bytes({1, 3, 1})), MessageError);
  const Packet event = decode_packet(bytes({7, 3, 'l', 'o', 'g', 3, 1, 'm', 0, 2, 'h', 'i'}));
  CHECK(event.type == PacketType::kEvent);
  CHECK(event.name == "log");
  CHECK(event.message.get("m") == "hi");
}

// The client's side of the stream: framing, interleaved events and failure
// handling, against a scripted peer on a local socket (no charon needed).
namespace {

using hublab::UniqueFd;
using hublab::vici::Client;
using namespace std::chrono_literals;

class ScriptedPeer {
 public:
  ScriptedPeer() {
    char pattern[] = "/tmp/hublab-vici-peer.XXXXXX";
    if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    path_ = dir_ + "/peer.vici";
    listener_.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path_.c_str(), sizeof(address.sun_path) - 1);
    if (::bind(listener_.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
        ::listen(listener_.get(), 1) != 0) {
      throw std::runtime_error("cannot listen on " + path_);
    }
  }
  ~ScriptedPeer() {
    listener_.reset();
    connection_.reset();
    ::unlink(path_.c_str());
    ::rmdir(dir_.c_str());
  }

  Client connect() {
    Client client = Client::connect(path_, 1s);
    connection_.reset(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    return client;
  }

  void write(const std::string& bytes) {
    REQUIRE(::write(connection_.get(), bytes.data(), bytes.size()) ==
            static_cast<ssize_t>(bytes.size()));
  }
  void send(const Packet& packet) { write(encode_frame(packet)); }

  std::string read_available() {
    std::string out;
    char buffer[4096];
    for (;;) {
      const ssize_t n = ::recv(connection_.get(), buffer, sizeof(buffer), MSG_DONTWAIT);
      if (n <= 0) return out;
      out.append(buffer, static_cast<std::size_t>(n));
    }
  }

  void hang_up() { connection_.reset(); }

 private:
  std::string dir_;
  std::string path_;
  UniqueFd listener_;
  UniqueFd connection_;
};

Message with(std::string_view key, std::string_view value) {
  Message message;
  message.set(key, value);
  return message;
}

}  // namespace

TEST_CASE("vici client sends framed requests and reads split, interleaved answers", "[vici]") {
  ScriptedPeer peer;
  Client client = peer.connect();

  const std::string event = encode_frame(Packet{PacketType::kEvent, "log", with("msg", "one")});
  peer.write(event.substr(0, 5));
  client.pump_events(0ms);  // reads a partial frame: nothing to queue yet
  CHECK(client.queued_events() == 0);
  peer.write(event.substr(5));
  peer.send(Packet{PacketType::kEvent, "ike-updown", with("up", "yes")});
  peer.send(Packet{PacketType::kCmdResponse, "", with("daemon", "charon")});

  CHECK(client.request("version").get("daemon") == "charon");
  CHECK(peer.read_available() == encode_frame(Packet{PacketType::kCmdRequest, "version", {}}));
  CHECK(client.queued_events() == 2);

  // Waiting by name skips, but keeps, the other queued events.
  const auto updown = client.wait_event("ike-updown", 0ms);
  REQUIRE(updown.has_value());
  CHECK(updown->message.get("up") == "yes");
  const auto rest = client.take_events();
  REQUIRE(rest.size() == 1);
  CHECK(rest[0].name == "log");
  CHECK(rest[0].message.get("msg") == "one");
  CHECK_FALSE(client.wait_event("log", 10ms).has_value());
}

TEST_CASE("vici client streams events of a command into its result", "[vici]") {
  ScriptedPeer peer;
  Client client = peer.connect();
  peer.send(Packet{PacketType::kEventConfirm, "", {}});
  peer.send(Packet{PacketType::kEvent, "list-sa", with("sa", "1")});
  peer.send(Packet{PacketType::kEvent, "log", with("msg", "unrelated")});
  peer.send(Packet{PacketType::kEvent, "list-sa", with("sa", "2")});
  peer.send(Packet{PacketType::kCmdResponse, "", {}});
  peer.send(Packet{PacketType::kEventConfirm, "", {}});

  const auto listed = client.stream_request("list-sas", "list-sa");
  REQUIRE(listed.events.size() == 2);
  CHECK(listed.events[1].get("sa") == "2");
  CHECK(client.queued_events() == 1);
  CHECK_FALSE(client.is_registered("list-sa"));
  CHECK(peer.read_available() ==
        encode_frame(Packet{PacketType::kEventRegister, "list-sa", {}}) +
            encode_frame(Packet{PacketType::kCmdRequest, "list-sas", {}}) +
            encode_frame(Packet{PacketType::kEventUnregister, "list-sa", {}}));
}

TEST_CASE("vici client maps unknown commands and events to UnknownCommandError", "[vici]") {
  ScriptedPeer peer;
  Client client = peer.connect();
  peer.send(Packet{PacketType::kCmdUnknown, "", {}});
  CHECK_THROWS_AS(client.request("bogus"), hublab::vici::UnknownCommandError);
  peer.send(Packet{PacketType::kEventUnknown, "", {}});
  CHECK_THROWS_AS(client.register_event("bogus"), hublab::vici::UnknownCommandError);
  CHECK_FALSE(client.is_registered("bogus"));
  peer.send(Packet{PacketType::kCmdResponse, "", with("success", "no")});
  CHECK_THROWS_WITH(client.request_checked("load-conn"), Catch::Contains("(no errmsg)"));
  peer.send(Packet{PacketType::kCmdResponse, "", with("errmsg", "bad")});
  CHECK_THROWS_AS(client.request_checked("load-conn"), hublab::vici::CommandFailedError);
}

TEST_CASE("vici client closes the connection on a timeout or broken framing", "[vici]") {
  using hublab::vici::ClientError;
  ScriptedPeer peer;
  SECTION("no answer") {
    Client client = peer.connect();
    CHECK_THROWS_AS(client.request("version", {}, 20ms), hublab::vici::TimeoutError);
    CHECK_THROWS_WITH(client.request("version"), Catch::Contains("closed"));
  }
  SECTION("segment length beyond 512 KiB") {
    Client client = peer.connect();
    peer.write(bytes({0, 0x08, 0, 1, 1}));
    CHECK_THROWS_WITH(client.request("version"), Catch::Contains("segment length"));
    CHECK_THROWS_AS(client.request("version"), ClientError);
  }
  SECTION("malformed message inside a good frame leaves the connection usable") {
    Client client = peer.connect();
    peer.write(bytes({0, 0, 0, 2, 1, 9}));
    CHECK_THROWS_WITH(client.request("version"), Catch::Contains("unknown element type 9"));
    peer.send(Packet{PacketType::kCmdResponse, "", with("daemon", "charon")});
    CHECK(client.request("version").get("daemon") == "charon");
  }
  SECTION("peer hangs up") {
    Client client = peer.connect();
    peer.hang_up();
    CHECK_THROWS_WITH(client.wait_event("log", 1s), Catch::Contains("closed the vici connection"));
  }
}

TEST_CASE("vici client connect gives up after its timeout", "[vici]") {
  const auto start = std::chrono::steady_clock::now();
  CHECK_THROWS_AS(Client::connect("/tmp/hublab-vici-no-such-dir/charon.vici", 60ms),
                  hublab::vici::TimeoutError);
  CHECK(std::chrono::steady_clock::now() - start < 1s);
  CHECK_THROWS_AS(Client::connect(std::string(200, 'x'), 10ms), hublab::vici::ClientError);
}
