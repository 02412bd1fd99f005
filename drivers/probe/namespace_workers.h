// A small pool of threads that run jobs inside network namespaces.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace hublab::probe {

// Runs job(i) for every i < netns_fds.size() on up to `threads` new threads;
// before job i, its thread enters netns_fds[i] with setns(), so the sockets
// the job opens live there. The calling thread never changes namespace, and
// all workers have exited when this returns. A job that cannot start (setns
// failed, no thread) or throws is reported to failed(i, why) instead.
// Jobs run concurrently: they may only touch what belongs to their index.
void run_in_namespaces(const std::vector<int>& netns_fds, int threads,
                       const std::function<void(size_t)>& job,
                       const std::function<void(size_t, const std::string&)>& failed);

}  // namespace hublab::probe
