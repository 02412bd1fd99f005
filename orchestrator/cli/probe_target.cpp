#include "orchestrator/cli/probe_target.h"

#include <iostream>

#include "orchestrator/cli/commands.h"
#include "orchestrator/cli/lab_input.h"
#include "orchestrator/cli/privileges.h"
#include "orchestrator/lab_state.h"
#include "orchestrator/naming.h"

namespace hublab::cli {

std::optional<ProbeTarget> probe_target(const char* command, const std::vector<std::string>& args,
                                        int* exit_code) {
  auto usage = [&] {
    std::cerr << "usage: hublab " << command
              << " NAME VM DEST [-P icmp|udp|tcp] [-p PORT] [-c COUNT] [-w TIMEOUT_MS]\n"
                 "  DEST: a VM of the lab or an IPv4 address\n";
    *exit_code = kExitBadInput;
    return std::nullopt;
  };
  std::vector<std::string> positional;
  ProbeTarget target;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    bool has_value = i + 1 < args.size();
    if (a == "-P" && has_value) {
      std::string p = args[++i];
      if (p == "icmp")
        target.request.protocol = probe::Protocol::kIcmp;
      else if (p == "udp")
        target.request.protocol = probe::Protocol::kUdp;
      else if (p == "tcp")
        target.request.protocol = probe::Protocol::kTcp;
      else
        return usage();
    } else if (a == "-p" && has_value) {
      int port = std::atoi(args[++i].c_str());
      if (port < 1 || port > 65535) return usage();
      target.request.port = static_cast<uint16_t>(port);
    } else if (a == "-c" && has_value) {
      target.count = std::atoi(args[++i].c_str());
      if (target.count < 1) return usage();
    } else if (a == "-w" && has_value) {
      int ms = std::atoi(args[++i].c_str());
      if (ms < 1) return usage();
      target.request.timeout = std::chrono::milliseconds(ms);
    } else if (!a.empty() && a[0] != '-') {
      positional.push_back(a);
    } else {
      return usage();
    }
  }
  if (positional.size() != 3) return usage();
  if (!require_network_admin(command)) {
    *exit_code = kExitFailure;
    return std::nullopt;
  }
  const std::string &name = positional[0], &vm = positional[1], &dest = positional[2];
  auto state = LabState::peek(name);
  if (!state || !state->ready()) {
    std::cerr << "hublab " << command << ": lab '" << name << "' is not up\n";
    *exit_code = kExitBadInput;
    return std::nullopt;
  }
  target.lab = running_lab(*state);
  if (!target.lab.find_vm(vm)) {
    std::cerr << "hublab " << command << ": lab '" << name << "' has no VM '" << vm << "'\n";
    *exit_code = kExitBadInput;
    return std::nullopt;
  }
  if (const Vm* to = target.lab.find_vm(dest)) {
    target.request.destination = target.lab.vm_address(*to);
    target.destination_label = target.request.destination.str() + " (" + dest + ")";
  } else if (auto address = Ipv4::parse(dest)) {
    target.request.destination = *address;
    target.destination_label = dest;
  } else {
    std::cerr << "hublab " << command << ": '" << dest
              << "' is neither a VM of the lab nor an IPv4 address\n";
    *exit_code = kExitBadInput;
    return std::nullopt;
  }
  target.source.emplace(NetworkNamespace::open(naming::namespace_name(name, vm)));
  target.request.netns_fd = target.source->fd();
  return target;
}

}  // namespace hublab::cli
