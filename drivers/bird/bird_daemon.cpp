#include "drivers/bird/bird_daemon.h"

#include <fcntl.h>
#include <unistd.h>

#include "base/private_file.h"

namespace hublab::bird {

DaemonSpec bird_daemon(const BirdFiles& files, const std::string& config, int netns_fd) {
  write_private_file(files.config(), config);
  DaemonSpec spec;
  spec.program = kBirdPath;
  // -f: stay in the foreground; hublab has detached it already. Paths
  // relative to its directory, its working directory: a control socket's
  // full path could pass the 107 bytes a socket address holds, and BIRD
  // needs no mount namespace of its own.
  spec.args = {"-f", "-c", "bird.conf", "-s", "bird.ctl", "-P", "bird.pid"};
  spec.netns_fd = netns_fd;
  spec.work_dir = files.dir;
  spec.output_path = files.output();
  return spec;
}

}  // namespace hublab::bird
