// hublab verify: Network Watcher's IP flow verify ([IV] in
// docs/azure-rules.md): is a packet of this direction, protocol, local and
// remote address and port allowed at the VM's NIC, and by which rule. The
// Azure model answers always; a running lab (asked by name) answers too,
// from a real packet traced through its filters, and the two must agree.

#include <iostream>
#include <nlohmann/json.hpp>

#include "orchestrator/cli/commands.h"
#include "orchestrator/cli/lab_target.h"
#include "orchestrator/cli/privileges.h"
#include "orchestrator/lab/nsg.h"
#include "orchestrator/model/azure_model.h"
#include "orchestrator/observe/nsg.h"

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

const char* access_of(bool allowed) {
  return allowed ? "Allow" : "Deny";
}

// "securityRules/deny-8080 (nsg-nic-b, NIC of vm-b)"
std::string decision_text(const SecurityRule& rule, const std::string& nsg,
                          const std::string& association) {
  return security_rule_id(rule) + " (" + nsg + ", " + association + ")";
}

bool same_decision(const NsgDecision* model, const LiveNsgDecision* live) {
  if (!model || !live) return !model && !live;
  return live->rule && model->nsg == live->nsg && model->rule->name == live->rule->name &&
         model->associated == live->association;
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
  // A running lab is asked as check asks it: never while a fault changes it.
  if (target.state)
    target = hold_lab("verify", target, LabState::Access::kCheck, LabNeed::kPresent);
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
  // The rule that decided: the denying one, or the last NSG's allowing one.
  const NsgDecision* decided = verdict.decisions.empty() ? nullptr : &verdict.decisions.back();
  std::optional<LiveNsgVerdict> live;
  if (target.state) {
    require_network_admin();
    live = verify_live(*target.state, lab, *vm,
                       {.protocol = *protocol,
                        .inbound = inbound,
                        .local = local.address,
                        .remote = remote.address,
                        .local_port = local.port,
                        .remote_port = remote.port});
  }
  const LiveNsgDecision* live_decided =
      live && !live->decisions.empty() ? &live->decisions.back() : nullptr;
  // Agreement: the same access by the same rule of the same NSG.
  const bool agree = !live || (live->allowed == verdict.allowed &&
                               (live->established || same_decision(decided, live_decided)));
  if (args.flag("--json")) {
    nlohmann::json out = {{"access", access_of(verdict.allowed)}};
    if (decided) {
      out["ruleName"] = security_rule_id(*decided->rule);
      out["networkSecurityGroup"] = decided->nsg;
      out["association"] = decided->associated;
    }
    if (live) {
      nlohmann::json l = {{"access", access_of(live->allowed)}, {"established", live->established}};
      if (live_decided) {
        l["ruleName"] = security_rule_id(*live_decided->rule);
        l["networkSecurityGroup"] = live_decided->nsg;
        l["association"] = live_decided->association;
      }
      out["live"] = l;
      out["agree"] = agree;
    }
    std::cout << out.dump(2) << "\n";
    return agree ? kExitOk : kExitFailure;
  }
  std::cout << "Access: " << access_of(verdict.allowed) << "\n";
  if (decided)
    std::cout << "Rule:   " << decision_text(*decided->rule, decided->nsg, decided->associated)
              << "\n";
  else
    std::cout << "Rule:   none (" << vm->name << "'s subnet and NIC have no NSG)\n";
  if (verdict.decisions.size() > 1 && verdict.allowed)
    std::cout << "        after "
              << decision_text(*verdict.decisions.front().rule, verdict.decisions.front().nsg,
                               verdict.decisions.front().associated)
              << "\n";
  if (live) {
    std::cout << "Live:   " << access_of(live->allowed);
    if (live->established)
      std::cout << ", as a flow already established (passes without the rules)";
    else if (live_decided)
      std::cout << " by "
                << decision_text(*live_decided->rule, live_decided->nsg, live_decided->association);
    else
      std::cout << ", no filter on " << vm->name << "'s port";
    std::cout << ": a packet traced through " << vm->vnet << "'s filters\n";
    if (!agree) std::cout << "The model and the running lab disagree.\n";
  }
  return agree ? kExitOk : kExitFailure;
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
         .help = "IP flow verify, as Network Watcher's: whether the VM's NSGs allow a packet\n"
                 "(--direction, --protocol, --local its address and port, --remote the other\n"
                 "end's), and the rule that decides. From the Azure model; for a running lab\n"
                 "(by NAME) also from a real packet traced through its filters (exit 1 when\n"
                 "the two disagree)"},
    .run = run_verify};

}  // namespace hublab::cli
