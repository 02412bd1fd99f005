// Two commands on one lab at once (issue R): a change waits for the lab's
// lock, or is refused at once where waiting would make no sense (a second
// `up`); checks share the lab; the lab is never half made.

#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <string>
#include <thread>

#include "tests/support/scratch_lab.h"
#include "tests/support/watched_command.h"

namespace hublab::test {

TEST_CASE("Two ups of one lab at once: one brings it up, the other is refused in one line",
          "[concurrent][root]") {
  REQUIRE_ROOT();
  for (int offset_ms : {0, 30, 300}) {
    const std::string lab = unique_lab_name("two-ups");
    DownOnExit down_at_end(lab);
    INFO("the second " << offset_ms << " ms after the first");
    WatchedCommand first({"up", reference_lab(), "--name", lab, "--quiet"});
    std::this_thread::sleep_for(std::chrono::milliseconds(offset_ms));
    WatchedCommand second({"up", reference_lab(), "--name", lab, "--quiet"});
    const CommandResult results[2] = {first.finish(), second.finish()};
    const int winner = results[0].exit_code == 0 ? 0 : 1;
    const CommandResult& refused = results[1 - winner];
    INFO(results[0].out << results[1].out);
    CHECK(results[winner].exit_code == 0);
    CHECK(refused.exit_code == 1);
    CHECK(line_count(refused.out) == 1);
    CHECK(refused.out.find("lab '" + lab + "'") != std::string::npos);
    // Whole: as `up` made it, the refused one took nothing away.
    auto check = run_hublab({"check", lab});
    INFO(check.out << check.err);
    CHECK(check.exit_code == 0);
    REQUIRE(run_hublab({"down", lab}).exit_code == 0);
    CHECK(leftovers_of(lab).empty());
    CHECK(processes_of(lab).empty());
  }
}

TEST_CASE("A down during an up waits for it, says for whom, then removes the whole lab",
          "[concurrent][root]") {
  REQUIRE_ROOT();
  const std::string lab = unique_lab_name("up-down");
  DownOnExit down_at_end(lab);
  WatchedCommand up({"up", reference_lab(), "--name", lab});
  REQUIRE(up.wait_for_output(": fabric "));
  WatchedCommand down({"down", lab});
  REQUIRE(down.wait_for_output("hublab down: waiting for lab '" + lab + "': hublab up ",
                               std::chrono::seconds(10)));
  const CommandResult up_result = up.finish(), down_result = down.finish();
  INFO(up_result.out << down_result.out);
  CHECK(up_result.exit_code == 0);
  CHECK(down_result.exit_code == 0);
  CHECK(down_result.out.find("(pid " + std::to_string(up.pid()) + ") holds it") !=
        std::string::npos);
  CHECK(leftovers_of(lab).empty());
  CHECK(processes_of(lab).empty());
}

TEST_CASE("A fault during a check waits for the check, whose probes see the lab unfaulted",
          "[concurrent][root]") {
  REQUIRE_ROOT();
  ScratchLab lab(reference_lab(), "check-fault");
  REQUIRE(lab.up_result().exit_code == 0);
  WatchedCommand check({"check", lab.name()});
  REQUIRE(wait_until([&] { return lab_locked(lab.name()); }));
  // Paused as it holds the lab, the check cannot end before the fault
  // starts, however fast this machine probes: the wait is certain.
  check.kill(SIGSTOP);
  WatchedCommand fault({"fault", lab.name(), "gateway", "vpngw-hub01", "down"});
  const bool waited =
      fault.wait_for_output("hublab fault: waiting for lab '" + lab.name() + "': hublab check " +
                                lab.name() + " (pid " + std::to_string(check.pid()) + ") holds it",
                            std::chrono::seconds(20));
  check.kill(SIGCONT);
  CHECK(waited);
  const CommandResult checked = check.finish();
  INFO(checked.out);
  CHECK(checked.exit_code == 0);
  const CommandResult faulted = fault.finish();
  INFO(faulted.out);
  CHECK(faulted.exit_code == 0);
  CHECK(faulted.out.find("gateway vpngw-hub01 is down") != std::string::npos);
  REQUIRE(run_hublab({"fault", lab.name(), "gateway", "vpngw-hub01", "up"}).exit_code == 0);
}

TEST_CASE("A check during a fault waits for the fault to settle, then passes",
          "[concurrent][root]") {
  REQUIRE_ROOT();
  ScratchLab lab(reference_lab(), "fault-check");
  REQUIRE(lab.up_result().exit_code == 0);
  REQUIRE(run_hublab({"fault", lab.name(), "gateway", "vpngw-hub01", "down"}).exit_code == 0);
  WatchedCommand fault({"fault", lab.name(), "gateway", "vpngw-hub01", "up"});
  REQUIRE(wait_until([&] { return lab_locked(lab.name()); }));
  fault.kill(SIGSTOP);  // as above: the fault cannot settle before the check starts
  WatchedCommand check({"check", lab.name()});
  const bool waited =
      check.wait_for_output("hublab check: waiting for lab '" + lab.name() + "': hublab fault ",
                            std::chrono::seconds(20));
  fault.kill(SIGCONT);
  CHECK(waited);
  CHECK(fault.finish().exit_code == 0);
  // Had it not waited, it would have checked a gateway half started.
  const CommandResult checked = check.finish();
  INFO(checked.out);
  CHECK(checked.exit_code == 0);
}

TEST_CASE("Two checks of one lab run side by side, neither waits", "[concurrent][root]") {
  REQUIRE_ROOT();
  ScratchLab lab(reference_lab(), "two-checks");
  REQUIRE(lab.up_result().exit_code == 0);
  WatchedCommand first({"check", lab.name()}), second({"check", lab.name()});
  const CommandResult results[2] = {first.finish(), second.finish()};
  for (const CommandResult& r : results) {
    INFO(r.out);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("waiting for lab") == std::string::npos);
  }
}

}  // namespace hublab::test
