#include <iostream>

#include "base/regular_file.h"
#include "orchestrator/cli/commands.h"
#include "orchestrator/cli/lab_target.h"
#include "orchestrator/cli/privileges.h"
#include "orchestrator/model/azure_model.h"
#include "orchestrator/observe/effective_routes.h"
#include "orchestrator/observe/route_compare.h"
#include "orchestrator/observe/route_table.h"
#include "orchestrator/plan/plan_record.h"

namespace hublab::cli {

namespace {

// "Propagate gateway routes" of the VM's subnet's route table (on without one).
bool propagates_gateway_routes(const Lab& lab, const Vm& vm) {
  const Subnet* subnet = lab.find_vnet(vm.vnet)->find_subnet(vm.subnet);
  const RouteTable* table = subnet ? lab.route_table_of(*subnet) : nullptr;
  return !table || table->bgp_route_propagation;
}

// A file of az's JSON: a regular file, and not a huge one.
std::string read_compare_file(const std::string& path) {
  auto read = read_regular_file(path, size_t{16} << 20);
  if (auto* refused = std::get_if<FileRefusal>(&read))
    throw CliError(kExitBadInput, "--compare: " + path + ": " + refusal_reason(*refused));
  return std::move(std::get<std::string>(read));
}

// The effective routes of a VM's NIC: read from the running lab, or with
// --model predicted from the lab file alone (no lab up, no root needed).
int run_routes(const Invocation& args) {
  const bool model = args.flag("--model");
  if (!model) require_network_admin();
  LabTarget target = resolve_lab(args.operand(0), model ? LabNeed::kAny : LabNeed::kReady);
  const Lab& lab = *target.lab;
  const Vm* vm = lab.find_vm(args.operand(1));
  if (!vm)
    throw CliError(kExitBadInput, "lab '" + lab.name + "' has no VM '" + args.operand(1) + "'");
  if (lab.find_vnet(vm->vnet)->on_premises)
    throw CliError(kExitBadInput, "VM '" + vm->name + "' is in on-premises site '" + vm->vnet +
                                      "': Azure shows effective routes for its own NICs only "
                                      "(hublab exec " +
                                      lab.name + " " + vm->vnet + " -- ip route shows the site's)");
  std::vector<EffectiveRoute> rows =
      model ? AzureModel(model_view(target)).effective_routes(*vm)
            : read_effective_routes(
                  *target.state, lab,
                  read_plan_record(target.state->plan_record(), kStaticGatewayRoutesPart), *vm);
  if (auto file = args.value("--compare")) {
    std::vector<EffectiveRoute> azure;
    try {
      azure = read_az_effective_routes(read_compare_file(*file), *file);
    } catch (const std::runtime_error& error) {
      if (dynamic_cast<const CliError*>(&error)) throw;
      throw CliError(kExitBadInput, std::string("--compare: ") + error.what());
    }
    const RouteComparison comparison = compare_routes(azure, rows);
    if (args.flag("--json") || args.value("--format") == "json")
      std::cout << comparison_json(comparison, vm->name, *file);
    else
      std::cout << comparison_text(comparison, vm->name, *file, model ? "the model" : "the lab");
    return comparison.differences.empty() ? kExitOk : kExitFailure;
  }
  std::string format = args.value("--format").value_or(args.flag("--json") ? "json" : "table");
  if (format == "json")
    std::cout << route_table_json(lab, *vm, rows);
  else if (format == "az")
    std::cout << route_table_az(rows, !propagates_gateway_routes(lab, *vm));
  else
    std::cout << route_table_text(lab, *vm, rows, model ? ", predicted by the Azure model" : "");
  return kExitOk;
}

}  // namespace

const Command kRoutes{
    .spec = {.name = "routes",
             .operands = {"NAME|FILE", "VM"},
             .options = {{.name = "--model", .help = "predicted from the lab file"},
                         {.name = "--format", .choices = {"table", "json", "az"}},
                         {.name = "--json"},
                         {.name = "--compare",
                          .value = "FILE",
                          .help = "held row by row against az's show-effective-route-table"}},
             .help = "effective routes of a VM's NIC, as Azure shows them (--model: as the\n"
                     "model predicts them from the file; --format az: az's JSON shape;\n"
                     "--compare FILE: what differs from a real deployment's, exit 1 if any)"},
    .run = run_routes};

}  // namespace hublab::cli
