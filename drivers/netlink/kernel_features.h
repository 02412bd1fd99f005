#pragma once

#include <string>

namespace hublab {

// Tries, in a throwaway network namespace that vanishes with its thread,
// what every lab needs of the kernel: a network namespace, a bridge, a veth
// pair, an address, a policy rule and an nftables table. Empty when all
// worked, else the first step that failed and the kernel's reason.
std::string kernel_network_problem();

// Whether the kernel can delay a link (sch_netem), tried the same way.
// Empty when it can, else why not.
std::string link_delay_problem();

}  // namespace hublab
