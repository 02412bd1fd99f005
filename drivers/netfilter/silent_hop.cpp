#include "drivers/netfilter/silent_hop.h"

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "drivers/netfilter/nft_batch.h"

namespace hublab {

namespace {

constexpr const char* kTable = "hublab_silent_hop";
constexpr const char* kInChain = "prerouting";
constexpr const char* kOutChain = "output";
// The byte before the TOS byte: IPv4, a header without options (the hidden
// hops stash a TTL only in those).
constexpr uint8_t kPlainHeader = 0x45;
constexpr uint32_t kProtocolOffset = 9;
constexpr uint32_t kIcmpTypeOffset = 20;  // a plain header: the kernel's own ICMP errors
constexpr uint8_t kIcmp = 1;
constexpr uint8_t kTimeExceeded = 11;

}  // namespace

void install_silent_hop(int max_ttl) {
  using namespace nft;
  Batch batch;
  batch.table(kTable);
  batch.chain(kTable, kInChain, NF_INET_PRE_ROUTING, -300);  // raw: before routing
  batch.chain(kTable, kOutChain, NF_INET_LOCAL_OUT, 0);
  for (int ttl = 1; ttl <= max_ttl; ++ttl) {
    const uint8_t stashed[2] = {kPlainHeader, static_cast<uint8_t>(ttl << 2)};
    const uint8_t one_less[2] = {kPlainHeader, static_cast<uint8_t>((ttl - 1) << 2)};
    batch.rule(kTable, kInChain, [&](nftnl_rule* rule) {
      add_load(rule, 0, 2);
      add_compare(rule, stashed, 2);
      if (ttl == 1) {
        add_verdict(rule, NF_DROP);  // its TTL ends here, and this router says nothing
        return;
      }
      add_store(rule, 0, one_less, 2);
      add_verdict(rule, NF_ACCEPT);
    });
  }
  // What the kernel's own forwarding lets expire (a packet the hidden hops
  // do not carry) ends here too, unanswered.
  batch.rule(kTable, kOutChain, [&](nftnl_rule* rule) {
    add_load(rule, kProtocolOffset, 1);
    add_compare(rule, &kIcmp, 1);
    add_load(rule, kIcmpTypeOffset, 1);
    add_compare(rule, &kTimeExceeded, 1);
    add_verdict(rule, NF_DROP);
  });
  batch.send();
}

}  // namespace hublab
