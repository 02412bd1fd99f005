#include "orchestrator/lab/route_tables.h"

#include <set>

namespace hublab {

void read_route_table(Fields& f, const std::string& name, Lab& lab) {
  RouteTable table;
  table.name = name;
  table.where = f.where();
  if (auto propagation = f.boolean("bgp_route_propagation")) {
    table.bgp_route_propagation = *propagation;
    table.propagation_where = f.where("bgp_route_propagation");
  }
  f.each_entry("routes", "expected an array of route tables",
               "{ name, address_prefix, next_hop_type, next_hop_ip }",
               [&](Fields& rf, SourceLocation at) {
                 UserRoute route;
                 route.where = at;
                 route.name = rf.string("name", true).value_or("");
                 route.prefix_where = rf.where("address_prefix");
                 route.next_hop_where = rf.where("next_hop_type");
                 route.next_hop_ip_where = rf.where("next_hop_ip");
                 bool ok = true;
                 if (auto text = rf.string("address_prefix", true)) {
                   if (auto p = rf.prefix("address_prefix", *text, route.prefix_where))
                     route.prefix = *p;
                   else
                     ok = false;
                 } else {
                   ok = false;
                 }
                 if (auto type = rf.string("next_hop_type", true)) {
                   if (auto hop = parse_next_hop_type(*type))
                     route.next_hop = *hop;
                   else {
                     rf.field_error("next_hop_type",
                                    "'" + *type +
                                        "' is not a next hop type: VirtualAppliance, "
                                        "VirtualNetworkGateway, VnetLocal, Internet or None");
                     ok = false;
                   }
                 } else {
                   ok = false;
                 }
                 route.next_hop_ip = rf.address("next_hop_ip");
                 if (ok) table.routes.push_back(std::move(route));
               });
  lab.route_tables.push_back(std::move(table));
}

namespace {

// What a table's routes need from each subnet it is associated with.
void check_routes_for(const Lab& lab, Findings& findings, const Vnet& vnet, const Subnet& subnet,
                      const RouteTable& table) {
  // A user route's gateway is a VPN gateway: "You can't specify ExpressRoute
  // gateways" (virtual network traffic routing, custom routes).
  const bool has_gateway = lab.gateway_serving(vnet, Gateway::Type::kVpn) != nullptr;
  const bool has_expressroute = lab.gateway_serving(vnet, Gateway::Type::kExpressRoute) != nullptr;
  for (size_t i = 0; i < table.routes.size(); ++i) {
    const UserRoute& r = table.routes[i];
    const std::string path = "route_table." + table.name + ".routes[" + std::to_string(i) + "]";
    const std::string used_by = " (subnet " + vnet.name + "/" + subnet.name + " uses this table)";
    if (r.next_hop == UserRoute::NextHop::kVirtualNetworkGateway && !has_gateway)
      findings.error(r.next_hop_where,
                     path + ".next_hop_type: VirtualNetworkGateway, but VNet '" + vnet.name +
                         (has_expressroute ? "' has only an ExpressRoute gateway, which a "
                                             "user route cannot name (a VPN gateway only)"
                                           : "' has no gateway, its own or a remote one") +
                         used_by);
    if (r.next_hop != UserRoute::NextHop::kVirtualAppliance || !r.next_hop_ip) continue;
    // The appliance's NIC: in the subnet's VNet or one peered with it.
    bool reachable = false;
    for (const Prefix& space : vnet.address_space) reachable |= space.contains(*r.next_hop_ip);
    for (const Peering& p : lab.peerings)
      for (int s = 0; s < 2; ++s)
        if (p.sides[s].vnet == vnet.name && p.sides[s].allow_virtual_network_access)
          if (const Vnet* peer = lab.find_vnet(p.sides[1 - s].vnet))
            for (const Prefix& space : peer->address_space)
              reachable |= space.contains(*r.next_hop_ip);
    if (!reachable)
      findings.error(r.next_hop_ip_where, path + ".next_hop_ip: " + r.next_hop_ip->str() +
                                              " is in neither VNet '" + vnet.name +
                                              "' nor a VNet peered with it" + used_by);
  }
}

}  // namespace

// Route tables: MS Learn, "Virtual network traffic routing" (custom
// routes, next hop types) and "Create, change, or delete a route table".
void validate_route_tables(const Lab& lab, Findings& findings) {
  for (const RouteTable& table : lab.route_tables) {
    std::set<std::string> names;
    std::set<Prefix> prefixes;
    for (size_t i = 0; i < table.routes.size(); ++i) {
      const UserRoute& r = table.routes[i];
      const std::string path = "route_table." + table.name + ".routes[" + std::to_string(i) + "]";
      if (!names.insert(r.name).second)
        findings.error(r.where,
                       path + ".name: the table already has a route named '" + r.name + "'");
      if (!prefixes.insert(r.prefix).second)
        findings.error(r.prefix_where, path +
                                           ".address_prefix: the table already has a route for " +
                                           r.prefix.str() + " (Azure allows one per prefix)");
      const bool appliance = r.next_hop == UserRoute::NextHop::kVirtualAppliance;
      if (appliance && !r.next_hop_ip)
        findings.error(r.where,
                       path + ": next_hop_ip is required for next_hop_type VirtualAppliance");
      if (!appliance && r.next_hop_ip)
        findings.error(r.next_hop_ip_where,
                       path +
                           ".next_hop_ip: only a VirtualAppliance route takes one "
                           "(this one is " +
                           std::string(next_hop_type_name(r.next_hop)) + ")");
    }
  }
  for (const Vnet& vnet : lab.vnets)
    for (const Subnet& subnet : vnet.subnets) {
      if (subnet.route_table.empty()) continue;
      const std::string path = (vnet.on_premises ? "site." : "vnet.") + vnet.name + ".subnets." +
                               subnet.name + ".route_table";
      const RouteTable* table = lab.find_route_table(subnet.route_table);
      if (!table) {
        findings.error(subnet.route_table_where,
                       path + ": no route table named '" + subnet.route_table + "'");
        continue;
      }
      if (vnet.on_premises) {
        findings.error(subnet.route_table_where,
                       path + ": route tables are Azure's; a site routes by its own device");
        continue;
      }
      if (subnet.name == kGatewaySubnet && !table->bgp_route_propagation)
        findings.error(subnet.route_table_where,
                       path + ": route table '" + table->name +
                           "' turns bgp_route_propagation off, which Azure does not allow on the "
                           "GatewaySubnet (the gateway would stop working)");
      check_routes_for(lab, findings, vnet, subnet, *table);
    }
}

}  // namespace hublab
