#pragma once

// The lab model: what a lab file describes, in Azure's terms, after parsing
// and before any planning. Every element keeps where it was written so that
// the validator can point at it.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/ipv4.h"
#include "base/probe_protocol.h"
#include "orchestrator/lab/source_location.h"

namespace hublab {

// Subnet names Azure reserves: a VPN gateway's, and Bastion's (no VMs).
constexpr const char* kGatewaySubnet = "GatewaySubnet";
constexpr const char* kBastionSubnet = "AzureBastionSubnet";
// A Route Server's subnet: its two instances and nothing else.
constexpr const char* kRouteServerSubnet = "RouteServerSubnet";

struct Subnet {
  std::string name;
  Prefix prefix;
  SourceLocation where;
  std::string route_table;  // the associated route table, if any
  SourceLocation route_table_where;
  std::string nsg;  // the associated network security group, if any
  SourceLocation nsg_where;
};

// A user-defined route ("Virtual network traffic routing": custom routes).
struct UserRoute {
  enum class NextHop { kVirtualAppliance, kVirtualNetworkGateway, kVnetLocal, kInternet, kNone };
  std::string name;
  Prefix prefix;
  NextHop next_hop = NextHop::kNone;
  std::optional<Ipv4> next_hop_ip;  // exactly for kVirtualAppliance
  SourceLocation where, prefix_where, next_hop_where, next_hop_ip_where;
};

// Azure's names for next hop types, in route tables ("VirtualAppliance")
// and in effective routes ("Virtual appliance").
const char* next_hop_type_name(UserRoute::NextHop hop);
const char* next_hop_display_name(UserRoute::NextHop hop);
std::optional<UserRoute::NextHop> parse_next_hop_type(const std::string& text);

struct RouteTable {
  std::string name;
  std::vector<UserRoute> routes;
  // "Propagate gateway routes": off, the subnets get no route from the
  // gateway (neither BGP-learned nor local network gateway prefixes).
  bool bgp_route_propagation = true;
  SourceLocation where, propagation_where;
};

// One source or destination of a security rule ("Network security groups":
// security rules): any address, a prefix, a service tag, or an application
// security group.
struct NsgEndpoint {
  enum class Kind { kAny, kPrefix, kServiceTag, kApplicationSecurityGroup };
  Kind kind = Kind::kAny;
  Prefix prefix;     // kPrefix
  std::string name;  // kServiceTag (as Azure spells it) or kApplicationSecurityGroup
  SourceLocation where;
};

// A port range of a security rule: "*" is 0-65535, "22" is 22-22.
struct PortRange {
  int first = 0;
  int last = 65535;
  bool any() const { return first == 0 && last == 65535; }
};

struct SecurityRule {
  enum class Direction { kInbound, kOutbound };
  // Azure's protocols: Tcp, Udp, Icmp, Esp, Ah, or * (any).
  enum class Protocol { kAny, kTcp, kUdp, kIcmp, kEsp, kAh };
  std::string name;
  int priority = 0;  // 100-4096 for a user's rule; lower first, the first match decides
  Direction direction = Direction::kInbound;
  bool allow = true;
  Protocol protocol = Protocol::kAny;
  std::vector<NsgEndpoint> sources, destinations;
  std::vector<PortRange> source_ports, destination_ports;
  bool is_default = false;  // one of the six rules every NSG has
  SourceLocation where, priority_where, direction_where, protocol_where;
  SourceLocation source_ports_where, destination_ports_where;
};

const char* direction_name(SecurityRule::Direction direction);   // "Inbound", "Outbound"
const char* nsg_protocol_name(SecurityRule::Protocol protocol);  // "Tcp", ..., "*"

// A network security group ([nsg.NAME]), associated with subnets and NICs:
// the user's rules, then Azure's six default rules (lab/nsg adds them).
struct Nsg {
  std::string name;
  std::vector<SecurityRule> rules;  // in priority order, the default rules last
  SourceLocation where;
};

// An application security group ([asg.NAME]): VMs' NICs name it, rules
// match its members' addresses.
struct ApplicationSecurityGroup {
  std::string name;
  SourceLocation where;
};

// A VNet, or an on-premises site's network (`[site.NAME]`): its router then
// follows no Azure rule, and its VPN device is a Gateway of the same name.
struct Vnet {
  std::string name;
  bool on_premises = false;
  std::vector<Prefix> address_space;
  std::vector<SourceLocation> address_space_where;
  std::vector<Subnet> subnets;
  SourceLocation where;

  const Subnet* find_subnet(const std::string& subnet_name) const;
};

// An NVA's BGP peer over an overlay: the far end's overlay address, its ASN.
struct NvaPeer {
  Ipv4 peer_ip;
  uint32_t peer_asn = 0;
  SourceLocation where, peer_ip_where, peer_asn_where;
};

// A VM that speaks BGP (an NVA running FRRouting): what it is and says.
struct VmBgp {
  uint32_t asn = 0;
  // What it advertises: with hublab's own FRR config, its `network`
  // statements; with the user's, what the lab expects it to advertise.
  std::vector<Prefix> advertise;
  std::vector<SourceLocation> advertise_where;
  // The user's own frr.conf (the path as written, relative to the lab
  // file's folder); empty: hublab writes one.
  std::string frr_config;
  // BGP with other NVAs over a VXLAN overlay ([[vxlan]], lab/vxlan): each
  // peer an overlay address of the far end (MS Learn's multi-region Route
  // Server design).
  std::vector<NvaPeer> peers;
  // `neighbor <Route Server> as-override`: 65515 in what it passes to its
  // Route Server replaced by its own ASN, or the Route Server drops it.
  bool as_override = false;
  SourceLocation where, asn_where, frr_config_where, as_override_where;
};

struct Vm {
  std::string name;
  std::string vnet;
  std::string subnet;
  std::optional<Ipv4> address;  // unset: the subnet's first usable address
  // Azure's NIC setting: without it, Azure drops packets the VM forwards
  // (an NVA needs it, and its OS must forward too).
  bool ip_forwarding = false;
  std::optional<VmBgp> bgp;
  // Set by a fault (lab/faults): its routing daemon is stopped.
  bool bgp_down = false;
  // Its NIC's network security group and application security groups.
  std::string nsg;
  std::vector<std::string> application_security_groups;
  SourceLocation nsg_where;
  std::vector<SourceLocation> application_security_groups_where;
  SourceLocation where;
  SourceLocation vnet_where, subnet_where, address_where;
};

// One of a Route Server's BGP peers (Azure's bgpConnections): an NVA.
struct BgpConnection {
  std::string name;
  Ipv4 peer_ip;
  uint32_t peer_asn = 0;
  SourceLocation where, peer_ip_where, peer_asn_where;
};

// Azure Route Server ([route_server.NAME]): two instances in its VNet's
// RouteServerSubnet, ASN 65515, peering NVAs over eBGP multihop and
// programming what they advertise into the VNets it serves (lab/route_server).
struct RouteServer {
  std::string name;
  std::string vnet;
  // "Branch-to-branch": routes exchanged with the VNet's gateways too.
  bool branch_to_branch = false;
  std::vector<BgpConnection> bgp_connections;
  // Set by a fault (lab/faults): instance 0 or 1 down.
  bool instance_down[2] = {false, false};
  SourceLocation where, vnet_where, branch_to_branch_where;
};

// A VXLAN overlay between two VMs ([[vxlan]]): the encapsulation MS
// Learn's multi-region Route Server design puts between the hubs' NVAs.
struct VxlanEnd {
  std::string vm;
  Ipv4 address;  // on the overlay
  int prefix_length = 0;
  SourceLocation where;
};

struct Vxlan {
  uint32_t vni = 0;
  VxlanEnd ends[2];
  size_t index = 0;  // its place among the file's [[vxlan]] tables
  SourceLocation where, vni_where;
};

// One side of a peering: Azure keeps a peering resource in each VNet, each
// with its own flags.
struct PeeringSide {
  std::string vnet;
  bool allow_virtual_network_access = true;
  bool allow_forwarded_traffic = false;
  bool allow_gateway_transit = false;
  bool use_remote_gateways = false;
  SourceLocation where;
  SourceLocation use_remote_gateways_where;
};

struct Peering {
  PeeringSide sides[2];
  SourceLocation where;
};

// A VPN gateway, or an on-premises site's VPN device (on_premises: named
// after its site, whose router it is; Azure's side of it is the local
// network gateway).
struct Gateway {
  // Azure's gateway types: a VPN gateway (IPsec tunnels), or an ExpressRoute
  // gateway (BGP to a circuit's two Microsoft edge routers; lab/expressroute).
  enum class Type { kVpn, kExpressRoute };
  std::string name;
  std::string vnet;
  Type type = Type::kVpn;
  bool on_premises = false;
  // Active-active: two instances, each with its own public IP, BGP peer IP
  // and tunnels. The loader adds instance 1 as a Gateway of its own, named
  // "NAME.1" (naming::gateway_instance), with `instance_of` = NAME; the
  // gateway itself is instance 0.
  bool active_active = false;
  std::string instance_of;  // for instance 1: its gateway
  int instance = 0;
  uint32_t asn = 65515;  // Azure's default; 0 for a site that names none
  std::optional<Ipv4> bgp_peer_ip;
  std::optional<Ipv4> public_ip;
  SourceLocation where;
  // An ExpressRoute gateway's "Allow traffic from remote virtual networks":
  // off (Azure's default), it refuses what its circuits offer of other VNets.
  bool allow_remote_vnet_traffic = false;
  SourceLocation vnet_where, asn_where, bgp_peer_ip_where, public_ip_where, type_where,
      allow_remote_vnet_traffic_where;
  bool expressroute() const { return type == Type::kExpressRoute; }
};

// Where a secret comes from (a connection's pre-shared key, a circuit's
// authorization key). The key itself is read only when the lab comes up,
// never stored in the model.
struct SharedKeySource {
  enum class Kind { kGenerated, kInline, kFile, kEnv };
  Kind kind = Kind::kGenerated;
  std::string value;  // the key (kInline), a path (kFile) or a variable (kEnv)
  SourceLocation where;
};

// An authorization on a circuit: a key that lets one connection from
// another subscription join it ("Connect a virtual network to an
// ExpressRoute circuit": each authorization is redeemed once).
struct CircuitAuthorization {
  std::string name;
  SharedKeySource key;
  SourceLocation where;
};

// An ExpressRoute circuit's private peering ([circuit.NAME]): Microsoft's
// two edge routers (MSEE, AS 12076), each joined to the customer edge over
// its own /30 (the primary and the secondary link) on one VLAN.
struct Circuit {
  std::string name;
  std::string bandwidth;  // as Azure names it ("1 Gbps"): shown, not enforced
  uint32_t peer_asn = 0;  // the customer edge's ASN
  int vlan = 0;
  Prefix primary_subnet, secondary_subnet;
  int latency_ms = 0;  // one-way delay on each edge link (netem), 0 for none
  std::vector<CircuitAuthorization> authorizations;
  // Set by a fault (lab/faults): the primary [0] or secondary [1] link down.
  bool link_down[2] = {false, false};
  SourceLocation where;
  SourceLocation peer_asn_where, vlan_where, primary_where, secondary_where, latency_where;
};

// An ExpressRoute gateway's connection to a circuit ([connection.NAME] with
// `circuit`): the gateway peers with both of the circuit's edge routers.
struct CircuitConnection {
  std::string name;
  std::string gateway;
  std::string circuit;
  // "Routing weight": of the circuits that offer a VNet the same prefix,
  // the connection of the highest weight wins.
  int routing_weight = 0;
  // Redeems one of the circuit's authorizations (a gateway in another
  // subscription); none for a gateway in the circuit's own.
  std::optional<SharedKeySource> authorization_key;
  // Set by a fault (lab/faults): its gateway is stopped, so it carries
  // nothing. Kept in place: the links are numbered by the connection's index.
  bool held_down = false;
  SourceLocation where, gateway_where, circuit_where, routing_weight_where;
};

struct IpsecPolicy {
  std::vector<std::string> ike_proposals;
  std::vector<std::string> esp_proposals;
  SourceLocation where;
};

// Azure keeps a connection resource on each gateway, each with its own key
// and policy; a side's own settings override the connection's, which is how
// a lab reproduces a mismatch.
struct ConnectionSide {
  std::optional<SharedKeySource> shared_key;
  std::optional<IpsecPolicy> ipsec_policy;
  // The address this side dials for the other gateway (Azure: the local
  // network gateway's IP); by default the other gateway's public IP.
  std::optional<Ipv4> peer_ip;
};

struct Connection {
  std::string name;
  std::string gateways[2];
  // For a tunnel between instances of active-active gateways: the
  // connection the lab file names (this one is added by the loader).
  std::string tunnel_of;
  // Set by a fault (lab/faults) on a connection without BGP: its static
  // routes stay configured, but it carries nothing.
  bool held_down = false;
  SourceLocation gateways_where;
  bool enable_bgp = false;
  SharedKeySource shared_key;
  std::optional<IpsecPolicy> ipsec_policy;
  ConnectionSide sides[2];
  SourceLocation where;

  const SharedKeySource& shared_key_of(int side) const {
    return sides[side].shared_key ? *sides[side].shared_key : shared_key;
  }
  const std::optional<IpsecPolicy>& ipsec_policy_of(int side) const {
    return sides[side].ipsec_policy ? sides[side].ipsec_policy : ipsec_policy;
  }
};

struct HopRange {
  int min = 0;
  int max = 0;
};

struct ExpectRule {
  std::vector<std::string> from;
  std::vector<std::string> to;
  bool reachable = true;
  std::optional<HopRange> hops;
  ProbeProtocol protocol = ProbeProtocol::kIcmp;
  std::optional<int> port;
  SourceLocation where;
  SourceLocation from_where, to_where;
};

struct Expectations {
  // For ordered VM pairs that no rule names: reachable, unreachable, or not
  // checked at all.
  enum class Default { kReachable, kUnreachable, kUnchecked };
  Default default_reachability = Default::kUnchecked;
  std::optional<HopRange> default_hops;
  std::vector<ExpectRule> rules;
};

struct Lab {
  std::string file;
  std::string name;
  SourceLocation name_where;
  std::string description;
  // Azure shows no hop for its fabric: VNet routers and gateways do not
  // answer traceroute unless the lab (or `up --hops visible`) says so.
  bool hops_visible = false;
  std::vector<Vnet> vnets;
  std::vector<Vm> vms;
  std::vector<Peering> peerings;
  std::vector<Gateway> gateways;
  std::vector<Connection> connections;
  std::vector<Circuit> circuits;
  std::vector<CircuitConnection> circuit_connections;
  std::vector<RouteTable> route_tables;
  std::vector<RouteServer> route_servers;
  std::vector<Vxlan> vxlans;
  std::vector<Nsg> nsgs;
  std::vector<ApplicationSecurityGroup> application_security_groups;
  Expectations expectations;

  const Vnet* find_vnet(const std::string& name) const;
  const Vm* find_vm(const std::string& name) const;
  const Gateway* find_gateway(const std::string& name) const;
  const Connection* find_connection(const std::string& name) const;
  const Circuit* find_circuit(const std::string& name) const;
  const RouteTable* find_route_table(const std::string& name) const;
  const RouteServer* find_route_server(const std::string& name) const;
  const Nsg* find_nsg(const std::string& name) const;
  // The Route Server in a VNet, or null.
  const RouteServer* route_server_in(const std::string& vnet) const;
  // The route table of a subnet, or null.
  const RouteTable* route_table_of(const Subnet& subnet) const;
  // A VNet's gateway (the first, when a VPN and an ExpressRoute gateway
  // coexist), or its gateway of one type; null for none.
  const Gateway* gateway_of(const std::string& vnet) const;
  const Gateway* gateway_of(const std::string& vnet, Gateway::Type type) const;
  // The gateway itself for instance 0 or an active-standby gateway; its
  // instance 0 for instance 1.
  const Gateway& primary(const Gateway& gateway) const;
  // A gateway's instances: itself, and instance 1 when active-active.
  std::vector<const Gateway*> instances(const Gateway& gateway) const;
  // The gateway's own VNet first, then every VNet peered with it that uses
  // its gateway (use_remote_gateways, with allow_gateway_transit on the
  // gateway's side): rules 3 and 4 of docs/azure-rules.md.
  std::vector<const Vnet*> vnets_served_by(const Gateway& gateway) const;
  // Every gateway that serves the VNet: a VPN and an ExpressRoute gateway
  // may coexist in a hub ("Configure ExpressRoute and site-to-site
  // coexisting connections"); or the one of a type.
  std::vector<const Gateway*> gateways_serving(const Vnet& vnet) const;
  const Gateway* gateway_serving(const Vnet& vnet, Gateway::Type type) const;
  // The VM's address, falling back to Azure's first usable (.4); 0.0.0.0 when its
  // VNet or subnet does not exist (an invalid lab, which the validator reports).
  Ipv4 vm_address(const Vm& vm) const;
  // The gateway's BGP peer IP, falling back to the GatewaySubnet's last
  // usable (instance 1 of an active-active gateway: the one below it; an
  // ExpressRoute gateway, which may share the subnet with a VPN gateway:
  // the first usable); a site's device falls back to its router's address
  // in the site's first subnet.
  Ipv4 bgp_peer_ip(const Gateway& gateway) const;
  // The gateway's public IP, falling back to 198.51.100.N (TEST-NET-2), a
  // site's to 203.0.113.N (TEST-NET-3), N being its place among the lab's
  // gateways and sites, counted from 1 (instance 1 of a gateway: 128 + the
  // place of its gateway).
  Ipv4 public_ip(const Gateway& gateway) const;
};

}  // namespace hublab
