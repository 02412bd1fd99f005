#pragma once

// Azure Route Server in the lab file ([route_server.NAME]: its VNet,
// branch-to-branch, its BGP connections to NVAs) and BGP on a VM (`bgp = {
// asn, advertise, frr_config }`: an NVA running FRRouting). Read, and
// checked as MS Learn's Route Server pages allow (docs/azure-rules.md,
// Route Server); where its two instances sit.

#include <map>
#include <string>
#include <variant>

#include "orchestrator/lab/findings.h"
#include "orchestrator/lab/lab.h"
#include "orchestrator/lab/lab_fields.h"

namespace hublab {

// Route Server's ASN, fixed.
inline constexpr uint32_t kRouteServerAsn = 65515;
// "Route Server limits": BGP peers per Route Server.
inline constexpr size_t kMaxRouteServerPeers = 8;
// and routes a peer may advertise before its session is dropped.
inline constexpr int kRouteServerRouteLimit = 4000;
// Azure assigns its two instances the subnet's first two usable addresses
// (.4 and .5, as its virtualRouterIps show).
Ipv4 route_server_instance_ip(const Lab& lab, const RouteServer& server, int instance);
// Each instance is a node of its own: "NAME.0" and "NAME.1" (lab names
// hold no '.', so it is never a user's node).
std::string route_server_instance(const RouteServer& server, int instance);

// A VM's own FRR config file, as up reads it: relative to the lab file.
std::string frr_config_path(const Lab& lab, const VmBgp& bgp);

// A VM's own FRR configuration, or why it cannot be one (no regular file,
// larger than kMaxFrrConfigBytes, empty): `validate` and `up` test alike.
inline constexpr size_t kMaxFrrConfigBytes = 1 << 20;
struct FrrConfigText {
  std::string text;
};
std::variant<FrrConfigText, std::string> read_frr_config(const std::string& file);

// Every NVA's own FRR configuration, by VM, read as `up` starts (as keys
// are): throws naming the VM's field and the file.
std::map<std::string, std::string> read_frr_configs(const Lab& lab);

void read_route_server(Fields& f, const std::string& name, Lab& lab);
// A VM's `bgp` table, if any (lab_loader's read_vm calls it).
void read_vm_bgp(Fields& f, Vm& vm);
void validate_route_servers(const Lab& lab, Findings& findings);

// The VM a Route Server's connection peers with (its VNet's VM holding the
// peer IP), or null.
const Vm* nva_of(const Lab& lab, const RouteServer& server, const BgpConnection& connection);

}  // namespace hublab
