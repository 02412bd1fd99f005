#pragma once

#include <stdexcept>
#include <string>

#include "base/unique_fd.h"

namespace hublab {

// The name is taken: by another lab, an earlier run, or the user.
class NamespaceExists : public std::runtime_error {
 public:
  explicit NamespaceExists(const std::string& name)
      : std::runtime_error("network namespace '" + name + "' already exists") {}
};

// A named network namespace, kept alive by a bind mount under /run/netns the
// way iproute2 does it, so that `ip netns exec` and `ip -n` work on it.
class NetworkNamespace {
 public:
  static constexpr const char* kRunDir = "/run/netns";

  // Throws NamespaceExists if the name is taken.
  static NetworkNamespace create(const std::string& name);
  static NetworkNamespace open(const std::string& name);
  static bool exists(const std::string& name);
  // Unmounts and unlinks the name; the kernel frees the namespace, and every
  // interface in it, once nothing else holds it. Returns false if absent.
  static bool remove(const std::string& name);

  const std::string& name() const { return name_; }
  int fd() const { return fd_.get(); }

 private:
  NetworkNamespace(std::string name, UniqueFd fd) : name_(std::move(name)), fd_(std::move(fd)) {}

  std::string name_;
  UniqueFd fd_;
};

// The calling thread's network namespace, to come back to. Throws on failure.
UniqueFd open_current_netns();

// Moves the calling thread into a network namespace until destroyed. Sockets
// opened meanwhile stay in that namespace for their whole life.
class ThreadInNamespace {
 public:
  explicit ThreadInNamespace(int netns_fd);
  ~ThreadInNamespace();
  ThreadInNamespace(const ThreadInNamespace&) = delete;
  ThreadInNamespace& operator=(const ThreadInNamespace&) = delete;

 private:
  UniqueFd home_;
};

}  // namespace hublab
