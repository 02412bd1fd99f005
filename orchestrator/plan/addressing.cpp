#include "orchestrator/plan/addressing.h"

namespace hublab {

uint32_t subnet_table(size_t subnet_index) {
  return 100 + static_cast<uint32_t>(subnet_index);
}
uint32_t subnet_rule_priority(size_t subnet_index) {
  return 100 + static_cast<uint32_t>(subnet_index);
}

Ipv4 internet_next_hop() {
  return *Ipv4::parse("169.254.255.254");
}

Ipv4 peering_link_address(size_t peering_index, int side) {
  return Ipv4{(169u << 24 | 254u << 16) + static_cast<uint32_t>(peering_index) * 2 +
              static_cast<uint32_t>(side)};
}

Ipv4 appliance_link_address(size_t link_index, int side) {
  return Ipv4{(169u << 24 | 254u << 16 | 64u << 8) + static_cast<uint32_t>(link_index) * 2 +
              static_cast<uint32_t>(side)};
}

uint32_t appliance_link_table(size_t link_index) {
  return 20000 + static_cast<uint32_t>(link_index);
}

Ipv4 tunnel_link_address(size_t connection_index, int side, int end) {
  return Ipv4{(169u << 24 | 254u << 16 | 128u << 8) + static_cast<uint32_t>(connection_index) * 4 +
              static_cast<uint32_t>(side) * 2 + static_cast<uint32_t>(end)};
}

uint32_t internet_tunnel_table(size_t connection_index, int side) {
  return 1000 + static_cast<uint32_t>(connection_index) * 2 + static_cast<uint32_t>(side);
}

}  // namespace hublab
