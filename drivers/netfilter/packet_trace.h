#pragma once

// Follows one packet through the nftables rules of a bridge port with the
// kernel's own tracing (meta nftrace): the kernel reports every rule that
// gave the packet a verdict, and every chain's end, as it happens. What a
// `hublab verify` on a running lab reads to know which rule decided. Knows
// nothing of labs.
//
// A table of its own, `bridge hublab_trace_<pid>`, marks the packet for
// tracing ahead of every other rule, and drops it at its port after the
// filters of `drop_after`, so that the packet goes no further than the
// question asked of it: no answer, no flow remembered past the port.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "base/ipv4.h"
#include "base/unique_fd.h"

namespace hublab {

struct TracedPacket {
  std::string port;       // the bridge port
  bool outgoing = false;  // what the bridge sends out of the port; else what comes in from it
  Ipv4 source, destination;
  uint16_t ip_id = 0;  // its IPv4 identification, which picks it out of the traffic
  int drop_after = 0;  // the priority of the filters whose verdict is wanted
};

struct TraceEvent {
  enum class Kind { kRule, kReturn, kPolicy };
  std::string table, chain;
  Kind kind = Kind::kRule;
  // NF_ACCEPT, NF_DROP, NFT_JUMP, NFT_GOTO, NFT_RETURN; NFT_CONTINUE (-1) when none
  int verdict = -1;
};

class PacketTrace {
 public:
  // Installs the table and listens, in the calling thread's network
  // namespace (needs CAP_NET_ADMIN there). Throws on failure.
  explicit PacketTrace(const TracedPacket& packet);
  // Removes the table, from whichever namespace the thread is in then.
  ~PacketTrace();
  PacketTrace(const PacketTrace&) = delete;
  PacketTrace& operator=(const PacketTrace&) = delete;

  // The packet's events in the kernel's order, until a drop ends it (its
  // filters' or this trace's) or `timeout` passes: nothing when the packet
  // never came to the port.
  std::vector<TraceEvent> follow(std::chrono::milliseconds timeout);
  const std::string& table() const { return table_; }

 private:
  TracedPacket packet_;
  std::string table_;
  UniqueFd netns_;  // where the table is
  UniqueFd listener_;
};

}  // namespace hublab
