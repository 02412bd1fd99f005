#include "drivers/netfilter/source_guard.h"

#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "drivers/netfilter/nft_batch.h"

namespace hublab {

namespace {

constexpr const char* kTable = "hublab_sources";
constexpr const char* kHookChain = "forward";
constexpr const char* kAllowedChain = "allowed";
constexpr uint32_t kSourceOffset = 12;

}  // namespace

void install_source_guard(const std::vector<std::string>& from, const std::vector<std::string>& to,
                          const std::vector<Prefix>& allowed_sources) {
  using namespace nft;
  Batch batch;
  batch.table(kTable);
  batch.chain(kTable, kHookChain, NF_INET_FORWARD, 0);
  batch.chain(kTable, kAllowedChain);
  for (const std::string& in : from)
    for (const std::string& out : to)
      batch.rule(kTable, kHookChain, [&](nftnl_rule* rule) {
        add_ifname_match(rule, NFT_META_IIFNAME, in);
        add_ifname_match(rule, NFT_META_OIFNAME, out);
        add_verdict(rule, NFT_JUMP, kAllowedChain);
      });
  for (const Prefix& prefix : allowed_sources)
    batch.rule(kTable, kAllowedChain, [&](nftnl_rule* rule) {
      const uint32_t mask = htonl(prefix.mask());
      const uint32_t network = htonl(prefix.network.value & prefix.mask());
      add_load(rule, kSourceOffset, 4);
      add_mask(rule, &mask, 4);
      add_compare(rule, &network, 4);
      add_verdict(rule, NFT_RETURN);
    });
  batch.rule(kTable, kAllowedChain, [&](nftnl_rule* rule) { add_verdict(rule, NF_DROP); });
  batch.send();
}

}  // namespace hublab
