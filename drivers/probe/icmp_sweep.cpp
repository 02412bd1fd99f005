#include "drivers/probe/icmp_sweep.h"

#include <sys/epoll.h>

#include <cerrno>
#include <map>
#include <queue>
#include <set>
#include <thread>

#include "base/system_error.h"
#include "drivers/probe/echo_socket.h"
#include "drivers/probe/icmp_packet.h"
#include "drivers/probe/namespace_workers.h"
#include "drivers/probe/probe_socket.h"
#include "drivers/probe/probes_from_here.h"
#include "drivers/probe/trace_collector.h"

namespace hublab::probe {

namespace {

// TTLs a trace sends at first, and with each answer from a router at its
// highest: one, so that a VM one hop away costs one probe and a ping.
constexpr int kFirstVolley = 1;
constexpr int kPingTtl = 64;  // what ping(8) sends
constexpr int kSendsBetweenDrains = 64;
constexpr int kReceiveQueueBytes = 4 << 20;
// What user-space ESP (kernel-libipsec) takes without loss on two cores:
// charon reads each tunnel's packets from one UDP socket, whose queue (the
// kernel's default, 208 KiB; a namespace cannot raise it) overflows when
// the charons fall behind (UdpRcvbufErrors in the connection ends). With
// three chained tunnels (scripts/scale-lab 4 25) 16000 probes/s lost some,
// 10000 needed retries, 8000 none.
constexpr double kSendsPerSecond = 8000;
constexpr double kBurst = 64;

// One source namespace: its raw socket, which gets every ICMP answer to
// the probes sent from there, and those probes by echo identifier.
struct Source {
  int netns_fd = -1;
  UniqueFd fd;
  std::string error;  // the socket could not be opened
  uint64_t nonce = 0;
  uint16_t next_identifier = 0;
  std::map<uint16_t, size_t> probes;
};

struct Probe {
  const ProbeRequest* request = nullptr;
  bool trace = false;
  size_t result = 0;  // index into the pings or traces
  size_t source = 0;
  uint16_t identifier = 0;
  std::vector<WallTime> sent_at;  // by sequence: the TTL of a trace, 1 for a ping
  int sent = 0, first_error = 0;
  int highest_ttl = 0;       // a trace's highest TTL sent so far
  bool last_volley = false;  // a trace sent every TTL left after its timeout
  bool answered = false;     // something answered one of its probes
  Deadline deadline;
  bool done = false;
  std::optional<TraceCollector> hops;
  std::optional<double> rtt_ms;  // a ping's reply
};

// A socket lives in the namespace it was opened in: one short-lived thread
// enters each source namespace in turn to open its socket, and the loop
// then uses them all from the calling thread, which never changes namespace.
void open_sockets(std::vector<Source>& sources) {
  std::vector<int> netns_fds;
  for (const Source& source : sources) netns_fds.push_back(source.netns_fd);
  run_in_namespaces(
      netns_fds, 1, [&](size_t i) { sources[i].fd = open_echo_answer_socket(kReceiveQueueBytes); },
      [&](size_t i, const std::string& why) { sources[i].error = why; });
}

class Sweep {
 public:
  Sweep(const std::vector<ProbeRequest>& pings, const std::vector<ProbeRequest>& traces)
      : epoll_(epoll_create1(EPOLL_CLOEXEC)) {
    if (!epoll_) throw system_error("creating an epoll instance");
    result_.pings.resize(pings.size());
    result_.traces.resize(traces.size());
    std::map<int, size_t> source_of_netns;
    auto add = [&](const ProbeRequest& request, bool trace, size_t index) {
      std::string& error = trace ? result_.traces[index].error : result_.pings[index].error;
      error = invalid_request(request);
      if (error.empty() && trace && request.protocol != Protocol::kIcmp)
        error = "not an ICMP trace";
      if (!error.empty()) return;
      auto [it, added] = source_of_netns.emplace(request.netns_fd, sources_.size());
      if (added) sources_.push_back(Source{.netns_fd = request.netns_fd});
      Probe probe{.request = &request, .trace = trace, .result = index, .source = it->second};
      if (trace) probe.hops.emplace(request.max_hops);
      probe.sent_at.resize(static_cast<size_t>(trace ? request.max_hops : 1) + 1);
      probes_.push_back(std::move(probe));
    };
    for (size_t i = 0; i < pings.size(); ++i) add(pings[i], false, i);
    for (size_t i = 0; i < traces.size(); ++i) add(traces[i], true, i);
    open_sockets(sources_);
    for (size_t s = 0; s < sources_.size(); ++s) {
      Source& source = sources_[s];
      source.nonce = random_u64();
      source.next_identifier = static_cast<uint16_t>(random_u64());
      if (!source.fd) continue;
      epoll_event event{.events = EPOLLIN, .data = {.u64 = s}};
      if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, source.fd.get(), &event) != 0)
        throw system_error("watching a probe socket");
    }
    open_ = probes_.size();
    for (size_t p = 0; p < probes_.size(); ++p) {
      Probe& probe = probes_[p];
      Source& source = sources_[probe.source];
      if (source.probes.size() >= 65535) source.error = "more than 65535 probes from one VM";
      if (!source.error.empty()) {
        error_of(probe) = source.error;
        settle(probe);
        continue;
      }
      probe.identifier = source.next_identifier++;
      source.probes[probe.identifier] = p;
    }
  }

  IcmpSweep run() {
    size_t sends = 0;
    for (size_t p = 0; p < probes_.size(); ++p) {
      Probe& probe = probes_[p];
      if (probe.done) continue;
      if (probe.trace)
        send_ttls_up_to(p, kFirstVolley);
      else
        send(p, 1, kPingTtl);
      if (++sends % kSendsBetweenDrains == 0) receive(std::chrono::milliseconds(0));
    }
    for (;;) {
      expire();
      if (open_ == 0 || deadlines_.empty()) break;
      auto left = deadlines_.top().first - std::chrono::steady_clock::now();
      receive(std::chrono::ceil<std::chrono::milliseconds>(left));
    }
    for (Probe& probe : probes_) finish(probe);
    return std::move(result_);
  }

 private:
  // A probe that can learn nothing more.
  void settle(Probe& probe) {
    if (probe.done) return;
    probe.done = true;
    --open_;
  }

  std::string& error_of(const Probe& probe) {
    return probe.trace ? result_.traces[probe.result].error : result_.pings[probe.result].error;
  }

  // Sends one echo request, at `ttl`, as sequence number `sequence`.
  void send(size_t p, int sequence, int ttl) {
    Probe& probe = probes_[p];
    Source& source = sources_[probe.source];
    pace();
    probe.sent_at[static_cast<size_t>(sequence)] = std::chrono::system_clock::now();
    for (;;) {
      const int error =
          send_echo(source.fd.get(), probe.request->destination, {probe.identifier, source.nonce},
                    static_cast<uint16_t>(sequence), ttl);
      if (error == 0) {
        ++probe.sent;
        break;
      }
      // A full send queue: let the answers drain, then try again.
      if (error == EAGAIN || error == ENOBUFS) {
        receive(std::chrono::milliseconds(1));
        continue;
      }
      if (!probe.first_error) probe.first_error = error;
      break;
    }
    probe.deadline = std::chrono::steady_clock::now() + probe.request->timeout;
    deadlines_.push({probe.deadline, p});
  }

  // At most kSendsPerSecond, after a first burst of kBurst; answers are
  // read while it waits.
  void pace() {
    for (;;) {
      const double elapsed =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
      if (static_cast<double>(sends_) < kBurst + elapsed * kSendsPerSecond) break;
      receive(std::chrono::milliseconds(0));
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    ++sends_;
  }

  // Every TTL above the highest sent, up to `to`. Answers read while a send
  // waits may send more (see answer()): the highest TTL sent is kept
  // before each send, so that none is sent twice.
  void send_ttls_up_to(size_t p, int to) {
    Probe& probe = probes_[p];
    to = std::min(to, probe.request->max_hops);
    while (probe.highest_ttl < to) {
      const int ttl = ++probe.highest_ttl;
      send(p, ttl, ttl);
    }
  }

  // Answers queued on every socket, waiting up to `wait` for the first.
  void receive(std::chrono::milliseconds wait) {
    epoll_event events[64];
    int ready =
        epoll_wait(epoll_.get(), events, 64,
                   static_cast<int>(std::max<int64_t>(0, std::min<int64_t>(wait.count(), 1000))));
    if (ready < 0) {
      if (errno == EINTR) return;
      throw system_error("waiting for probe answers");
    }
    for (int i = 0; i < ready; ++i) {
      const size_t s = events[i].data.u64;
      while (auto datagram = receive_datagram(sources_[s].fd.get(), buffer_))
        answer(s, std::span(buffer_).first(datagram->size), datagram->received);
    }
  }

  void answer(size_t s, std::span<const uint8_t> packet, WallTime received) {
    auto parsed = parse_echo_answer(packet);
    if (!parsed) return;
    const Source& source = sources_[s];
    auto found = source.probes.find(parsed->identifier);
    if (found == source.probes.end()) return;
    const size_t p = found->second;
    Probe& probe = probes_[p];
    if (probe.done ||
        !answers(*parsed, {probe.identifier, source.nonce}, probe.request->destination))
      return;
    const EchoAnswer& a = parsed->answer;
    const int sequence = a.sequence;
    if (sequence < 1 || sequence >= static_cast<int>(probe.sent_at.size())) return;
    const double rtt = milliseconds_between(probe.sent_at[static_cast<size_t>(sequence)], received);
    probe.answered = true;
    if (!probe.trace) {
      // Settled by its reply or by an error about it.
      if (a.kind == EchoAnswer::Kind::kReply) {
        probe.rtt_ms = rtt;
        replied_.insert({probe.source, probe.request->destination.value});
      }
      settle(probe);
      return;
    }
    if (sequence > probe.highest_ttl) return;
    const HopAnswer hop = hop_answer(a.kind);
    probe.hops->record(sequence, hop, a.sender, rtt);
    if (probe.hops->complete()) {
      settle(probe);
    } else if (hop == HopAnswer::kRouter && sequence == probe.highest_ttl && !probe.last_volley &&
               probe.highest_ttl < probe.request->max_hops) {
      // The path goes on beyond the highest TTL sent: the next few.
      send_ttls_up_to(p, probe.highest_ttl + kFirstVolley);
    }
  }

  // Probes whose timeout passed: a trace still open sends every TTL left
  // once; anything else is finished.
  void expire() {
    const Deadline now = std::chrono::steady_clock::now();
    while (!deadlines_.empty() && deadlines_.top().first <= now) {
      auto [deadline, p] = deadlines_.top();
      deadlines_.pop();
      Probe& probe = probes_[p];
      if (probe.done || deadline != probe.deadline) continue;  // settled, or a later deadline holds
      // A trace that heard nothing at all is done: with no router answering
      // its first TTLs the path is dead (the fabric's routers are hidden,
      // not silent), unless a ping to the same destination from the same
      // namespace was answered: then a router that never answers stands in
      // front (a circuit's edge router). One that heard something, or that,
      // sends every TTL left.
      const bool alive =
          probe.answered || replied_.count({probe.source, probe.request->destination.value});
      if (probe.trace && alive && !probe.last_volley &&
          probe.highest_ttl < probe.request->max_hops) {
        probe.last_volley = true;
        send_ttls_up_to(p, probe.request->max_hops);
        continue;
      }
      settle(probe);
    }
  }

  void finish(Probe& probe) {
    if (!error_of(probe).empty()) return;
    if (probe.trace) {
      TraceResult& result = result_.traces[probe.result];
      result = probe.sent == 0 ? nothing_sent_trace(probe.first_error) : probe.hops->result();
      return;
    }
    PingResult& result = result_.pings[probe.result];
    result.sent = probe.sent;
    if (probe.rtt_ms) {
      result.received = 1;
      result.rtts_ms.push_back(*probe.rtt_ms);
    }
    if (probe.sent == 0) result.error = nothing_sent_error(probe.first_error);
  }

  const Deadline started_ = std::chrono::steady_clock::now();
  uint64_t sends_ = 0;
  size_t open_ = 0;  // probes not settled yet
  // (source, destination) of the pings that got a reply.
  std::set<std::pair<size_t, uint32_t>> replied_;
  UniqueFd epoll_;
  std::vector<Source> sources_;
  std::vector<Probe> probes_;
  // (deadline, probe), earliest first; a probe's older entries are stale.
  std::priority_queue<std::pair<Deadline, size_t>, std::vector<std::pair<Deadline, size_t>>,
                      std::greater<>>
      deadlines_;
  std::vector<uint8_t> buffer_ = std::vector<uint8_t>(2048);
  IcmpSweep result_;
};

}  // namespace

IcmpSweep sweep_icmp(const std::vector<ProbeRequest>& pings,
                     const std::vector<ProbeRequest>& traces) {
  return Sweep(pings, traces).run();
}

}  // namespace hublab::probe
