// The probe library: ICMP packets and the trace bookkeeping without root;
// then ping and traceroute over ICMP, UDP and TCP through real namespaces
// (a -- r -- b), cross-checked with the system's ping and traceroute. The
// namespace tests need root.

#include "drivers/probe/probe.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "base/unique_fd.h"
#include "drivers/netlink/network_namespace.h"
#include "drivers/netlink/route_socket.h"
#include "drivers/netlink/sysctl.h"
#include "drivers/probe/icmp_packet.h"
#include "drivers/probe/icmp_sweep.h"
#include "drivers/probe/trace_collector.h"
#include "tests/support/root.h"

using namespace hublab;
using namespace hublab::probe;
using namespace std::chrono_literals;

namespace {

Ipv4 ip(const char* text) {
  return *Ipv4::parse(text);
}

// --- ICMP packets, as a raw socket would receive them ---------------------

std::vector<uint8_t> ipv4_packet(uint8_t protocol, const char* source, const char* destination,
                                 const std::vector<uint8_t>& payload) {
  std::vector<uint8_t> packet(20, 0);
  packet[0] = 0x45;
  packet[8] = 64;
  packet[9] = protocol;
  uint32_t from = htonl(ip(source).value), to = htonl(ip(destination).value);
  std::memcpy(&packet[12], &from, 4);
  std::memcpy(&packet[16], &to, 4);
  packet.insert(packet.end(), payload.begin(), payload.end());
  return packet;
}

std::vector<uint8_t> icmp_message(uint8_t type, uint8_t code, std::vector<uint8_t> body) {
  std::vector<uint8_t> message{type, code, 0, 0, 0, 0, 0, 0};
  message.insert(message.end(), body.begin(), body.end());
  return message;
}

// What a router sends back about `request`, quoting `quoted_bytes` of it
// after its IP header (8 is RFC 792's minimum; Linux quotes all of ours).
std::vector<uint8_t> error_about(uint8_t type, uint8_t code, const char* router,
                                 const std::vector<uint8_t>& request, const char* destination,
                                 size_t quoted_bytes) {
  std::vector<uint8_t> quoted = ipv4_packet(1, "10.201.1.2", destination, request);
  quoted.resize(20 + quoted_bytes);
  return ipv4_packet(1, router, "10.201.1.2", icmp_message(type, code, quoted));
}

std::vector<uint8_t> reply_to(const std::vector<uint8_t>& request, const char* from) {
  std::vector<uint8_t> reply = request;
  reply[0] = 0;  // echo reply, same identifier, sequence and payload
  return ipv4_packet(1, from, "10.201.1.2", reply);
}

TEST_CASE("echo requests carry their identity and a valid checksum", "[probe]") {
  EchoIdentity identity{0x1234, 0x0102030405060708};
  std::vector<uint8_t> request = echo_request(identity, 7);
  CHECK(request[0] == 8);
  CHECK(request[4] == 0x12);
  CHECK(request[5] == 0x34);
  CHECK(request[7] == 7);
  CHECK(internet_checksum(request) == 0);  // a correct checksum sums to zero
}

TEST_CASE("answers are matched to our echo requests and no one else's", "[probe]") {
  EchoIdentity ours{0x1234, 42};
  const char* destination = "10.201.2.2";
  std::vector<uint8_t> request = echo_request(ours, 3);

  SECTION("echo reply") {
    auto answer = answer_to_echo(reply_to(request, destination), ours, ip(destination));
    REQUIRE(answer);
    CHECK(answer->kind == EchoAnswer::Kind::kReply);
    CHECK(answer->sender == ip(destination));
    CHECK(answer->sequence == 3);
  }
  SECTION("time exceeded, quoting all of the request or only its first 8 bytes") {
    for (size_t quoted : {request.size(), size_t{8}}) {
      auto answer = answer_to_echo(error_about(11, 0, "10.201.1.1", request, destination, quoted),
                                   ours, ip(destination));
      REQUIRE(answer);
      CHECK(answer->kind == EchoAnswer::Kind::kTimeExceeded);
      CHECK(answer->sender == ip("10.201.1.1"));
      CHECK(answer->sequence == 3);
    }
  }
  SECTION("host unreachable from a router") {
    auto answer = answer_to_echo(error_about(3, 1, "10.201.1.1", request, destination, 16), ours,
                                 ip(destination));
    REQUIRE(answer);
    CHECK(answer->kind == EchoAnswer::Kind::kUnreachable);
  }
  SECTION("someone else's") {
    EchoIdentity other_identifier{0x1235, 42}, other_nonce{0x1234, 43};
    CHECK_FALSE(answer_to_echo(reply_to(echo_request(other_identifier, 3), destination), ours,
                               ip(destination)));
    CHECK_FALSE(
        answer_to_echo(reply_to(echo_request(other_nonce, 3), destination), ours, ip(destination)));
    // Same identity, but sent to another destination.
    CHECK_FALSE(answer_to_echo(error_about(11, 0, "10.201.1.1", request, "10.201.3.3", 16), ours,
                               ip(destination)));
    // Time exceeded while reassembling fragments is no hop.
    CHECK_FALSE(answer_to_echo(error_about(11, 1, "10.201.1.1", request, destination, 16), ours,
                               ip(destination)));
    CHECK_FALSE(answer_to_echo(std::vector<uint8_t>(12, 0x45), ours, ip(destination)));
  }
}

// --- When a trace is done, and what it reports -----------------------------

TEST_CASE("a trace is complete once it ended and every lower TTL answered", "[probe]") {
  TraceCollector hops(30);
  hops.record(2, HopAnswer::kDestination, ip("10.201.2.2"), 0.2);
  CHECK_FALSE(hops.complete());  // TTL 1 may still answer
  hops.record(3, HopAnswer::kDestination, ip("10.201.2.2"), 0.3);
  hops.record(1, HopAnswer::kRouter, ip("10.201.1.1"), 0.1);
  hops.record(1, HopAnswer::kRouter, ip("10.201.9.9"), 0.1);  // a duplicate: ignored
  CHECK(hops.complete());
  TraceResult result = hops.result();
  CHECK(result.reached);
  CHECK(result.hop_count == 2);
  REQUIRE(result.hops.size() == 2);
  CHECK(result.hops[0].ttl == 1);
  CHECK(result.hops[0].address == ip("10.201.1.1"));
  CHECK(result.hops[1].address == ip("10.201.2.2"));
}

TEST_CASE("an unreachable error ends a trace without reaching", "[probe]") {
  TraceCollector hops(30);
  hops.record(1, HopAnswer::kRouter, ip("10.201.1.1"), 0.1);
  hops.record(2, HopAnswer::kUnreachable, ip("10.201.2.1"), 0.1);
  CHECK(hops.complete());
  TraceResult result = hops.result();
  CHECK_FALSE(result.reached);
  CHECK(result.hop_count == 0);
  REQUIRE(result.hops.size() == 2);
  CHECK(result.hops[1].address == ip("10.201.2.1"));
}

TEST_CASE("silence shows as the first silent hop, not max_hops of them", "[probe]") {
  TraceCollector silent(30);
  CHECK_FALSE(silent.complete());
  TraceResult nothing = silent.result();
  CHECK_FALSE(nothing.reached);
  REQUIRE(nothing.hops.size() == 1);
  CHECK_FALSE(nothing.hops[0].address);

  TraceCollector one_router(30);
  one_router.record(1, HopAnswer::kRouter, ip("10.201.1.1"), 0.1);
  TraceResult partial = one_router.result();
  REQUIRE(partial.hops.size() == 2);
  CHECK(partial.hops[0].address);
  CHECK_FALSE(partial.hops[1].address);
}

TEST_CASE("invalid requests are refused without probing", "[probe]") {
  ProbeRequest no_namespace;
  no_namespace.destination = ip("10.201.2.2");
  CHECK_FALSE(trace(no_namespace).error.empty());
  CHECK_FALSE(ping(no_namespace, 1, 0ms).error.empty());

  ProbeRequest port_overflow = no_namespace;
  port_overflow.netns_fd = 0;
  port_overflow.protocol = Protocol::kUdp;
  port_overflow.port = 65530;
  CHECK(trace(port_overflow).error.find("65535") != std::string::npos);
}

// --- Real namespaces -------------------------------------------------------

// Namespaces made for one test, deleted when this goes out of scope however
// the test ended.
class ScratchNamespaces {
 public:
  ScratchNamespaces() = default;
  ScratchNamespaces(const ScratchNamespaces&) = delete;
  ScratchNamespaces& operator=(const ScratchNamespaces&) = delete;
  ~ScratchNamespaces() {
    for (const std::string& name : names_)
      std::system(("ip netns delete " + name + " 2>/dev/null").c_str());
  }

  void add(const std::string& name) {
    if (std::system(("ip netns add " + name).c_str()) != 0)
      throw std::runtime_error("cannot make namespace " + name);
    names_.push_back(name);
  }

 private:
  std::vector<std::string> names_;
};

// "pt-<pid>-<n>": unique per test run and per fixture within it.
std::string scratch_prefix() {
  static int fixtures = 0;
  return "pt-" + std::to_string(getpid()) + "-" + std::to_string(++fixtures);
}

void run(const std::string& command) {
  if (std::system(command.c_str()) != 0) throw std::runtime_error("failed: " + command);
}

std::string output_of(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot run " + command);
  char buffer[512];
  while (size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  pclose(pipe);
  return out;
}

// Through hublab's own sysctl writer: `ip netns exec … sysctl` fails where
// /proc/sys is read-only (a container).
void write_sysctls(const UniqueFd& netns,
                   std::initializer_list<std::pair<const char*, const char*>> values) {
  ThreadInNamespace inside(netns.get());
  for (const auto& [path, value] : values) write_sysctl(path, value);
}

UniqueFd open_namespace(const std::string& name) {
  UniqueFd fd(open(("/run/netns/" + name).c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw std::runtime_error("cannot open namespace " + name);
  return fd;
}

// a (10.201.1.2) -- (10.201.1.1) r (10.201.2.1) -- (10.201.2.2) b, with r
// forwarding. r drops 10.201.9.0/24 silently (blackhole, as Azure's None
// routes) and refuses 10.201.8.0/24 with ICMP host unreachable; a itself
// has a blackhole route for 10.201.7.0/24.
//
// r and b answer with ICMP errors without the kernel's rate limits: by
// default a host sends another host a burst of 6 errors, then 1 per second,
// and one UDP trace alone makes b send ~29 "port unreachable".
class RoutedPair {
 public:
  static constexpr const char* kA = "10.201.1.2";
  static constexpr const char* kRouterA = "10.201.1.1";
  static constexpr const char* kRouterB = "10.201.2.1";
  static constexpr const char* kB = "10.201.2.2";
  static constexpr const char* kBlackholed = "10.201.9.9";
  static constexpr const char* kRefused = "10.201.8.8";
  static constexpr const char* kBlackholedInA = "10.201.7.7";

  RoutedPair()
      : prefix_(scratch_prefix()), a(prefix_ + "-a"), r(prefix_ + "-r"), b(prefix_ + "-b") {
    for (const std::string& name : {a, r, b}) namespaces_.add(name);
    run("ip -n " + r + " link add eth-a type veth peer name eth0 netns " + a);
    run("ip -n " + r + " link add eth-b type veth peer name eth0 netns " + b);
    configure_host(a, std::string(kA) + "/24", kRouterA);
    configure_host(b, std::string(kB) + "/24", kRouterB);
    run("ip -n " + r + " addr add " + kRouterA + "/24 dev eth-a");
    run("ip -n " + r + " addr add " + kRouterB + "/24 dev eth-b");
    for (const char* link : {"lo", "eth-a", "eth-b"})
      run("ip -n " + r + " link set " + link + " up");
    run("ip -n " + r + " route add blackhole 10.201.9.0/24");
    run("ip -n " + r + " route add unreachable 10.201.8.0/24");
    run("ip -n " + a + " route add blackhole 10.201.7.0/24");
    a_fd = open_namespace(a);
    b_fd = open_namespace(b);
    UniqueFd r_fd = open_namespace(r);
    write_sysctls(r_fd, {{"net/ipv4/ip_forward", "1"}, {"net/ipv4/icmp_ratemask", "0"}});
    write_sysctls(b_fd, {{"net/ipv4/icmp_ratemask", "0"}});
  }

  ProbeRequest from_a(const char* destination, Protocol protocol = Protocol::kIcmp,
                      uint16_t port = 0) const {
    ProbeRequest request;
    request.netns_fd = a_fd.get();
    request.destination = ip(destination);
    request.protocol = protocol;
    request.port = port;
    return request;
  }

 private:
  void configure_host(const std::string& netns, const std::string& address, const char* gateway) {
    run("ip -n " + netns + " addr add " + address + " dev eth0");
    run("ip -n " + netns + " link set lo up");
    run("ip -n " + netns + " link set eth0 up");
    run("ip -n " + netns + " route add default via " + gateway);
  }

  ScratchNamespaces namespaces_;  // first: whatever the constructor made is deleted if it throws
  std::string prefix_;

 public:
  const std::string a, r, b;
  UniqueFd a_fd, b_fd;
};

// A TCP listener in a namespace, opened by a thread that entered it: the
// socket stays there when the thread is gone.
UniqueFd listen_in(int netns_fd, const char* address, uint16_t port) {
  UniqueFd listener;
  std::thread([&] {
    if (setns(netns_fd, CLONE_NEWNET) != 0) return;
    UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in at{};
    at.sin_family = AF_INET;
    at.sin_port = htons(port);
    at.sin_addr.s_addr = htonl(ip(address).value);
    if (bind(fd.get(), reinterpret_cast<sockaddr*>(&at), sizeof at) == 0 &&
        listen(fd.get(), 1024) == 0)
      listener = std::move(fd);
  }).join();
  if (!listener) throw std::runtime_error("cannot listen in the namespace");
  return listener;
}

// The hops (address or "*") of `traceroute -n -q 1` from a namespace.
std::vector<std::string> system_traceroute(const std::string& netns, const std::string& options,
                                           const char* destination) {
  std::istringstream lines(output_of("ip netns exec " + netns + " traceroute -n -q 1 -w 1 -m 5 " +
                                     options + " " + destination + " 2>/dev/null"));
  std::vector<std::string> hops;
  std::string line;
  std::getline(lines, line);  // "traceroute to ..."
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    int ttl = 0;
    std::string address;
    if (fields >> ttl >> address) hops.push_back(address);
  }
  return hops;
}

std::vector<std::string> addresses_of(const TraceResult& result) {
  std::vector<std::string> hops;
  for (const Hop& hop : result.hops) hops.push_back(hop.address ? hop.address->str() : "*");
  return hops;
}

bool system_ping_answers(const std::string& netns, const char* destination) {
  return std::system(
             ("ip netns exec " + netns + " ping -c 1 -W 1 -q " + destination + " >/dev/null 2>&1")
                 .c_str()) == 0;
}

ino_t current_network_namespace() {
  struct stat info {};
  stat("/proc/thread-self/ns/net", &info);
  return info.st_ino;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void check_two_hops_to_b(const TraceResult& result) {
  CHECK(result.error.empty());
  CHECK(result.reached);
  CHECK(result.hop_count == 2);
  REQUIRE(result.hops.size() == 2);
  CHECK(result.hops[0].ttl == 1);
  CHECK(result.hops[0].address == ip(RoutedPair::kRouterA));
  CHECK(result.hops[1].address == ip(RoutedPair::kB));
  CHECK(result.hops[1].rtt_ms.value_or(-1) >= 0);
}

TEST_CASE("ping reaches b through r, as the system's ping does", "[probe][root]") {
  REQUIRE_ROOT();
  RoutedPair net;
  ino_t home = current_network_namespace();
  PingResult result = ping(net.from_a(RoutedPair::kB), 3, 10ms);
  CHECK(result.error.empty());
  CHECK(result.sent == 3);
  CHECK(result.received == 3);
  CHECK(result.rtts_ms.size() == 3);
  CHECK(system_ping_answers(net.a, RoutedPair::kB));
  CHECK(current_network_namespace() == home);  // the caller never moved

  PingResult dropped = ping(net.from_a(RoutedPair::kBlackholed), 1, 0ms);
  CHECK(dropped.error.empty());
  CHECK(dropped.sent == 1);
  CHECK(dropped.received == 0);
  CHECK_FALSE(system_ping_answers(net.a, RoutedPair::kBlackholed));
}

TEST_CASE("traces find r at hop 1 and b at hop 2, as the system's traceroute does",
          "[probe][root]") {
  REQUIRE_ROOT();
  RoutedPair net;
  UniqueFd listener = listen_in(net.b_fd.get(), RoutedPair::kB, 8022);
  const std::vector<std::string> expected{RoutedPair::kRouterA, RoutedPair::kB};

  SECTION("ICMP") {
    TraceResult result = trace(net.from_a(RoutedPair::kB));
    check_two_hops_to_b(result);
    CHECK(addresses_of(result) == expected);
    CHECK(system_traceroute(net.a, "-I", RoutedPair::kB) == expected);
  }
  SECTION("UDP") {
    TraceResult result = trace(net.from_a(RoutedPair::kB, Protocol::kUdp));
    check_two_hops_to_b(result);
    CHECK(system_traceroute(net.a, "-U", RoutedPair::kB) == expected);
  }
  SECTION("TCP to a listening port: SYN-ACK") {
    TraceResult result = trace(net.from_a(RoutedPair::kB, Protocol::kTcp, 8022));
    check_two_hops_to_b(result);
    CHECK(system_traceroute(net.a, "-T -p 8022", RoutedPair::kB) == expected);
  }
  SECTION("TCP to a closed port: RST") {
    TraceResult result = trace(net.from_a(RoutedPair::kB, Protocol::kTcp, 8023));
    check_two_hops_to_b(result);
    CHECK(system_traceroute(net.a, "-T -p 8023", RoutedPair::kB) == expected);
  }
}

TEST_CASE("a blackholed destination costs about one timeout", "[probe][root]") {
  REQUIRE_ROOT();
  RoutedPair net;
  for (Protocol protocol : {Protocol::kIcmp, Protocol::kUdp, Protocol::kTcp}) {
    ProbeRequest request = net.from_a(RoutedPair::kBlackholed, protocol);
    auto start = std::chrono::steady_clock::now();
    TraceResult result = trace(request);
    double seconds = seconds_since(start);
    CHECK(result.error.empty());
    CHECK_FALSE(result.reached);
    CHECK(result.hop_count == 0);
    REQUIRE(result.hops.size() == 1);  // r drops even TTL 1: no time exceeded
    CHECK_FALSE(result.hops[0].address);
    CHECK(seconds >= 0.3);
    CHECK(seconds < 2.0);
  }
}

// r answers an unreachable route with a burst of 5 errors per source host,
// then 1 per second (net.ipv4.route.error_cost, host-wide): one trace per r.
TEST_CASE("an unreachable error from r ends the trace at once, not reached", "[probe][root]") {
  REQUIRE_ROOT();
  RoutedPair net;
  Protocol protocol = Protocol::kIcmp;
  SECTION("ICMP") {
    protocol = Protocol::kIcmp;
  }
  SECTION("UDP") {
    protocol = Protocol::kUdp;
  }
  SECTION("TCP") {
    protocol = Protocol::kTcp;
  }
  ProbeRequest request = net.from_a(RoutedPair::kRefused, protocol);
  request.timeout = 1500ms;
  auto start = std::chrono::steady_clock::now();
  TraceResult result = trace(request);
  CHECK(seconds_since(start) < 1.0);  // did not wait for the timeout
  CHECK(result.error.empty());
  CHECK_FALSE(result.reached);
  REQUIRE(result.hops.size() == 1);  // r refuses even TTL 1
  CHECK(result.hops[0].address == ip(RoutedPair::kRouterA));
}

TEST_CASE("a ping refused by r ends with the refusal, not the timeout", "[probe][root]") {
  REQUIRE_ROOT();
  RoutedPair net;
  ProbeRequest request = net.from_a(RoutedPair::kRefused);
  request.timeout = 1500ms;
  auto start = std::chrono::steady_clock::now();
  PingResult result = ping(request, 2, 0ms);
  CHECK(seconds_since(start) < 1.0);
  CHECK(result.error.empty());
  CHECK(result.sent == 2);
  CHECK(result.received == 0);
}

TEST_CASE("a route in the source that refuses to send is an error at once", "[probe][root]") {
  REQUIRE_ROOT();
  RoutedPair net;
  for (Protocol protocol : {Protocol::kIcmp, Protocol::kUdp, Protocol::kTcp}) {
    auto start = std::chrono::steady_clock::now();
    TraceResult result = trace(net.from_a(RoutedPair::kBlackholedInA, protocol));
    CHECK(seconds_since(start) < 0.2);
    CHECK_FALSE(result.reached);
    CHECK(result.error.find("blackhole") != std::string::npos);
  }
  PingResult result = ping(net.from_a(RoutedPair::kBlackholedInA), 1, 0ms);
  CHECK(result.sent == 0);
  CHECK(result.error.find("blackhole") != std::string::npos);
}

TEST_CASE("concurrent traces in one namespace each get their own answers", "[probe][root]") {
  REQUIRE_ROOT();
  RoutedPair net;
  UniqueFd listener = listen_in(net.b_fd.get(), RoutedPair::kB, 8022);
  ino_t home = current_network_namespace();

  SECTION("20 ICMP traces at once, to b (2 hops) and to r (1 hop) alternately") {
    std::vector<ProbeRequest> requests;
    for (int i = 0; i < 20; ++i)
      requests.push_back(net.from_a(i % 2 ? RoutedPair::kRouterB : RoutedPair::kB));
    std::vector<TraceResult> results = trace_all(requests, 20);
    REQUIRE(results.size() == 20);
    for (size_t i = 0; i < results.size(); ++i) {
      INFO("trace " << i);
      CHECK(results[i].error.empty());
      CHECK(results[i].reached);
      if (i % 2) {
        CHECK(results[i].hop_count == 1);
        CHECK(addresses_of(results[i]) == std::vector<std::string>{RoutedPair::kRouterB});
      } else {
        check_two_hops_to_b(results[i]);
      }
    }
  }
  SECTION("30 traces of all three protocols at once, on the default pool") {
    std::vector<ProbeRequest> requests;
    for (int i = 0; i < 30; ++i) {
      Protocol protocol = std::array{Protocol::kIcmp, Protocol::kUdp, Protocol::kTcp}[i % 3];
      requests.push_back(net.from_a(i % 2 ? RoutedPair::kRouterB : RoutedPair::kB, protocol,
                                    protocol == Protocol::kTcp ? 8022 : 0));
    }
    auto start = std::chrono::steady_clock::now();
    std::vector<TraceResult> results = trace_all(requests);
    CHECK(seconds_since(start) < 2.0);  // nothing waited for a timeout
    for (size_t i = 0; i < results.size(); ++i) {
      INFO("trace " << i);
      CHECK(results[i].reached);
      CHECK(results[i].hop_count == (i % 2 ? 1 : 2));
    }
  }
  SECTION("pings at once") {
    std::vector<ProbeRequest> requests(20, net.from_a(RoutedPair::kB));
    requests[7] = net.from_a(RoutedPair::kBlackholed);
    std::vector<PingResult> results = ping_all(requests, 2, 0ms);
    for (size_t i = 0; i < results.size(); ++i) {
      INFO("ping " << i);
      CHECK(results[i].sent == 2);
      CHECK(results[i].received == (i == 7 ? 0 : 2));
    }
  }
  CHECK(current_network_namespace() == home);
}

// a -- r1 -- r2 -- ... -- rN -- b: b is N+1 hops from a. Link k joins the
// k-th and (k+1)-th node of the chain on 10.202.k.0/24 (.1 on the left, .2
// on the right). A router listed in `silent` forwards but never answers:
// its own packets (ICMP errors) go by a table that drops everything.
class RouterChain {
 public:
  RouterChain(int routers, std::initializer_list<int> silent = {}) : prefix_(scratch_prefix()) {
    std::vector<std::string> nodes{prefix_ + "-a"};
    for (int i = 1; i <= routers; ++i) nodes.push_back(prefix_ + "-r" + std::to_string(i));
    nodes.push_back(prefix_ + "-b");
    for (const std::string& node : nodes) namespaces_.add(node);
    const int links = routers + 1;
    for (int k = 0; k < links; ++k) {
      const std::string left = nodes[static_cast<size_t>(k)];
      const std::string right = nodes[static_cast<size_t>(k + 1)];
      run("ip -n " + left + " link add r" + std::to_string(k) + " type veth peer name l" +
          std::to_string(k) + " netns " + right);
      run("ip -n " + left + " addr add " + address(k, 1) + "/24 dev r" + std::to_string(k));
      run("ip -n " + right + " addr add " + address(k, 2) + "/24 dev l" + std::to_string(k));
      run("ip -n " + left + " link set r" + std::to_string(k) + " up");
      run("ip -n " + right + " link set l" + std::to_string(k) + " up");
    }
    for (size_t n = 0; n < nodes.size(); ++n) {
      const int i = static_cast<int>(n);
      run("ip -n " + nodes[n] + " link set lo up");
      const UniqueFd fd = open_namespace(nodes[n]);
      write_sysctls(fd, {{"net/ipv4/icmp_ratemask", "0"}});
      if (n > 0 && n + 1 < nodes.size()) write_sysctls(fd, {{"net/ipv4/ip_forward", "1"}});
      for (int k = 0; k < links; ++k) {
        if (k == i - 1 || k == i) continue;  // connected
        const std::string via = k < i ? address(i - 1, 1) : address(i, 2);
        run("ip -n " + nodes[n] + " route add 10.202." + std::to_string(k) + ".0/24 via " + via);
      }
    }
    for (int r : silent) {
      const std::string& node = nodes[static_cast<size_t>(r)];
      run("ip -n " + node + " route add blackhole default table 50");
      run("ip -n " + node + " rule add iif lo table 50 priority 50");
    }
    a_fd = open_namespace(nodes.front());
    b = address(routers, 2);
  }

  static std::string address(int link, int side) {
    return "10.202." + std::to_string(link) + "." + std::to_string(side);
  }
  ProbeRequest to_b() const {
    ProbeRequest request;
    request.netns_fd = a_fd.get();
    request.destination = ip(b.c_str());
    return request;
  }

 private:
  ScratchNamespaces namespaces_;
  std::string prefix_;

 public:
  UniqueFd a_fd;
  std::string b;
};

void check_same_trace(const TraceResult& swept, const TraceResult& alone) {
  CHECK(swept.reached == alone.reached);
  CHECK(swept.hop_count == alone.hop_count);
  CHECK(addresses_of(swept) == addresses_of(alone));
  CHECK(swept.error.empty() == alone.error.empty());
}

TEST_CASE("a sweep finds what trace() and ping() find, for every kind of path, all at once",
          "[probe][root]") {
  REQUIRE_ROOT();
  RoutedPair net;
  const std::vector<const char*> destinations = {RoutedPair::kB, RoutedPair::kRouterB,
                                                 RoutedPair::kBlackholed, RoutedPair::kRefused,
                                                 RoutedPair::kBlackholedInA};
  std::vector<ProbeRequest> requests;
  for (int copy = 0; copy < 10; ++copy)
    for (const char* destination : destinations) requests.push_back(net.from_a(destination));
  auto start = std::chrono::steady_clock::now();
  IcmpSweep sweep = sweep_icmp(requests, requests);
  // Silence costs one timeout, for all of them together.
  CHECK(seconds_since(start) < 1.0);
  REQUIRE(sweep.traces.size() == requests.size());
  for (size_t i = 0; i < destinations.size(); ++i) {
    INFO(destinations[i]);
    const TraceResult alone = trace(requests[i]);
    const PingResult pinged = ping(requests[i], 1, 0ms);
    for (size_t copy = i; copy < requests.size(); copy += destinations.size()) {
      check_same_trace(sweep.traces[copy], alone);
      CHECK(sweep.pings[copy].received == pinged.received);
      CHECK(sweep.pings[copy].sent == pinged.sent);
      CHECK(sweep.pings[copy].error.empty() == pinged.error.empty());
    }
  }
}

TEST_CASE("a sweep's trace goes beyond its first TTLs as routers answer, and past a silent router",
          "[probe][root]") {
  REQUIRE_ROOT();
  SECTION("b 7 hops away: every router answers") {
    RouterChain chain(6);
    const ProbeRequest request = chain.to_b();
    IcmpSweep sweep = sweep_icmp({request}, {request});
    REQUIRE(sweep.traces[0].reached);
    CHECK(sweep.traces[0].hop_count == 7);
    check_same_trace(sweep.traces[0], trace(request));
    CHECK(sweep.pings[0].received == 1);
  }
  SECTION("b 6 hops away, the second router silent") {
    RouterChain chain(5, {2});
    const ProbeRequest request = chain.to_b();
    IcmpSweep sweep = sweep_icmp({}, {request});
    const TraceResult alone = trace(request);
    CHECK(addresses_of(alone) == std::vector<std::string>{RouterChain::address(0, 2), "*",
                                                          RouterChain::address(2, 2),
                                                          RouterChain::address(3, 2),
                                                          RouterChain::address(4, 2), chain.b});
    check_same_trace(sweep.traces[0], alone);
  }
}

// The overlay NVAs exchange routes over (MS Learn, multi-region Route
// Server: "an encapsulation technology such as IPsec or VXLAN"): a VXLAN
// device made through hublab's RouteSocket in each of two namespaces whose
// underlay is a veth pair carries pings between the overlay addresses.
TEST_CASE("a VXLAN device made by RouteSocket carries packets to its one remote",
          "[probe][root][vxlan]") {
  REQUIRE_ROOT();
  ScratchNamespaces namespaces;
  const std::string prefix = scratch_prefix();
  const std::string a = prefix + "-a", b = prefix + "-b";
  namespaces.add(a);
  namespaces.add(b);
  run("ip -n " + a + " link add eth0 type veth peer name eth0 netns " + b);
  const std::pair<std::string, const char*> ends[] = {{a, "10.202.1.1"}, {b, "10.202.1.2"}};
  for (const auto& [netns, address] : ends) {
    run("ip -n " + netns + " addr add " + address + "/24 dev eth0");
    run("ip -n " + netns + " link set eth0 up");
  }
  for (int i = 0; i < 2; ++i) {
    UniqueFd fd = open_namespace(ends[i].first);
    ThreadInNamespace inside(fd.get());
    RouteSocket sock;
    sock.add_vxlan({.name = "vx100",
                    .vni = 100,
                    .local = ip(ends[i].second),
                    .remote = ip(ends[1 - i].second)});
    const int vx = sock.link_index("vx100");
    REQUIRE(vx > 0);
    sock.add_address(vx, ip(i == 0 ? "192.168.100.1" : "192.168.100.2"), 30);
  }
  const std::string details = output_of("ip -n " + a + " -d link show vx100");
  CHECK(details.find("vxlan id 100 remote 10.202.1.2 local 10.202.1.1") != std::string::npos);
  CHECK(details.find("dstport 4789") != std::string::npos);
  CHECK(details.find("nolearning") != std::string::npos);
  CHECK(details.find("state UNKNOWN") != std::string::npos);  // up: a VXLAN has no carrier state
  CHECK(std::system(
            ("ip netns exec " + a + " ping -q -c 1 -W 2 192.168.100.2 >/dev/null").c_str()) == 0);
  // The answer came back over the overlay: b learned a's overlay address.
  CHECK(output_of("ip -n " + b + " neigh show dev vx100").find("192.168.100.1") !=
        std::string::npos);
}

TEST_CASE("nothing of a test's namespaces survives it", "[probe][root]") {
  REQUIRE_ROOT();
  std::string a;
  {
    RoutedPair net;
    a = net.a;
    CHECK(std::filesystem::exists("/run/netns/" + a));
  }
  std::string mine = "pt-" + std::to_string(getpid()) + "-";
  for (const auto& entry : std::filesystem::directory_iterator("/run/netns"))
    CHECK(entry.path().filename().string().rfind(mine, 0) != 0);
}

}  // namespace
