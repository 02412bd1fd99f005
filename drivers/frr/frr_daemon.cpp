#include "drivers/frr/frr_daemon.h"

#include <pwd.h>
#include <unistd.h>

#include <stdexcept>

#include "base/private_file.h"
#include "base/system_error.h"

namespace hublab::frr {

namespace {

// Hands `paths` to the frr user, whom the daemons become.
void hand_to_frr(const std::vector<std::string>& paths) {
  const struct passwd* user = getpwnam(kFrrUser);
  if (!user)
    throw std::runtime_error(std::string("no user '") + kFrrUser +
                             "': FRRouting is not installed (apt-get install frr)");
  for (const std::string& path : paths)
    if (chown(path.c_str(), user->pw_uid, user->pw_gid) != 0)
      throw system_error("handing " + path + " to the frr user");
}

}  // namespace

std::string daemon_path(const std::string& daemon) {
  return std::string(kFrrDir) + "/" + daemon;
}

std::vector<DaemonSpec> frr_daemons(const FrrFiles& files, const std::string& config,
                                    int netns_fd) {
  write_private_file(files.config(), config);
  hand_to_frr({files.dir, files.config()});
  return frr_daemons(files, netns_fd);
}

std::vector<DaemonSpec> frr_daemons(const FrrFiles& files, int netns_fd) {
  std::vector<DaemonSpec> specs;
  for (const std::string& daemon : daemon_names()) {
    DaemonSpec spec;
    spec.program = daemon_path(daemon);
    // In the foreground (hublab has detached it), every path relative to
    // its directory: FRR turns a relative -f into an absolute path the frr
    // user may not walk (the lab state is root's alone), so the
    // configuration comes in on stdin, which hublab opens. Each daemon
    // reads the whole file and skips the other daemons' commands. No vty
    // on TCP (-P 0): its Unix sockets are enough.
    spec.args = {"-f", "/dev/stdin", "-i",           daemon + ".pid",
                 "-z", "zserv.api",  "--vty_socket", ".",
                 "-P", "0",          "--log",        "file:" + daemon + ".log"};
    spec.netns_fd = netns_fd;
    spec.work_dir = files.dir;
    spec.output_path = files.output();
    spec.input_path = files.config();
    specs.push_back(std::move(spec));
  }
  return specs;
}

}  // namespace hublab::frr
