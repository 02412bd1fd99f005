#pragma once

// The model's network security groups: which rule decides a packet at a
// NIC, from the lab file and the control plane's routes alone (never from
// plan/nsg, so that the filters in the kernel and this can catch each
// other). MS Learn, "How network security groups filter network traffic":
// inbound, the subnet's NSG first, then the NIC's; outbound, the NIC's, then
// the subnet's; each NSG's rules by priority, the first match deciding;
// stateful, so a reply passes where its flow was allowed.

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/ipv4.h"
#include "base/probe_protocol.h"
#include "orchestrator/lab/lab.h"
#include "orchestrator/model/control_plane.h"

namespace hublab {

// What a packet is to an NSG: its protocol, addresses and ports.
struct Flow {
  ProbeProtocol protocol = ProbeProtocol::kIcmp;
  Ipv4 source, destination;
  // TCP and UDP; 0: an ephemeral port (Linux's 32768-60999), which a
  // rule's range matches only when it holds them all (a probe's source
  // port, a reply's destination port).
  int source_port = 0;
  int destination_port = 0;
  // The answer to a flow: its NICs let it pass, and any other NIC on its
  // way judges it as a packet of its own (Azure keeps a flow's state at
  // each NIC that saw it).
  bool reply = false;
  Flow answer() const {
    return {protocol, destination, source, destination_port, source_port, true};
  }
};

// One NSG's decision on a flow at a NIC.
struct NsgDecision {
  std::string nsg;
  std::string associated;  // "subnet spoke10/default" or "NIC of vm-spoke10"
  const SecurityRule* rule = nullptr;
};

// A NIC's verdict: allowed, or the decision that denied it; `decisions`
// every NSG it went through, in Azure's order.
struct NsgVerdict {
  bool allowed = true;
  std::vector<NsgDecision> decisions;
  std::string text() const;  // "denied by nsg-spoke10 rule deny-hubs (subnet spoke10/default)"
};

// A rule as it stands for one NIC: its tags and groups expanded ("*" is
// 0.0.0.0/0; a group without members, nothing).
struct ExpandedRule {
  const SecurityRule* rule = nullptr;
  std::vector<Prefix> sources, destinations;
};

class NsgModel {
 public:
  // Both must outlive it.
  NsgModel(const Lab& lab, const ControlPlane& control) : lab_(lab), control_(control) {}

  // The verdict at `vm`'s NIC on a flow arriving (inbound) or leaving
  // (outbound). Allowed when neither its subnet nor its NIC has an NSG.
  NsgVerdict at_nic(const Vm& vm, SecurityRule::Direction direction, const Flow& flow) const;
  // The VirtualNetwork service tag as it stands for the VM's NIC
  // ("Virtual network service tags"): its VNet's space, the prefixes its
  // routes reach by peering or by a gateway (on-premises spaces, VNets over
  // a gateway), every user route's prefix, and Azure's host address.
  std::vector<Prefix> virtual_network(const Vm& vm) const;
  // The NSGs that filter the VM's NIC, in inbound order: its subnet's, then
  // its NIC's (each with what it is associated with).
  std::vector<std::pair<const Nsg*, std::string>> nsgs_of(const Vm& vm) const;
  // A rule's sources and destinations as prefixes for the VM's NIC.
  ExpandedRule expand(const SecurityRule& rule, const Vm& vm) const;

 private:
  std::vector<Prefix> expand(const NsgEndpoint& endpoint, const Vm& vm) const;
  bool matches(const SecurityRule& rule, const Vm& vm, const Flow& flow) const;
  std::vector<Prefix> compute_virtual_network(const Vm& vm) const;

  const Lab& lab_;
  const ControlPlane& control_;
  // The tag by VNet and subnet, worked out once: every rule of every NIC
  // there asks for it.
  mutable std::mutex tags_mutex_;
  mutable std::map<std::pair<std::string, std::string>, std::vector<Prefix>> tags_;
};

}  // namespace hublab
