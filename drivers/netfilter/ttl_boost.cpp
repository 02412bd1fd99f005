#include "drivers/netfilter/ttl_boost.h"

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <net/if.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace hublab {

namespace {

constexpr const char* kTable = "hublab_hops";
constexpr const char* kHookChain = "prerouting";
constexpr const char* kBoostChain = "boost";
constexpr const char* kDeliverChain = "postrouting";
constexpr const char* kRestoreChain = "restore";
constexpr uint32_t kTtlOffset = 8;
constexpr uint32_t kChecksumOffset = 10;

nftnl_expr* expression(const char* name) {
  nftnl_expr* e = nftnl_expr_alloc(name);
  if (!e) throw std::runtime_error("nftables: out of memory");
  return e;
}

// Each add_* appends one expression to the rule, which owns it then.
void add_meta_ifname(nftnl_rule* rule, uint32_t key) {
  nftnl_expr* e = expression("meta");
  nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
  nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
  nftnl_rule_add_expr(rule, e);
}

void add_compare(nftnl_rule* rule, const void* data, uint32_t length) {
  nftnl_expr* e = expression("cmp");
  nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
  nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
  nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, length);
  nftnl_rule_add_expr(rule, e);
}

void add_load(nftnl_rule* rule, uint32_t offset, uint32_t length) {
  nftnl_expr* e = expression("payload");
  nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
  nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, NFT_PAYLOAD_NETWORK_HEADER);
  nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
  nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, length);
  nftnl_rule_add_expr(rule, e);
}

// Writes at an even offset only: the kernel's incremental checksum update
// treats the bytes written as the start of a 16-bit word.
void add_store(nftnl_rule* rule, uint32_t offset, const uint8_t* bytes, uint32_t length) {
  nftnl_expr* value = expression("immediate");
  nftnl_expr_set_u32(value, NFTNL_EXPR_IMM_DREG, NFT_REG_1);
  nftnl_expr_set(value, NFTNL_EXPR_IMM_DATA, bytes, length);
  nftnl_rule_add_expr(rule, value);
  nftnl_expr* write = expression("payload");
  nftnl_expr_set_u32(write, NFTNL_EXPR_PAYLOAD_SREG, NFT_REG_1);
  nftnl_expr_set_u32(write, NFTNL_EXPR_PAYLOAD_BASE, NFT_PAYLOAD_NETWORK_HEADER);
  nftnl_expr_set_u32(write, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
  nftnl_expr_set_u32(write, NFTNL_EXPR_PAYLOAD_LEN, length);
  // The IPv4 header checksum must follow the new byte.
  nftnl_expr_set_u32(write, NFTNL_EXPR_PAYLOAD_CSUM_TYPE, NFT_PAYLOAD_CSUM_INET);
  nftnl_expr_set_u32(write, NFTNL_EXPR_PAYLOAD_CSUM_OFFSET, kChecksumOffset);
  nftnl_rule_add_expr(rule, write);
}

void add_verdict(nftnl_rule* rule, int verdict, const char* chain = nullptr) {
  nftnl_expr* e = expression("immediate");
  nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
  nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, static_cast<uint32_t>(verdict));
  if (chain) nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN, chain);
  nftnl_rule_add_expr(rule, e);
}

// One netlink batch: begin, the objects, end; the kernel applies it whole.
class Batch {
 public:
  // libmnl writes a message before it says the batch is full: twice the limit.
  Batch() : buffer_(2 * kSize), batch_(mnl_nlmsg_batch_start(buffer_.data(), kSize)) {
    nftnl_batch_begin(static_cast<char*>(mnl_nlmsg_batch_current(batch_)), seq_++);
    mnl_nlmsg_batch_next(batch_);
  }
  ~Batch() { mnl_nlmsg_batch_stop(batch_); }

  nlmsghdr* next_header(uint16_t type) {
    uint16_t flags = NLM_F_CREATE | NLM_F_ACK | (type == NFT_MSG_NEWRULE ? NLM_F_APPEND : 0);
    return nftnl_nlmsg_build_hdr(static_cast<char*>(mnl_nlmsg_batch_current(batch_)), type,
                                 NFPROTO_IPV4, flags, seq_++);
  }
  void done_with_message() {
    if (!mnl_nlmsg_batch_next(batch_)) throw std::runtime_error("nftables: batch too large");
  }

  void send() {
    nftnl_batch_end(static_cast<char*>(mnl_nlmsg_batch_current(batch_)), seq_++);
    mnl_nlmsg_batch_next(batch_);
    std::unique_ptr<mnl_socket, int (*)(mnl_socket*)> sock(mnl_socket_open(NETLINK_NETFILTER),
                                                           mnl_socket_close);
    if (!sock || mnl_socket_bind(sock.get(), 0, MNL_SOCKET_AUTOPID) < 0)
      throw std::runtime_error(std::string("nftables: netlink socket: ") + strerror(errno));
    if (mnl_socket_sendto(sock.get(), mnl_nlmsg_batch_head(batch_), mnl_nlmsg_batch_size(batch_)) <
        0)
      throw std::runtime_error(std::string("nftables: sending rules: ") + strerror(errno));
    // One ACK per object, or an error for the first one the kernel refused.
    std::vector<char> buffer(8192);
    char* answer = buffer.data();
    for (int acked = 0; acked < pending_;) {
      ssize_t n = mnl_socket_recvfrom(sock.get(), answer, buffer.size());
      if (n < 0) throw std::runtime_error(std::string("nftables: ") + strerror(errno));
      int left = static_cast<int>(n);
      for (auto* message = reinterpret_cast<nlmsghdr*>(answer); mnl_nlmsg_ok(message, left);
           message = mnl_nlmsg_next(message, &left)) {
        if (message->nlmsg_type != NLMSG_ERROR) continue;
        auto* error = static_cast<nlmsgerr*>(mnl_nlmsg_get_payload(message));
        if (error->error != 0)
          throw std::runtime_error(std::string("nftables: the kernel refused the rules: ") +
                                   strerror(-error->error));
        ++acked;
      }
    }
  }
  void expect_ack() { ++pending_; }

 private:
  static constexpr size_t kSize = 1 << 16;
  std::vector<char> buffer_;
  mnl_nlmsg_batch* batch_;
  uint32_t seq_ = 1;
  int pending_ = 0;
};

}  // namespace

void install_ttl_boost(const std::vector<std::string>& interfaces, int max_ttl, int boost) {
  Batch batch;
  {
    std::unique_ptr<nftnl_table, void (*)(const nftnl_table*)> table(nftnl_table_alloc(),
                                                                     nftnl_table_free);
    nftnl_table_set_str(table.get(), NFTNL_TABLE_NAME, kTable);
    nftnl_table_set_u32(table.get(), NFTNL_TABLE_FAMILY, NFPROTO_IPV4);
    nftnl_table_nlmsg_build_payload(batch.next_header(NFT_MSG_NEWTABLE), table.get());
    batch.done_with_message();
    batch.expect_ack();
  }
  for (std::string_view name : {kHookChain, kBoostChain, kDeliverChain, kRestoreChain}) {
    std::unique_ptr<nftnl_chain, void (*)(const nftnl_chain*)> chain(nftnl_chain_alloc(),
                                                                     nftnl_chain_free);
    nftnl_chain_set_str(chain.get(), NFTNL_CHAIN_TABLE, kTable);
    nftnl_chain_set_str(chain.get(), NFTNL_CHAIN_NAME, name.data());
    if (name == kHookChain || name == kDeliverChain) {
      const bool in = name == kHookChain;
      nftnl_chain_set_u32(chain.get(), NFTNL_CHAIN_HOOKNUM,
                          in ? NF_INET_PRE_ROUTING : NF_INET_POST_ROUTING);
      nftnl_chain_set_s32(chain.get(), NFTNL_CHAIN_PRIO, in ? -300 : 300);  // raw; last
      nftnl_chain_set_str(chain.get(), NFTNL_CHAIN_TYPE, "filter");
      nftnl_chain_set_u32(chain.get(), NFTNL_CHAIN_POLICY, NF_ACCEPT);
    }
    nftnl_chain_nlmsg_build_payload(batch.next_header(NFT_MSG_NEWCHAIN), chain.get());
    batch.done_with_message();
    batch.expect_ack();
  }
  auto add_rule = [&](const char* chain, const std::function<void(nftnl_rule*)>& build) {
    std::unique_ptr<nftnl_rule, void (*)(const nftnl_rule*)> rule(nftnl_rule_alloc(),
                                                                  nftnl_rule_free);
    nftnl_rule_set_str(rule.get(), NFTNL_RULE_TABLE, kTable);
    nftnl_rule_set_str(rule.get(), NFTNL_RULE_CHAIN, chain);
    nftnl_rule_set_u32(rule.get(), NFTNL_RULE_FAMILY, NFPROTO_IPV4);
    build(rule.get());
    nftnl_rule_nlmsg_build_payload(batch.next_header(NFT_MSG_NEWRULE), rule.get());
    batch.done_with_message();
    batch.expect_ack();
  };
  // In from a VM: boosted. Out to a VM (an appliance, or the destination):
  // restored, as if the fabric had not been there.
  for (const std::string& interface : interfaces) {
    char name[IFNAMSIZ] = {};
    std::strncpy(name, interface.c_str(), IFNAMSIZ - 1);
    add_rule(kHookChain, [&](nftnl_rule* rule) {
      add_meta_ifname(rule, NFT_META_IIFNAME);
      add_compare(rule, name, IFNAMSIZ);
      add_verdict(rule, NFT_JUMP, kBoostChain);
    });
    add_rule(kDeliverChain, [&](nftnl_rule* rule) {
      add_meta_ifname(rule, NFT_META_OIFNAME);
      add_compare(rule, name, IFNAMSIZ);
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
    add_rule(kBoostChain, [&](nftnl_rule* rule) {
      add_load(rule, kTtlOffset, 1);
      add_compare(rule, &from, 1);
      add_load(rule, 0, 2);
      add_compare(rule, plain, 2);
      add_store(rule, kTtlOffset, &boosted, 1);
      add_store(rule, 0, stashed, 2);
      add_verdict(rule, NF_ACCEPT);
    });
    add_rule(kRestoreChain, [&](nftnl_rule* rule) {
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
