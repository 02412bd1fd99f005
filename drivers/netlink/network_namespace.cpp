#include "drivers/netlink/network_namespace.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "base/system_error.h"

namespace hublab {

namespace {

std::string path_of(const std::string& name) {
  return std::string(NetworkNamespace::kRunDir) + "/" + name;
}

// /run/netns must be a shared mount point, or mounts made under it would not
// show in other mount namespaces (iproute2 does the same).
void prepare_run_dir() {
  if (mkdir(NetworkNamespace::kRunDir, 0755) != 0 && errno != EEXIST)
    throw system_error(std::string("creating ") + NetworkNamespace::kRunDir);
  bool bound = false;
  while (mount("", NetworkNamespace::kRunDir, "none", MS_SHARED | MS_REC, nullptr) != 0) {
    if (errno != EINVAL || bound)
      throw system_error(std::string("making ") + NetworkNamespace::kRunDir + " a shared mount");
    if (mount(NetworkNamespace::kRunDir, NetworkNamespace::kRunDir, "none", MS_BIND | MS_REC,
              nullptr) != 0)
      throw system_error(std::string("bind-mounting ") + NetworkNamespace::kRunDir);
    bound = true;
  }
}

}  // namespace

UniqueFd open_current_netns() {
  UniqueFd fd(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
  if (!fd) throw system_error("opening the current network namespace");
  return fd;
}

ThreadInNamespace::ThreadInNamespace(int netns_fd) : home_(open_current_netns()) {
  if (setns(netns_fd, CLONE_NEWNET) != 0) throw system_error("entering a network namespace");
}

ThreadInNamespace::~ThreadInNamespace() {
  // Staying in a lab namespace would make every later socket of this thread
  // act on the lab: there is no safe way on.
  if (setns(home_.get(), CLONE_NEWNET) != 0) {
    perror("hublab: returning to the host network namespace");
    std::abort();
  }
}

NetworkNamespace NetworkNamespace::create(const std::string& name) {
  static std::once_flag run_dir_ready;
  std::call_once(run_dir_ready, prepare_run_dir);
  std::string path = path_of(name);
  UniqueFd placeholder(::open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0));
  if (!placeholder) {
    if (errno == EEXIST) throw NamespaceExists(name);
    throw system_error("creating " + path);
  }
  placeholder.reset();

  UniqueFd home = open_current_netns();
  auto go_home = [&] {
    if (setns(home.get(), CLONE_NEWNET) != 0) {
      perror("hublab: returning to the host network namespace");
      std::abort();
    }
  };
  if (unshare(CLONE_NEWNET) != 0) {
    int error = errno;
    unlink(path.c_str());
    throw system_error("creating network namespace '" + name + "'", error);
  }
  UniqueFd fd;
  int error = 0;
  if (mount("/proc/thread-self/ns/net", path.c_str(), "none", MS_BIND, nullptr) != 0)
    error = errno;
  else if (fd.reset(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)); !fd)
    error = errno;
  go_home();  // on every path: this thread must not stay in the new namespace
  if (error) {
    umount2(path.c_str(), MNT_DETACH);
    unlink(path.c_str());
    throw system_error("mounting network namespace '" + name + "'", error);
  }
  return NetworkNamespace(name, std::move(fd));
}

NetworkNamespace NetworkNamespace::open(const std::string& name) {
  UniqueFd fd(::open(path_of(name).c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw system_error("opening network namespace '" + name + "'");
  return NetworkNamespace(name, std::move(fd));
}

bool NetworkNamespace::exists(const std::string& name) {
  struct stat st;
  return stat(path_of(name).c_str(), &st) == 0;
}

bool NetworkNamespace::remove(const std::string& name) {
  std::string path = path_of(name);
  umount2(path.c_str(), MNT_DETACH);
  if (unlink(path.c_str()) != 0) {
    if (errno == ENOENT) return false;
    throw system_error("removing " + path);
  }
  return true;
}

}  // namespace hublab
