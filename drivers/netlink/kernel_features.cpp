#include "drivers/netlink/kernel_features.h"

#include <fcntl.h>
#include <sched.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <thread>

#include "base/unique_fd.h"
#include "drivers/netfilter/ttl_boost.h"
#include "drivers/netlink/route_socket.h"

namespace hublab {

namespace {

// Runs `attempt` in a throwaway network namespace, which vanishes with its
// thread: unshare(CLONE_NEWNET) moves only the calling thread, and the
// namespace has no name and no bind mount. Empty when it worked, else why
// not. `attempt` gets the namespace's fd and may set the problem itself.
std::string in_throwaway_namespace(const std::function<void(int, std::string&)>& attempt) {
  std::string problem;
  std::thread([&] {
    if (::unshare(CLONE_NEWNET) != 0) {
      problem = std::string("network namespaces: ") + std::strerror(errno);
      return;
    }
    try {
      UniqueFd self(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
      attempt(self.get(), problem);
    } catch (const std::exception& error) {
      problem = error.what();
    }
  }).join();
  return problem;
}

}  // namespace

std::string kernel_network_problem() {
  return in_throwaway_namespace([](int self, std::string&) {
    RouteSocket sock;
    sock.add_bridge("probe-br", 10, "kernel probe");
    sock.add_veth({"probe-a", 11, -1, 10}, {"probe-b", 12, self, 0});
    sock.add_address(10, *Ipv4::parse("192.0.2.1"), 24);
    sock.add_rule({.iif = "probe-br", .table = 100, .priority = 100});
    install_ttl_boost({"probe-br"}, 2, 1);
  });
}

std::string link_delay_problem() {
  return in_throwaway_namespace([](int self, std::string& problem) {
    RouteSocket sock;
    sock.add_veth({"probe-a", 11, -1, 0}, {"probe-b", 12, self, 0});
    if (!sock.add_delay(11, 1)) problem = "this kernel has no netem (sch_netem)";
  });
}

}  // namespace hublab
