#pragma once

// What a running lab leaves under /run/hublab/<lab>/, so that `down`, `list`
// and `exec` work from any later process, also after a crashed or killed `up`:
//   lab.toml    the lab file as it was brought up (0600: it may hold a key)
//   source      the path it was read from
//   hops        "visible" or "hidden": how the running fabric answers traceroute
//   keys        the pre-shared keys up resolved, by connection and side (0600,
//               hex): tunnels re-established by a fault use them
//   plan        what up planned (plan/plan_record.h, keys left out): observe
//               and faults read it rather than planning the lab file again
//   last-check.json  the last `hublab check` report
//   faults      the faults set for training (`hublab fault`), one a line
//   namespaces  journal: each namespace is recorded before it is created
//   daemons     journal: "KIND NODE PID START" for each daemon, recorded
//               before it runs
//   gateways/G/ a gateway's charon: config, vici socket, log (its /run)
//   ready       written once `up` has finished

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/unique_fd.h"
#include "drivers/process/daemon.h"
#include "orchestrator/lab/faults.h"
#include "orchestrator/lab/shared_key.h"

namespace hublab {

class LabState {
 public:
  static std::string root();                          // /run/hublab, or $HUBLAB_STATE_DIR for tests
  static std::string dir_of(const std::string& lab);  // throws for a name that is no lab's
  // Letters, digits, '-' and '_', at most naming::kMaxLabName, as lab files allow.
  static bool valid_name(const std::string& lab);

  // What a command holding the lab's lock (flock on its directory) may do
  // meanwhile: one that changes the lab (up, down, fault) holds it alone;
  // checks may share it, so that none sees a lab half changed.
  enum class Access { kChange, kCheck };
  // Told once, with who holds the lab ("hublab check ref (pid 4242)"),
  // before waiting for it.
  using Waiting = std::function<void(const std::string& holder)>;

  // Claims the lab name, holding it for a change, at once: fails with a
  // clear message if the lab is up, being brought up or down by another
  // hublab (named), or was left by an interrupted `up`.
  static LabState create(const std::string& lab);
  // Takes the lab's lock, waiting while another command holds it; nothing
  // if the lab is not up, also when it went away meanwhile (a `down`, or an
  // `up` that failed, removed it).
  static std::optional<LabState> open(const std::string& lab, Access access = Access::kChange,
                                      const Waiting& waiting = {});
  // Reads without the lock, for commands that only look.
  static std::optional<LabState> peek(const std::string& lab);
  static std::vector<std::string> list();

  const std::string& lab() const { return lab_; }
  const std::string& dir() const { return dir_; }

  void save_lab(const std::string& source_path, const std::string& text);
  std::string source_path() const;
  std::string lab_text() const;
  // Each connection's keys for side 0 and 1, as up resolved them.
  void save_keys(const SharedKeys& keys);
  SharedKeys keys() const;
  // The plan `up` applied, as plan/plan_record.h writes it; throws if the
  // lab has none (an older hublab brought it up).
  void save_plan_record(const std::string& record);
  std::string plan_record() const;
  // `up --hops` may override the file: what the running lab does.
  void save_hops_visible(bool visible);
  // The last `hublab check` report (JSON), for status and graph.
  void save_last_check(const std::string& json);
  std::string last_check() const;
  bool hops_visible() const;
  // Faults set on the running lab, one a line as Fault::str() writes it;
  // reading throws on a line that is no fault's.
  void save_faults(const std::vector<Fault>& faults);
  std::vector<Fault> faults() const;

  void record_namespace(const std::string& netns);
  // Takes back a record: the namespace turned out to be someone else's.
  void forget_namespace(const std::string& netns);
  std::vector<std::string> namespaces() const;

  struct DaemonRecord {
    std::string kind;  // charon, bird
    std::string node;
    DaemonId id;
  };
  void record_daemon(const DaemonRecord& daemon);
  std::vector<DaemonRecord> daemons() const;
  // The daemons of one kind, by node.
  std::map<std::string, DaemonId> daemons_of(const std::string& kind) const;

  // Where a node's daemon of `kind` (charon, bird) keeps its files; readers
  // use the path, `make_daemon_dir` creates it (0700) for a daemon to start.
  std::string daemon_dir(const std::string& kind, const std::string& node) const {
    return dir_ + "/" + kind + "/" + node;
  }
  std::string make_daemon_dir(const std::string& kind, const std::string& node);

  void mark_ready();
  bool ready() const;
  // Seconds since `up` finished, or nothing if it has not.
  std::optional<long> ready_age_seconds() const;

  // Removes the whole directory; the lab name is free again.
  void remove();

 private:
  LabState(std::string lab, UniqueFd lock);
  std::string lab_;
  std::string dir_;
  UniqueFd lock_;  // flock: one up/down of a lab at a time
};

}  // namespace hublab
