#include "drivers/strongswan/site_to_site.h"

#include <cstdlib>

namespace hublab::strongswan {

const std::vector<std::string>& azure_default_ike_proposals() {
  // Azure's default IKEv2 policies: AES256/AES128 with SHA1/SHA256, DH group 2.
  static const std::vector<std::string> proposals = {
      "aes256-sha1-modp1024", "aes256-sha256-modp1024", "aes128-sha1-modp1024",
      "aes128-sha256-modp1024"};
  return proposals;
}

const std::vector<std::string>& azure_default_esp_proposals() {
  // Azure's default IPsec (quick mode) offers: GCM-AES256, AES256-SHA1,
  // AES256-SHA256, AES128-SHA1; no PFS.
  static const std::vector<std::string> proposals = {"aes256gcm16", "aes256-sha1", "aes256-sha256",
                                                     "aes128-sha1"};
  return proposals;
}

vici::Message load_conn_request(const SiteToSite& tunnel) {
  vici::Message message;
  vici::Section& conn = message.section(tunnel.name);
  conn.set("version", "2");
  conn.set_list("local_addrs", {tunnel.local_address});
  conn.set_list("remote_addrs", {tunnel.remote_address});
  conn.set_list("proposals", tunnel.ike_proposals);
  // MOBIKE would move the IKE_SA when charon's own TUN device appears and
  // rekey the CHILD_SA; a site-to-site link between fixed IPs has no use for it.
  conn.set("mobike", "no");
  // Both ends may start the tunnel; Azure gateways do. Liveness checks let a
  // dead peer take the tunnel (and later its BGP routes) down.
  conn.set("dpd_delay", "10s");
  conn.section("local").set("auth", "psk").set("id", tunnel.local_address);
  conn.section("remote").set("auth", "psk").set("id", tunnel.remote_id);
  vici::Section& child = conn.section("children").section(tunnel.name);
  child.set_list("local_ts", {"0.0.0.0/0"});
  child.set_list("remote_ts", {"0.0.0.0/0"});
  child.set_list("esp_proposals", tunnel.esp_proposals);
  child.set("dpd_action", "restart");
  return message;
}

vici::Message load_shared_request(const SiteToSite& tunnel, const std::string& key) {
  vici::Message message;
  message.set("id", "hublab-" + tunnel.name);
  message.set("type", "IKE");
  message.set("data", key);
  message.set_list("owners", {tunnel.local_address, tunnel.remote_id});
  return message;
}

vici::Message initiate_request(const SiteToSite& tunnel, int timeout_ms) {
  vici::Message message;
  message.set("child", tunnel.name);
  message.set("ike", tunnel.name);
  message.set("timeout", std::to_string(timeout_ms));
  message.set("init-limits", "no");
  return message;
}

TunnelStatus tunnel_status(const std::string& name, const std::vector<vici::Message>& events) {
  TunnelStatus status;
  for (const vici::Message& event : events) {
    const vici::Section* ike = event.find_section(name);
    if (!ike) continue;
    status.ike_state = ike->value_or("state", "DOWN");
    if (const std::string* established = ike->find("established"))
      status.established_seconds = std::atol(established->c_str());
    const vici::Section* children = ike->find_section("child-sas");
    if (!children) continue;
    for (const auto& entry : children->entries()) {
      if (!entry.is_section()) continue;
      const vici::Section& child = std::get<vici::Section>(entry.value);
      if (child.value_or("name", "") != name) continue;
      status.child_state = child.value_or("state", "DOWN");
      status.bytes_in += std::strtoull(child.value_or("bytes-in", "0").c_str(), nullptr, 10);
      status.bytes_out += std::strtoull(child.value_or("bytes-out", "0").c_str(), nullptr, 10);
      status.packets_in += std::strtoull(child.value_or("packets-in", "0").c_str(), nullptr, 10);
      status.packets_out += std::strtoull(child.value_or("packets-out", "0").c_str(), nullptr, 10);
    }
  }
  return status;
}

std::optional<std::string> explain_tunnel_failure(const std::vector<std::string>& log_lines) {
  auto any = [&](std::initializer_list<const char*> needles) {
    for (const std::string& line : log_lines)
      for (const char* needle : needles)
        if (line.find(needle) != std::string::npos) return true;
    return false;
  };
  if (any({"AUTHENTICATION_FAILED", "MAC mismatched"}))
    return "the pre-shared keys of the two sides differ";
  // Checked before the IKE case: a CHILD_SA refusal also says NO_PROPOSAL_CHOSEN.
  if (any({"no CHILD_SA built", "no acceptable proposal found"}))
    return "the two sides have no IPsec (ESP) proposal in common";
  if (any({"NO_PROPOSAL_CHOSEN", "received proposals unacceptable"}))
    return "the two sides have no IKE proposal in common";
  if (any({"giving up after", "retransmit"}))
    return "the peer does not answer IKE (unreachable, or no IKE daemon there)";
  return std::nullopt;
}

}  // namespace hublab::strongswan
