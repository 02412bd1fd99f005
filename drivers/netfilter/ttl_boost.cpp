#include "drivers/netfilter/ttl_boost.h"

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "drivers/netfilter/nft_batch.h"

namespace hublab {

namespace {

constexpr const char* kTable = "hublab_hops";
constexpr const char* kHookChain = "prerouting";
constexpr const char* kBoostChain = "boost";
constexpr const char* kDeliverChain = "postrouting";
constexpr const char* kRestoreChain = "restore";
constexpr uint32_t kTtlOffset = 8;

}  // namespace

void install_ttl_boost(const std::vector<std::string>& interfaces, int max_ttl, int boost) {
  using namespace nft;
  Batch batch;
  batch.table(kTable);
  batch.chain(kTable, kHookChain, NF_INET_PRE_ROUTING, -300);     // raw: before routing
  batch.chain(kTable, kDeliverChain, NF_INET_POST_ROUTING, 300);  // last
  batch.chain(kTable, kBoostChain);
  batch.chain(kTable, kRestoreChain);
  // In from a VM: boosted. Out to a VM (an appliance, or the destination):
  // restored, as if the fabric had not been there.
  for (const std::string& interface : interfaces) {
    batch.rule(kTable, kHookChain, [&](nftnl_rule* rule) {
      add_ifname_match(rule, NFT_META_IIFNAME, interface);
      add_verdict(rule, NFT_JUMP, kBoostChain);
    });
    batch.rule(kTable, kDeliverChain, [&](nftnl_rule* rule) {
      add_ifname_match(rule, NFT_META_OIFNAME, interface);
      add_verdict(rule, NFT_JUMP, kRestoreChain);
    });
  }
  // The original TTL rides in the DSCP bits (TTL << 2) while boosted; the
  // TOS byte is written with the byte before it (version and header
  // length, 0x45: packets with IP options are left alone), at offset 0.
  constexpr uint8_t kPlainHeader = 0x45;
  for (int ttl = 1; ttl <= max_ttl; ++ttl) {
    const uint8_t from = static_cast<uint8_t>(ttl);
    const uint8_t boosted = static_cast<uint8_t>(ttl + boost);
    const uint8_t plain[2] = {kPlainHeader, 0};
    const uint8_t stashed[2] = {kPlainHeader, static_cast<uint8_t>(ttl << 2)};
    batch.rule(kTable, kBoostChain, [&](nftnl_rule* rule) {
      add_load(rule, kTtlOffset, 1);
      add_compare(rule, &from, 1);
      add_load(rule, 0, 2);
      add_compare(rule, plain, 2);
      add_store(rule, kTtlOffset, &boosted, 1);
      add_store(rule, 0, stashed, 2);
      add_verdict(rule, NF_ACCEPT);
    });
    batch.rule(kTable, kRestoreChain, [&](nftnl_rule* rule) {
      add_load(rule, 0, 2);
      add_compare(rule, stashed, 2);
      add_store(rule, kTtlOffset, &from, 1);
      add_store(rule, 0, plain, 2);
      add_verdict(rule, NF_ACCEPT);
    });
  }
  batch.send();
}

}  // namespace hublab
