#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "orchestrator/cli/commands.h"
#include "orchestrator/cli/lab_target.h"
#include "orchestrator/model/azure_model.h"
#include "orchestrator/observe/route_table.h"

namespace hublab::cli {

namespace {

nlohmann::json path_json(const PathPrediction& path) {
  nlohmann::json steps = nlohmann::json::array();
  for (const ModelStep& step : path.steps)
    steps.push_back({{"where", step.where}, {"route", step.route}});
  return {{"delivered", path.delivered}, {"steps", steps}, {"outcome", path.outcome}};
}

// The whole matrix as the model predicts it, from the lab file alone.
int run_predict(const Invocation& args) {
  LabTarget target = resolve_lab(args.operand(0), LabNeed::kAny);
  const Lab& lab = *target.lab;
  AzureModel model(lab);
  const bool json = args.flag("--json");
  if (auto vm_name = args.value("--routes")) {
    const Vm* vm = lab.find_vm(*vm_name);
    if (!vm) throw CliError(kExitBadInput, "lab '" + lab.name + "' has no VM '" + *vm_name + "'");
    std::vector<EffectiveRoute> rows = model.effective_routes(*vm);
    std::cout << (json ? route_table_json(lab, *vm, rows)
                       : route_table_text(lab, *vm, rows, ", predicted by the Azure model"));
    return kExitOk;
  }
  nlohmann::json pairs = nlohmann::json::array();
  std::ostringstream matrix, reasons;
  size_t width = 4;
  for (const Vm& vm : lab.vms) width = std::max(width, vm.name.size() + 2);
  auto pad = [&](const std::string& text) { return text + std::string(width - text.size(), ' '); };
  matrix
      << "predicted reachability of " << lab.name
      << " (row: from, column: to; R reachable in 1 hop, Rn in n (each NVA on the way is one), . "
         "unreachable)\n"
      << pad("");
  for (const Vm& to : lab.vms) matrix << pad(to.name);
  matrix << "\n";
  for (const Vm& from : lab.vms) {
    matrix << pad(from.name);
    for (const Vm& to : lab.vms) {
      if (&from == &to) {
        matrix << pad("-");
        continue;
      }
      PairPrediction p = model.pair(from, to);
      matrix << pad(!p.reachable ? "." : p.hops == 1 ? "R" : "R" + std::to_string(p.hops));
      if (!p.reachable)
        reasons << "  " << from.name << " -> " << to.name << ": "
                << (p.forward.delivered ? "back: " + p.back.outcome : p.forward.outcome) << "\n";
      pairs.push_back({{"from", from.name},
                       {"to", to.name},
                       {"reachable", p.reachable},
                       {"hops", p.hops},
                       {"forward", path_json(p.forward)},
                       {"back", path_json(p.back)}});
    }
    matrix << "\n";
  }
  if (json)
    std::cout << nlohmann::json({{"lab", lab.name}, {"pairs", pairs}}).dump(2) << "\n";
  else
    std::cout << matrix.str() << (reasons.str().empty() ? "" : "\nwhy not:\n" + reasons.str());
  return kExitOk;
}

}  // namespace

const Command kPredict{
    .spec = {.name = "predict",
             .operands = {"FILE"},
             .options = {{.name = "--json"}, {.name = "--routes", .value = "VM"}},
             .help = "what Azure would do with the lab, from the file alone: the reachability\n"
                     "matrix with the reason for each drop, or a VM's effective routes"},
    .run = run_predict};

}  // namespace hublab::cli
