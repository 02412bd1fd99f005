// hublab rules: a VM's effective security rules ([DF] in
// docs/azure-rules.md), as the Azure model has them: per NSG on its subnet
// and NIC, every rule with its tags and groups expanded; as a table, as
// JSON, or as `az network nic list-effective-nsg` prints them.

#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "orchestrator/cli/commands.h"
#include "orchestrator/cli/lab_target.h"
#include "orchestrator/lab/nsg.h"
#include "orchestrator/model/azure_model.h"

namespace hublab::cli {

namespace {

std::string ports_text(const std::vector<PortRange>& ranges) {
  std::string text;
  for (const PortRange& r : ranges)
    text += (text.empty() ? "" : ",") + std::to_string(r.first) + "-" + std::to_string(r.last);
  return text;
}

std::string endpoints_text(const std::vector<NsgEndpoint>& endpoints) {
  std::string text;
  for (const NsgEndpoint& e : endpoints)
    text += (text.empty() ? "" : ",") + (e.kind == NsgEndpoint::Kind::kAny      ? std::string("*")
                                         : e.kind == NsgEndpoint::Kind::kPrefix ? e.prefix.str()
                                                                                : e.name);
  return text;
}

nlohmann::json prefixes_json(const std::vector<Prefix>& prefixes) {
  nlohmann::json out = nlohmann::json::array();
  for (const Prefix& p : prefixes) out.push_back(p.str());
  return out;
}

// As az prints an effective rule: Azure's names, ports as "22-22", "All"
// for any protocol.
nlohmann::json az_rule(const SecurityRule& rule, const ExpandedRule& expanded) {
  std::vector<std::string> source_ports, destination_ports;
  for (const PortRange& r : rule.source_ports)
    source_ports.push_back(std::to_string(r.first) + "-" + std::to_string(r.last));
  for (const PortRange& r : rule.destination_ports)
    destination_ports.push_back(std::to_string(r.first) + "-" + std::to_string(r.last));
  const std::string protocol =
      rule.protocol == SecurityRule::Protocol::kAny ? "All" : nsg_protocol_name(rule.protocol);
  return {{"name", security_rule_id(rule)},
          {"protocol", protocol},
          {"sourcePortRange", source_ports.size() == 1 ? source_ports[0] : ""},
          {"destinationPortRange", destination_ports.size() == 1 ? destination_ports[0] : ""},
          {"sourcePortRanges", source_ports},
          {"destinationPortRanges", destination_ports},
          {"sourceAddressPrefix", endpoints_text(rule.sources)},
          {"destinationAddressPrefix", endpoints_text(rule.destinations)},
          {"expandedSourceAddressPrefix", prefixes_json(expanded.sources)},
          {"expandedDestinationAddressPrefix", prefixes_json(expanded.destinations)},
          {"access", rule.allow ? "Allow" : "Deny"},
          {"priority", rule.priority},
          {"direction", direction_name(rule.direction)}};
}

int run_rules(const Invocation& args) {
  LabTarget target = resolve_lab(args.operand(0), LabNeed::kAny);
  const Lab lab = model_view(target);
  const Vm* vm = lab.find_vm(args.operand(1));
  if (!vm)
    throw CliError(kExitBadInput, "lab '" + lab.name + "' has no VM '" + args.operand(1) + "'");
  AzureModel model(lab);
  const auto nsgs = model.nsgs().nsgs_of(*vm);
  const std::string format = args.value("--format").value_or("table");
  if (format == "az" || format == "json") {
    nlohmann::json value = nlohmann::json::array();
    for (const auto& [nsg, associated] : nsgs) {
      nlohmann::json rules = nlohmann::json::array();
      for (const SecurityRule& rule : nsg->rules)
        rules.push_back(az_rule(rule, model.nsgs().expand(rule, *vm)));
      const bool on_subnet = associated.rfind("subnet ", 0) == 0;
      nlohmann::json association =
          on_subnet ? nlohmann::json{{"subnet", {{"id", vm->vnet + "/subnets/" + vm->subnet}}}}
                    : nlohmann::json{{"networkInterface", {{"id", vm->name + "-nic"}}}};
      value.push_back({{"networkSecurityGroup", {{"id", nsg->name}}},
                       {"association", association},
                       {"effectiveSecurityRules", rules}});
    }
    std::cout << (format == "az"
                      ? nlohmann::json{{"value", value}}
                      : nlohmann::json{{"lab", lab.name}, {"vm", vm->name}, {"nsgs", value}})
                     .dump(2)
              << "\n";
    return kExitOk;
  }
  if (nsgs.empty()) {
    std::cout << vm->name << ": no NSG on its subnet (" << vm->vnet << "/" << vm->subnet
              << ") or its NIC; every packet passes\n";
    return kExitOk;
  }
  for (const auto& [nsg, associated] : nsgs) {
    std::cout << nsg->name << " (" << associated << ")\n";
    std::ostringstream rows;
    rows << "  PRIORITY  DIRECTION  ACCESS  PROTOCOL  SOURCE -> DESTINATION (PORTS)  NAME\n";
    for (const SecurityRule& rule : nsg->rules) {
      const ExpandedRule expanded = model.nsgs().expand(rule, *vm);
      std::string source = endpoints_text(rule.sources),
                  destination = endpoints_text(rule.destinations);
      auto expansion = [](const std::vector<NsgEndpoint>& endpoints,
                          const std::vector<Prefix>& all) {
        if (endpoints.size() == 1 && endpoints[0].kind != NsgEndpoint::Kind::kServiceTag &&
            endpoints[0].kind != NsgEndpoint::Kind::kApplicationSecurityGroup)
          return std::string();
        std::string text;
        for (const Prefix& p : all) text += (text.empty() ? "" : " ") + p.str();
        return all.size() > 8 ? " [" + std::to_string(all.size()) + " prefixes]"
                              : " [" + text + "]";
      };
      source += expansion(rule.sources, expanded.sources);
      destination += expansion(rule.destinations, expanded.destinations);
      char head[64];
      std::snprintf(head, sizeof head, "  %-8d  %-9s  %-6s  %-8s  ", rule.priority,
                    direction_name(rule.direction), rule.allow ? "Allow" : "Deny",
                    nsg_protocol_name(rule.protocol));
      rows << head << source << ":" << ports_text(rule.source_ports) << " -> " << destination << ":"
           << ports_text(rule.destination_ports) << "  " << security_rule_id(rule) << "\n";
    }
    std::cout << rows.str();
  }
  return kExitOk;
}

}  // namespace

const Command kRules{
    .spec =
        {.name = "rules",
         .operands = {"NAME|FILE", "VM"},
         .options = {{.name = "--format", .value = "FORMAT", .choices = {"table", "json", "az"}}},
         .help = "a VM's effective security rules from the Azure model: each NSG on its\n"
                 "subnet and NIC, in Azure's order, tags and groups expanded; --format az\n"
                 "as `az network nic list-effective-nsg` prints them"},
    .run = run_rules};

}  // namespace hublab::cli
