#include "drivers/probe/namespace_workers.h"

#include <sched.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <system_error>
#include <thread>

#include "base/system_error.h"

namespace hublab::probe {

void run_in_namespaces(const std::vector<int>& netns_fds, int threads,
                       const std::function<void(size_t)>& job,
                       const std::function<void(size_t, const std::string&)>& failed) {
  if (netns_fds.empty()) return;
  std::atomic<size_t> next{0};
  // Workers never go back to the caller's namespace: they exit instead, and
  // setns() moves only the calling thread, so the next job may enter another.
  auto work = [&] {
    for (size_t i = next++; i < netns_fds.size(); i = next++) {
      try {
        if (setns(netns_fds[i], CLONE_NEWNET) != 0)
          throw system_error("entering the source network namespace");
        job(i);
      } catch (const std::exception& e) {
        failed(i, e.what());
      }
    }
  };
  size_t wanted = std::min(static_cast<size_t>(std::max(threads, 1)), netns_fds.size());
  std::vector<std::jthread> workers;
  try {
    while (workers.size() < wanted) workers.emplace_back(work);
  } catch (const std::system_error& e) {
    // The workers already running take every job; with none, nothing runs.
    if (workers.empty())
      for (size_t i = next++; i < netns_fds.size(); i = next++)
        failed(i, std::string("cannot start a probe thread: ") + e.what());
  }
}

}  // namespace hublab::probe
