#pragma once

// A route-based site-to-site tunnel in vici's terms: the requests that load
// and start it, what charon reports about it, and why it failed.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "drivers/vici/vici_message.h"

namespace hublab::strongswan {

struct SiteToSite {
  std::string name;            // IKE and CHILD config name
  std::string local_address;   // public IPs; also the IKE identities
  std::string remote_address;  // the address dialled
  std::string remote_id;       // the peer's identity: its public IP
  std::vector<std::string> ike_proposals;
  std::vector<std::string> esp_proposals;
};

// Azure VPN gateways' default IKEv2 and IPsec proposals (no PFS), in
// strongSwan's notation, most preferred first.
const std::vector<std::string>& azure_default_ike_proposals();
const std::vector<std::string>& azure_default_esp_proposals();

vici::Message load_conn_request(const SiteToSite& tunnel);
vici::Message load_shared_request(const SiteToSite& tunnel, const std::string& key);
vici::Message initiate_request(const SiteToSite& tunnel, int timeout_ms);

// One side's view of a tunnel, from list-sas.
struct TunnelStatus {
  std::string ike_state = "DOWN";    // CONNECTING, ESTABLISHED, ... or DOWN when absent
  std::string child_state = "DOWN";  // INSTALLED, REKEYING, ... or DOWN
  std::optional<long> established_seconds;
  uint64_t bytes_in = 0, bytes_out = 0, packets_in = 0, packets_out = 0;
};
// `events` are the list-sa events of a list-sas for this tunnel's IKE name.
TunnelStatus tunnel_status(const std::string& name, const std::vector<vici::Message>& events);

// Reads charon's log lines of a failed attempt (both sides) and says in a few
// words what went wrong, or nothing if the lines do not tell.
std::optional<std::string> explain_tunnel_failure(const std::vector<std::string>& log_lines);

}  // namespace hublab::strongswan
