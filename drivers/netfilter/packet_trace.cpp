#include "drivers/netfilter/packet_trace.h"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <libnftnl/rule.h>
#include <libnftnl/trace.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter_bridge.h>
#include <linux/netlink.h>
#include <net/ethernet.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <set>
#include <stdexcept>

#include "drivers/netfilter/nft_batch.h"
#include "drivers/netlink/network_namespace.h"

namespace hublab {

namespace {

constexpr int kBeforeEverything = -400;  // ahead of br_netfilter (0) and every filter
constexpr uint32_t kIdOffset = 4, kSourceOffset = 12, kDestinationOffset = 16;

// The packet, and only it: IPv4 with its identification and addresses.
void match_packet(nftnl_rule* rule, const TracedPacket& packet) {
  using namespace nft;
  const uint16_t ipv4 = htons(ETHERTYPE_IP), id = htons(packet.ip_id);
  const uint32_t source = htonl(packet.source.value), destination = htonl(packet.destination.value);
  add_meta_load(rule, NFT_META_PROTOCOL);
  add_compare(rule, &ipv4, 2);
  add_load(rule, kIdOffset, 2);
  add_compare(rule, &id, 2);
  add_load(rule, kSourceOffset, 4);
  add_compare(rule, &source, 4);
  add_load(rule, kDestinationOffset, 4);
  add_compare(rule, &destination, 4);
}

bool is_the_packet(const void* header, uint32_t length, const TracedPacket& packet) {
  if (!header || length < 20) return false;
  const auto* bytes = static_cast<const uint8_t*>(header);
  uint16_t id;
  uint32_t source, destination;
  std::memcpy(&id, bytes + kIdOffset, 2);
  std::memcpy(&source, bytes + kSourceOffset, 4);
  std::memcpy(&destination, bytes + kDestinationOffset, 4);
  return ntohs(id) == packet.ip_id && ntohl(source) == packet.source.value &&
         ntohl(destination) == packet.destination.value;
}

UniqueFd open_listener() {
  UniqueFd fd(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_NETFILTER));
  if (!fd) throw std::runtime_error(std::string("nftables trace: socket: ") + strerror(errno));
  sockaddr_nl self{};
  self.nl_family = AF_NETLINK;
  int group = NFNLGRP_NFTRACE;
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&self), sizeof self) < 0 ||
      setsockopt(fd.get(), SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof group) < 0)
    throw std::runtime_error(std::string("nftables trace: listening: ") + strerror(errno));
  return fd;
}

}  // namespace

PacketTrace::PacketTrace(const TracedPacket& packet)
    : packet_(packet),
      table_("hublab_trace_" + std::to_string(getpid())),
      netns_(open_current_netns()),
      listener_(open_listener()) {
  using namespace nft;
  Batch batch;
  const char* table = table_.c_str();
  batch.table(table, NFPROTO_BRIDGE);
  for (auto [name, hook] :
       {std::pair("from_ports", NF_BR_PRE_ROUTING), std::pair("from_bridge", NF_BR_LOCAL_OUT)}) {
    batch.chain(table, name, hook, kBeforeEverything);
    batch.rule(table, name, [&](nftnl_rule* rule) {
      const uint8_t on = 1;
      match_packet(rule, packet_);
      add_immediate(rule, &on, 1);
      add_meta_store(rule, NFT_META_NFTRACE);
    });
  }
  batch.chain(table, "end", packet.outgoing ? NF_BR_POST_ROUTING : NF_BR_PRE_ROUTING,
              packet.drop_after + 1);
  batch.rule(table, "end", [&](nftnl_rule* rule) {
    add_ifname_match(rule, packet_.outgoing ? NFT_META_OIFNAME : NFT_META_IIFNAME, packet_.port);
    match_packet(rule, packet_);
    add_verdict(rule, NF_DROP);
  });
  batch.send();
}

PacketTrace::~PacketTrace() {
  try {
    ThreadInNamespace inside(netns_.get());
    nft::Batch batch;
    batch.delete_table(table_.c_str(), NFPROTO_BRIDGE);
    batch.send();
  } catch (const std::exception&) {
    // Gone with its namespace at `down`; a destructor cannot say more.
  }
}

std::vector<TraceEvent> PacketTrace::follow(std::chrono::milliseconds timeout) {
  std::vector<TraceEvent> events;
  std::set<uint32_t> ours;  // trace ids the kernel gave the packet (one per hook it passes)
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<char> buffer(1 << 16);
  std::unique_ptr<nftnl_trace, void (*)(const nftnl_trace*)> trace(nullptr, nftnl_trace_free);
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return events;
    pollfd ready{listener_.get(), POLLIN, 0};
    if (poll(&ready, 1, static_cast<int>(left.count())) <= 0) continue;
    const ssize_t n = recv(listener_.get(), buffer.data(), buffer.size(), 0);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      throw std::runtime_error(std::string("nftables trace: ") + strerror(errno));
    }
    int length = static_cast<int>(n);
    for (auto* message = reinterpret_cast<nlmsghdr*>(buffer.data()); mnl_nlmsg_ok(message, length);
         message = mnl_nlmsg_next(message, &length)) {
      if (NFNL_SUBSYS_ID(message->nlmsg_type) != NFNL_SUBSYS_NFTABLES ||
          NFNL_MSG_TYPE(message->nlmsg_type) != NFT_MSG_TRACE)
        continue;
      trace.reset(nftnl_trace_alloc());
      if (!trace || nftnl_trace_nlmsg_parse(message, trace.get()) < 0) continue;
      const uint32_t id = nftnl_trace_get_u32(trace.get(), NFTNL_TRACE_ID);
      if (nftnl_trace_is_set(trace.get(), NFTNL_TRACE_NETWORK_HEADER)) {
        uint32_t size = 0;
        const void* header = nftnl_trace_get_data(trace.get(), NFTNL_TRACE_NETWORK_HEADER, &size);
        if (is_the_packet(header, size, packet_)) ours.insert(id);
      }
      if (!ours.count(id)) continue;
      TraceEvent event;
      if (const char* t = nftnl_trace_get_str(trace.get(), NFTNL_TRACE_TABLE)) event.table = t;
      if (const char* c = nftnl_trace_get_str(trace.get(), NFTNL_TRACE_CHAIN)) event.chain = c;
      switch (nftnl_trace_get_u32(trace.get(), NFTNL_TRACE_TYPE)) {
        case NFT_TRACETYPE_RETURN:
          event.kind = TraceEvent::Kind::kReturn;
          break;
        case NFT_TRACETYPE_POLICY:
          event.kind = TraceEvent::Kind::kPolicy;
          break;
        default:
          event.kind = TraceEvent::Kind::kRule;
          break;
      }
      if (nftnl_trace_is_set(trace.get(), NFTNL_TRACE_VERDICT))
        event.verdict = static_cast<int>(nftnl_trace_get_u32(trace.get(), NFTNL_TRACE_VERDICT));
      else if (nftnl_trace_is_set(trace.get(), NFTNL_TRACE_POLICY))
        event.verdict = static_cast<int>(nftnl_trace_get_u32(trace.get(), NFTNL_TRACE_POLICY));
      events.push_back(event);
      if (event.kind == TraceEvent::Kind::kRule && event.verdict == NF_DROP) return events;
    }
  }
}

}  // namespace hublab
