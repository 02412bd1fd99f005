#include "drivers/netlink/kernel_features.h"

#include <fcntl.h>
#include <sched.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "base/unique_fd.h"
#include "drivers/netfilter/ttl_boost.h"
#include "drivers/netlink/route_socket.h"

namespace hublab {

std::string kernel_network_problem() {
  std::string problem;
  // unshare(CLONE_NEWNET) moves only the calling thread; the namespace has no
  // name and no bind mount, so it is freed when the thread ends.
  std::thread([&] {
    if (::unshare(CLONE_NEWNET) != 0) {
      problem = std::string("network namespaces: ") + std::strerror(errno);
      return;
    }
    try {
      UniqueFd self(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
      RouteSocket sock;
      sock.add_bridge("probe-br", 10, "kernel probe");
      sock.add_veth({"probe-a", 11, -1, 10}, {"probe-b", 12, self.get(), 0});
      sock.add_address(10, *Ipv4::parse("192.0.2.1"), 24);
      sock.add_rule({.iif = "probe-br", .table = 100, .priority = 100});
      install_ttl_boost({"probe-br"}, 2, 1);
    } catch (const std::exception& error) {
      problem = error.what();
    }
  }).join();
  return problem;
}

std::string link_delay_problem() {
  std::string problem;
  std::thread([&] {
    if (::unshare(CLONE_NEWNET) != 0) {
      problem = std::string("network namespaces: ") + std::strerror(errno);
      return;
    }
    try {
      UniqueFd self(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
      RouteSocket sock;
      sock.add_veth({"probe-a", 11, -1, 0}, {"probe-b", 12, self.get(), 0});
      if (!sock.add_delay(11, 1)) problem = "this kernel has no netem (sch_netem)";
    } catch (const std::exception& error) {
      problem = error.what();
    }
  }).join();
  return problem;
}

}  // namespace hublab
