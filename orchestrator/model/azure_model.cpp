#include "orchestrator/model/azure_model.h"

namespace hublab {

AzureModel::AzureModel(const Lab& lab) : lab_(lab), control_(lab_), walk_(lab_, control_) {}

std::vector<EffectiveRoute> AzureModel::effective_routes(const Vm& vm) const {
  std::vector<EffectiveRoute> rows;
  for (const ControlPlane::SubnetRoute& r : control_.routes_of(vm.vnet, vm.subnet))
    rows.push_back(r.row);
  return rows;
}

PairPrediction AzureModel::pair(const Vm& from, const Vm& to, ProbeProtocol protocol,
                                int port) const {
  PairPrediction prediction;
  prediction.forward =
      path(from, lab_.vm_address(to), Flow{.protocol = protocol, .destination_port = port});
  // The answer: stateful at the NICs the probe went through; any other on
  // its way back (an NVA the probe did not cross) judges it anew.
  const Flow probe = prediction.forward.flow.value_or(Flow{});
  prediction.back = walk_.path(to, lab_.vm_address(from), probe.answer(), prediction.forward.nics);
  prediction.reachable = prediction.forward.delivered && prediction.back.delivered;
  // Azure's fabric shows no hop; each appliance on the way there is one,
  // and each circuit's edge router (one that never answers).
  prediction.hops =
      prediction.reachable ? 1 + prediction.forward.appliances + prediction.forward.silent_hops : 0;
  return prediction;
}

}  // namespace hublab
