#include "orchestrator/cli/probe_target.h"

#include "orchestrator/cli/lab_target.h"
#include "orchestrator/cli/privileges.h"
#include "orchestrator/lab/naming.h"

namespace hublab::cli {

std::vector<OptionSpec> probe_options(bool trace) {
  std::vector<OptionSpec> options = {
      {.name = "-w", .value = "TIMEOUT_MS", .number = true, .max = 60000}};
  if (trace) {
    options.push_back({.name = "-P", .choices = protocol_names()});
    options.push_back({.name = "-p", .value = "PORT", .number = true, .max = 65535});
  }
  return options;
}

ProbeTarget probe_target(const Invocation& args) {
  require_network_admin();
  LabTarget lab = resolve_lab(args.operand(0), LabNeed::kReady);
  const std::string &vm = args.operand(1), &dest = args.operand(2);
  ProbeTarget target;
  target.lab = std::move(*lab.lab);
  if (!target.lab.find_vm(vm))
    throw CliError(kExitBadInput, "lab '" + lab.name + "' has no VM '" + vm + "'");
  if (auto protocol = args.value("-P")) target.request.protocol = *parse_protocol(*protocol);
  if (args.value("-p")) target.request.port = static_cast<uint16_t>(args.number("-p", 0));
  if (args.value("-w")) target.request.timeout = std::chrono::milliseconds(args.number("-w", 0));
  if (const Vm* to = target.lab.find_vm(dest)) {
    target.request.destination = target.lab.vm_address(*to);
    target.destination_label = target.request.destination.str() + " (" + dest + ")";
  } else if (auto address = Ipv4::parse(dest)) {
    target.request.destination = *address;
    target.destination_label = dest;
  } else {
    throw CliError(kExitBadInput, "'" + dest + "' is neither a VM of the lab nor an IPv4 address");
  }
  target.source.emplace(NetworkNamespace::open(naming::namespace_name(lab.name, vm)));
  target.request.netns_fd = target.source->fd();
  return target;
}

}  // namespace hublab::cli
