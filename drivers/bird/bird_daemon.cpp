#include "drivers/bird/bird_daemon.h"

#include <fcntl.h>
#include <unistd.h>

#include "base/private_file.h"

namespace hublab::bird {

DaemonSpec bird_daemon(const BirdFiles& files, const std::string& config, int netns_fd) {
  write_private_file(files.config(), config);
  DaemonSpec spec;
  spec.program = kBirdPath;
  // -f: stay in the foreground; hublab has detached it already. Paths as BIRD
  // sees them: its directory is its /run.
  spec.args = {"-f", "-c", "/run/bird.conf", "-s", "/run/bird.ctl", "-P", "/run/bird.pid"};
  spec.netns_fd = netns_fd;
  spec.run_dir = files.dir;
  spec.output_path = files.output();
  return spec;
}

}  // namespace hublab::bird
