#include "drivers/frr/frr_vty.h"

#include <nlohmann/json.hpp>

namespace hublab::frr {

namespace {

constexpr size_t kTrailer = 4;  // "\0\0\0" and the command's status

// The reply is complete once it ends in three NULs and a status byte.
bool complete(const std::string& reply) {
  return reply.size() >= kTrailer && reply[reply.size() - 4] == '\0' &&
         reply[reply.size() - 3] == '\0' && reply[reply.size() - 2] == '\0';
}

}  // namespace

Vty Vty::connect(const std::string& socket_path, std::chrono::milliseconds timeout) {
  try {
    return Vty(UnixStream::connect(socket_path, UnixStream::Clock::now() + timeout));
  } catch (const UnixStreamError& error) {
    throw VtyError(socket_path + ": " + error.what());
  }
}

std::string Vty::command(const std::string& line, std::chrono::milliseconds timeout) {
  const auto deadline = UnixStream::Clock::now() + timeout;
  std::string reply;
  try {
    stream_.send_all(std::string_view(line.c_str(), line.size() + 1), deadline);
    while (!complete(reply))
      if (!stream_.receive_some(reply, deadline))
        throw VtyError(stream_.path() + ": no reply to '" + line + "' in time");
  } catch (const UnixStreamError& error) {
    throw VtyError(stream_.path() + ": " + error.what());
  }
  const int status = static_cast<unsigned char>(reply.back());
  reply.resize(reply.size() - kTrailer);
  if (status != 0)
    throw VtyError(stream_.path() + ": '" + line + "' refused (status " + std::to_string(status) +
                   "): " + reply);
  return reply;
}

std::vector<BgpNeighbor> parse_bgp_summary(const std::string& json) {
  std::vector<BgpNeighbor> neighbors;
  try {
    const nlohmann::json summary = nlohmann::json::parse(json);
    // No neighbor at all: FRR prints "{}" or a summary without "peers".
    if (!summary.is_object() || !summary.contains("peers")) return neighbors;
    for (const auto& [address, peer] : summary.at("peers").items()) {
      BgpNeighbor n;
      n.address = address;
      n.hostname = peer.value("hostname", "");
      n.remote_as = peer.value("remoteAs", 0u);
      n.state = peer.value("state", "");
      n.uptime = peer.value("peerUptime", "");
      n.established_epoch = peer.value("peerUptimeEstablishedEpoch", 0L);
      n.prefixes_received = peer.value("pfxRcd", 0u);
      n.prefixes_sent = peer.value("pfxSnt", 0u);
      neighbors.push_back(std::move(n));
    }
  } catch (const nlohmann::json::exception& error) {
    throw VtyError(std::string("bgpd's neighbor summary does not parse: ") + error.what());
  }
  return neighbors;
}

}  // namespace hublab::frr
