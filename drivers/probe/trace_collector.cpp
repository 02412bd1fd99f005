#include "drivers/probe/trace_collector.h"

#include <algorithm>

namespace hublab::probe {

HopAnswer hop_answer(EchoAnswer::Kind kind) {
  switch (kind) {
    case EchoAnswer::Kind::kReply:
      return HopAnswer::kDestination;
    case EchoAnswer::Kind::kTimeExceeded:
      return HopAnswer::kRouter;
    case EchoAnswer::Kind::kUnreachable:
      break;
  }
  return HopAnswer::kUnreachable;
}

TraceCollector::TraceCollector(int max_hops) : slots_(static_cast<size_t>(max_hops)) {}

void TraceCollector::record(int ttl, HopAnswer answer, Ipv4 from, double rtt_ms) {
  if (ttl < 1 || ttl > static_cast<int>(slots_.size())) return;
  auto& slot = slots_[static_cast<size_t>(ttl - 1)];
  if (!slot) slot = Slot{answer, from, rtt_ms};
}

std::optional<int> TraceCollector::final_ttl() const {
  for (size_t i = 0; i < slots_.size(); ++i)
    if (slots_[i] && slots_[i]->answer != HopAnswer::kRouter) return static_cast<int>(i + 1);
  return std::nullopt;
}

bool TraceCollector::complete() const {
  auto last = final_ttl();
  return last && std::all_of(slots_.begin(), slots_.begin() + *last,
                             [](const auto& slot) { return slot.has_value(); });
}

TraceResult TraceCollector::result() const {
  TraceResult result;
  int shown = 0;
  if (auto last = final_ttl()) {
    shown = *last;
    result.reached = slots_[static_cast<size_t>(*last - 1)]->answer == HopAnswer::kDestination;
    if (result.reached) result.hop_count = *last;
  } else {
    // Silence from some TTL on: show where it began, not max_hops of it.
    auto answered = std::find_if(slots_.rbegin(), slots_.rend(),
                                 [](const auto& slot) { return slot.has_value(); });
    shown =
        std::min(static_cast<int>(slots_.rend() - answered) + 1, static_cast<int>(slots_.size()));
  }
  for (int ttl = 1; ttl <= shown; ++ttl) {
    Hop hop{ttl, std::nullopt, std::nullopt};
    if (const auto& slot = slots_[static_cast<size_t>(ttl - 1)]) {
      hop.address = slot->from;
      hop.rtt_ms = slot->rtt_ms;
    }
    result.hops.push_back(hop);
  }
  return result;
}

}  // namespace hublab::probe
