// hublab verify: Network Watcher's IP flow verify ([IV] in
// docs/azure-rules.md) from the Azure model: is a packet of this direction,
// protocol, local and remote address and port allowed at the VM's NIC, and
// by which rule.

#include <iostream>
#include <nlohmann/json.hpp>

#include "orchestrator/cli/commands.h"
#include "orchestrator/cli/lab_target.h"
#include "orchestrator/lab/nsg.h"
#include "orchestrator/model/azure_model.h"

namespace hublab::cli {

namespace {

struct Endpoint {
  Ipv4 address;
  int port = 0;
};

Endpoint parse_endpoint(const std::string& option, const std::string& text, bool ports) {
  const size_t colon = text.find(':');
  auto address = Ipv4::parse(text.substr(0, colon));
  if (!address)
    throw CliError(kExitBadInput, option + ": '" + text + "' is not IP or IP:PORT (10.0.0.4:22)");
  Endpoint e{*address};
  if (colon == std::string::npos) {
    if (ports)
      throw CliError(kExitBadInput, option + ": '" + text + "' needs a port for tcp and udp");
    return e;
  }
  if (!ports) throw CliError(kExitBadInput, option + ": icmp has no ports; give the address alone");
  const std::string digits = text.substr(colon + 1);
  if (digits.empty() || digits.size() > 5 ||
      digits.find_first_not_of("0123456789") != std::string::npos || std::stoi(digits) > 65535 ||
      std::stoi(digits) == 0)
    throw CliError(kExitBadInput, option + ": '" + digits + "' is not a port (1 to 65535)");
  e.port = std::stoi(digits);
  return e;
}

std::string required(const Invocation& args, const std::string& option, const char* shape) {
  auto value = args.value(option);
  if (!value) throw CliError(kExitBadInput, "verify needs " + option + " " + shape);
  return *value;
}

int run_verify(const Invocation& args) {
  const std::string direction = required(args, "--direction", "in|out");
  const std::string protocol_name = required(args, "--protocol", "tcp|udp|icmp");
  const std::string local_text = required(args, "--local", "IP[:PORT]");
  const std::string remote_text = required(args, "--remote", "IP[:PORT]");
  LabTarget target = resolve_lab(args.operand(0), LabNeed::kAny);
  const Lab lab = model_view(target);
  const Vm* vm = lab.find_vm(args.operand(1));
  if (!vm)
    throw CliError(kExitBadInput, "lab '" + lab.name + "' has no VM '" + args.operand(1) + "'");
  const auto protocol = parse_protocol(protocol_name);
  const bool ports = *protocol != ProbeProtocol::kIcmp;
  const Endpoint local = parse_endpoint("--local", local_text, ports);
  const Endpoint remote = parse_endpoint("--remote", remote_text, ports);
  if (local.address != lab.vm_address(*vm))
    throw CliError(kExitBadInput, "--local: " + local.address.str() + " is not " + vm->name +
                                      "'s address (" + lab.vm_address(*vm).str() + ")");
  const bool inbound = direction == "in";
  const Flow flow = inbound
                        ? Flow{*protocol, remote.address, local.address, remote.port, local.port}
                        : Flow{*protocol, local.address, remote.address, local.port, remote.port};
  AzureModel model(lab);
  const NsgVerdict verdict = model.nsgs().at_nic(
      *vm, inbound ? SecurityRule::Direction::kInbound : SecurityRule::Direction::kOutbound, flow);
  const std::string access = verdict.allowed ? "Allow" : "Deny";
  // The rule that decided: the denying one, or the last NSG's allowing one.
  const NsgDecision* decided = verdict.decisions.empty() ? nullptr : &verdict.decisions.back();
  if (args.flag("--json")) {
    nlohmann::json out = {{"access", access}};
    if (decided) {
      out["ruleName"] = security_rule_id(*decided->rule);
      out["networkSecurityGroup"] = decided->nsg;
      out["association"] = decided->associated;
    }
    std::cout << out.dump(2) << "\n";
    return kExitOk;
  }
  std::cout << "Access: " << access << "\n";
  if (decided)
    std::cout << "Rule:   " << security_rule_id(*decided->rule) << " (" << decided->nsg << ", "
              << decided->associated << ")\n";
  else
    std::cout << "Rule:   none (" << vm->name << "'s subnet and NIC have no NSG)\n";
  if (verdict.decisions.size() > 1 && verdict.allowed)
    std::cout << "        after " << security_rule_id(*verdict.decisions.front().rule) << " ("
              << verdict.decisions.front().nsg << ", " << verdict.decisions.front().associated
              << ")\n";
  return kExitOk;
}

}  // namespace

const Command kVerify{
    .spec =
        {.name = "verify",
         .operands = {"NAME|FILE", "VM"},
         .options = {{.name = "--direction", .value = "DIR", .choices = {"in", "out"}},
                     {.name = "--protocol", .value = "PROTO", .choices = {"tcp", "udp", "icmp"}},
                     {.name = "--local", .value = "IP[:PORT]"},
                     {.name = "--remote", .value = "IP[:PORT]"},
                     {.name = "--json"}},
         .help = "IP flow verify, as Network Watcher's, from the Azure model: whether the VM's\n"
                 "NSGs allow a packet (--direction, --protocol, --local its address and\n"
                 "port, --remote the other end's), and the rule that decides"},
    .run = run_verify};

}  // namespace hublab::cli
