#pragma once

// BIRD as hublab runs it: one per BGP speaker of a lab (gateway or VNet
// router), in that node's network namespace, working in a directory of its
// own that holds its config, control socket, PID file and log.

#include <string>

#include "drivers/process/daemon.h"

namespace hublab::bird {

constexpr const char* kBirdPath = "/usr/sbin/bird";

struct BirdFiles {
  std::string dir;  // BIRD's working directory

  std::string config() const { return dir + "/bird.conf"; }
  std::string control_socket() const { return dir + "/bird.ctl"; }
  std::string log() const { return dir + "/bird.log"; }
  std::string output() const { return dir + "/bird.out"; }
};

// Writes `config` (mode 0600) and describes the daemon to start.
DaemonSpec bird_daemon(const BirdFiles& files, const std::string& config, int netns_fd);

}  // namespace hublab::bird
