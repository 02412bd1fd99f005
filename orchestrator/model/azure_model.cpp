#include "orchestrator/model/azure_model.h"

namespace hublab {

AzureModel::AzureModel(const Lab& lab) : lab_(lab), control_(lab_), walk_(lab_, control_) {}

std::vector<EffectiveRoute> AzureModel::effective_routes(const Vm& vm) const {
  std::vector<EffectiveRoute> rows;
  for (const ControlPlane::SubnetRoute& r : control_.routes_of(vm.vnet, vm.subnet))
    rows.push_back(r.row);
  return rows;
}

PairPrediction AzureModel::pair(const Vm& from, const Vm& to) const {
  PairPrediction prediction;
  prediction.forward = path(from, lab_.vm_address(to));
  prediction.back = path(to, lab_.vm_address(from));
  prediction.reachable = prediction.forward.delivered && prediction.back.delivered;
  // Azure's fabric shows no hop; each appliance on the way there is one,
  // and each circuit's edge router (one that never answers).
  prediction.hops =
      prediction.reachable ? 1 + prediction.forward.appliances + prediction.forward.silent_hops : 0;
  return prediction;
}

}  // namespace hublab
