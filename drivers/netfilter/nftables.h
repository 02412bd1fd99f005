#pragma once

#include <string>

namespace hublab {

// Runs nft commands (nft's own syntax) through libnftables, in the network
// namespace of the calling thread. Throws with nft's error text.
void run_nftables(const std::string& commands);
// Parses and evaluates the commands without applying them (nft --check).
void check_nftables(const std::string& commands);

}  // namespace hublab
