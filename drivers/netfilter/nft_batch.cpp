#include "drivers/netfilter/nft_batch.h"

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <net/if.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace hublab::nft {

namespace {

constexpr uint32_t kChecksumOffset = 10;  // of the IPv4 header
// What a netlink socket sends by default; a larger batch raises the
// socket's send buffer first.
constexpr size_t kDefaultSendBuffer = 1 << 17;
constexpr size_t kAnswerBytes = 1280;  // an acknowledgement's buffer, its overhead and all

nftnl_expr* expression(const char* name) {
  nftnl_expr* e = nftnl_expr_alloc(name);
  if (!e) throw std::runtime_error("nftables: out of memory");
  return e;
}

// `length` bytes at `offset` of a header (network, transport) into register 1.
void add_payload_load(nftnl_rule* rule, uint32_t base, uint32_t offset, uint32_t length) {
  nftnl_expr* e = expression("payload");
  nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
  nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
  nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
  nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, length);
  nftnl_rule_add_expr(rule, e);
}

}  // namespace

void add_meta_load(nftnl_rule* rule, uint32_t key) {
  nftnl_expr* e = expression("meta");
  nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
  nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
  nftnl_rule_add_expr(rule, e);
}

void add_meta_store(nftnl_rule* rule, uint32_t key) {
  nftnl_expr* e = expression("meta");
  nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
  nftnl_expr_set_u32(e, NFTNL_EXPR_META_SREG, NFT_REG_1);
  nftnl_rule_add_expr(rule, e);
}

void add_ct_state_load(nftnl_rule* rule) {
  nftnl_expr* e = expression("ct");
  nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, NFT_CT_STATE);
  nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, NFT_REG_1);
  nftnl_rule_add_expr(rule, e);
}

void add_transport_load(nftnl_rule* rule, uint32_t offset, uint32_t length) {
  add_payload_load(rule, NFT_PAYLOAD_TRANSPORT_HEADER, offset, length);
}

void add_bitwise(nftnl_rule* rule, const void* mask, const void* exclusive_or, uint32_t length) {
  nftnl_expr* e = expression("bitwise");
  nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
  nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
  nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, length);
  nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, mask, length);
  nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, exclusive_or, length);
  nftnl_rule_add_expr(rule, e);
}

void add_compare(nftnl_rule* rule, const void* data, uint32_t length, uint32_t op) {
  nftnl_expr* e = expression("cmp");
  nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
  nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
  nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, length);
  nftnl_rule_add_expr(rule, e);
}

void add_ifname_match(nftnl_rule* rule, uint32_t key, const std::string& name) {
  char padded[IFNAMSIZ] = {};
  std::strncpy(padded, name.c_str(), IFNAMSIZ - 1);
  add_meta_load(rule, key);
  add_compare(rule, padded, IFNAMSIZ);
}

void add_load(nftnl_rule* rule, uint32_t offset, uint32_t length) {
  add_payload_load(rule, NFT_PAYLOAD_NETWORK_HEADER, offset, length);
}

void add_mask(nftnl_rule* rule, const void* mask, uint32_t length) {
  const std::vector<uint8_t> zero(length, 0);
  add_bitwise(rule, mask, zero.data(), length);
}

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
  // The IPv4 header checksum must follow the new bytes.
  nftnl_expr_set_u32(write, NFTNL_EXPR_PAYLOAD_CSUM_TYPE, NFT_PAYLOAD_CSUM_INET);
  nftnl_expr_set_u32(write, NFTNL_EXPR_PAYLOAD_CSUM_OFFSET, kChecksumOffset);
  nftnl_rule_add_expr(rule, write);
}

void add_verdict(nftnl_rule* rule, int verdict, const char* chain) {
  nftnl_expr* e = expression("immediate");
  nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
  nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, static_cast<uint32_t>(verdict));
  if (chain) nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN, chain);
  nftnl_rule_add_expr(rule, e);
}

void add_immediate(nftnl_rule* rule, const void* data, uint32_t length) {
  nftnl_expr* e = expression("immediate");
  nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_1);
  nftnl_expr_set(e, NFTNL_EXPR_IMM_DATA, data, length);
  nftnl_rule_add_expr(rule, e);
}

// libmnl writes a message before it says the batch is full: twice the limit.
Batch::Batch(size_t capacity)
    : capacity_(capacity),
      buffer_(2 * capacity),
      batch_(mnl_nlmsg_batch_start(buffer_.data(), capacity)) {
  nftnl_batch_begin(static_cast<char*>(mnl_nlmsg_batch_current(batch_)), seq_++);
  mnl_nlmsg_batch_next(batch_);
}

Batch::~Batch() {
  mnl_nlmsg_batch_stop(batch_);
}

nlmsghdr* Batch::next_header(uint16_t type, int family) {
  uint16_t flags = NLM_F_ACK;
  if (type != NFT_MSG_DELTABLE) flags |= NLM_F_CREATE;
  if (type == NFT_MSG_NEWRULE) flags |= NLM_F_APPEND;
  return nftnl_nlmsg_build_hdr(static_cast<char*>(mnl_nlmsg_batch_current(batch_)), type,
                               static_cast<uint16_t>(family), flags, seq_++);
}

int Batch::family_of(const char* table) const {
  auto it = families_.find(table);
  return it == families_.end() ? NFPROTO_IPV4 : it->second;
}

void Batch::done_with_message() {
  if (!mnl_nlmsg_batch_next(batch_)) throw std::runtime_error("nftables: batch too large");
  ++pending_;  // each object is acknowledged
}

void Batch::table_message(uint16_t type, const char* name, int family) {
  std::unique_ptr<nftnl_table, void (*)(const nftnl_table*)> table(nftnl_table_alloc(),
                                                                   nftnl_table_free);
  nftnl_table_set_str(table.get(), NFTNL_TABLE_NAME, name);
  nftnl_table_set_u32(table.get(), NFTNL_TABLE_FAMILY, static_cast<uint32_t>(family));
  nftnl_table_nlmsg_build_payload(next_header(type, family), table.get());
  done_with_message();
}

void Batch::table(const char* name, int family) {
  families_[name] = family;
  table_message(NFT_MSG_NEWTABLE, name, family);
}

void Batch::delete_table(const char* name, int family) {
  table_message(NFT_MSG_DELTABLE, name, family);
}

void Batch::chain(const char* table, const char* name, int hook, int priority) {
  std::unique_ptr<nftnl_chain, void (*)(const nftnl_chain*)> chain(nftnl_chain_alloc(),
                                                                   nftnl_chain_free);
  nftnl_chain_set_str(chain.get(), NFTNL_CHAIN_TABLE, table);
  nftnl_chain_set_str(chain.get(), NFTNL_CHAIN_NAME, name);
  if (hook >= 0) {
    nftnl_chain_set_u32(chain.get(), NFTNL_CHAIN_HOOKNUM, static_cast<uint32_t>(hook));
    nftnl_chain_set_s32(chain.get(), NFTNL_CHAIN_PRIO, priority);
    nftnl_chain_set_str(chain.get(), NFTNL_CHAIN_TYPE, "filter");
    nftnl_chain_set_u32(chain.get(), NFTNL_CHAIN_POLICY, NF_ACCEPT);
  }
  nftnl_chain_nlmsg_build_payload(next_header(NFT_MSG_NEWCHAIN, family_of(table)), chain.get());
  done_with_message();
}

void Batch::rule(const char* table, const char* chain,
                 const std::function<void(nftnl_rule*)>& build) {
  std::unique_ptr<nftnl_rule, void (*)(const nftnl_rule*)> rule(nftnl_rule_alloc(),
                                                                nftnl_rule_free);
  nftnl_rule_set_str(rule.get(), NFTNL_RULE_TABLE, table);
  nftnl_rule_set_str(rule.get(), NFTNL_RULE_CHAIN, chain);
  nftnl_rule_set_u32(rule.get(), NFTNL_RULE_FAMILY, static_cast<uint32_t>(family_of(table)));
  build(rule.get());
  nftnl_rule_nlmsg_build_payload(next_header(NFT_MSG_NEWRULE, family_of(table)), rule.get());
  done_with_message();
}

void Batch::send() {
  nftnl_batch_end(static_cast<char*>(mnl_nlmsg_batch_current(batch_)), seq_++);
  // Left out, the end would leave the kernel's transaction open: it would
  // acknowledge every object and install none.
  if (!mnl_nlmsg_batch_next(batch_)) throw std::runtime_error("nftables: batch too large");
  std::unique_ptr<mnl_socket, int (*)(mnl_socket*)> sock(mnl_socket_open(NETLINK_NETFILTER),
                                                         mnl_socket_close);
  if (!sock || mnl_socket_bind(sock.get(), 0, MNL_SOCKET_AUTOPID) < 0)
    throw std::runtime_error(std::string("nftables: netlink socket: ") + strerror(errno));
  // The batch goes in one message, and the kernel answers every object
  // before we read an answer, each in a buffer of its own.
  const int fd = mnl_socket_get_fd(sock.get());
  if (capacity_ > kDefaultSendBuffer) {
    int send = static_cast<int>(2 * capacity_);
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &send, sizeof send) < 0)
      throw std::runtime_error(std::string("nftables: send buffer: ") + strerror(errno));
  }
  if (static_cast<size_t>(pending_) * kAnswerBytes > kDefaultSendBuffer) {
    int receive =
        static_cast<int>(kDefaultSendBuffer + static_cast<size_t>(pending_) * kAnswerBytes);
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &receive, sizeof receive) < 0)
      throw std::runtime_error(std::string("nftables: receive buffer: ") + strerror(errno));
  }
  if (mnl_socket_sendto(sock.get(), mnl_nlmsg_batch_head(batch_), mnl_nlmsg_batch_size(batch_)) < 0)
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

}  // namespace hublab::nft
