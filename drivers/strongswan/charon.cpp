#include "drivers/strongswan/charon.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/private_file.h"

namespace hublab::strongswan {

std::vector<std::vector<CharonPlugin>> required_charon_plugins() {
  return {
      {{"kdf", "libstrongswan"}},  // without it IKE fails: "KDF_PRF ... not supported"
      {{"random", "libstrongswan"}},
      {{"nonce", "libstrongswan"}},
      {{"aes", "libstrongswan"}},
      {{"sha1", "libstrongswan"}},
      {{"sha2", "libstrongswan"}},
      {{"hmac", "libstrongswan"}},
      {{"openssl", "libstrongswan-standard-plugins"}, {"gmp", "libstrongswan"}},
      {{"kernel-libipsec", "libcharon-extra-plugins"}},
      {{"kernel-netlink", "libstrongswan"}},
      {{"socket-default", "strongswan-libcharon"}},
      {{"vici", "strongswan-swanctl"}},
  };
}

std::string charon_plugin_path(const char* name) {
  return std::string(kPluginDir) + "/libstrongswan-" + name + ".so";
}

std::string charon_config() {
  // Paths are as charon sees them: its directory is its /run.
  return R"(# Written by hublab for one lab gateway.
charon {
  # kdf: without it IKE fails ("KDF_PRF ... not supported"); gmp after
  # openssl gives the MODP groups where the standard plugins are missing; no
  # updown, so charon forks no scripts that could outlive it.
  load = random nonce aes sha1 sha2 hmac gcm kdf pem pkcs1 x509 revocation constraints pubkey openssl gmp kernel-libipsec kernel-netlink socket-default vici
  install_routes = no
  install_virtual_ip = no
  # kernel-libipsec puts "default dev ipsec0" in table 220 whatever
  # install_routes says; behind main, the lab's own routes decide.
  routing_table_prio = 40000
  retransmit_tries = 3
  retransmit_timeout = 0.5
  retransmit_base = 1.4
  plugins {
    vici {
      socket = unix:///run/charon.vici
    }
    kernel-libipsec {
      # With yes and 0.0.0.0/0 selectors the ESP packets loop back into the
      # tunnel.
      allow_peer_ts = no
    }
  }
  filelog {
    gateway {
      path = /run/charon.log
      # Each line reaches the file at once: `hublab logs` and the failure
      # reasons up reads from it must not miss the lines still buffered.
      flush_line = yes
      time_format = %F %T
      default = 1
      ike = 2
      knl = 1
      cfg = 1
    }
  }
}
)";
}

DaemonSpec charon_daemon(const CharonFiles& files, int netns_fd) {
  write_private_file(files.config(), charon_config());
  DaemonSpec spec;
  spec.program = kCharonPath;
  spec.env = {"STRONGSWAN_CONF=/run/strongswan.conf"};
  spec.netns_fd = netns_fd;
  spec.run_dir = files.dir;
  spec.output_path = files.output();
  return spec;
}

}  // namespace hublab::strongswan
