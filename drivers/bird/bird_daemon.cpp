#include "drivers/bird/bird_daemon.h"

#include <fcntl.h>
#include <unistd.h>

#include "base/system_error.h"
#include "base/unique_fd.h"

namespace hublab::bird {

DaemonSpec bird_daemon(const BirdFiles& files, const std::string& config, int netns_fd) {
  UniqueFd fd(::open(files.config().c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!fd || ::write(fd.get(), config.data(), config.size()) != static_cast<ssize_t>(config.size()))
    throw system_error("writing " + files.config());
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
