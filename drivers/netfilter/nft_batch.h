#pragma once

// nftables through libnftnl, one netlink batch at a time: a table, its
// chains and rules built as objects and sent whole, the kernel applying all
// or nothing. libnftables' parser costs milliseconds per namespace; this
// costs the kernel's work alone.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

struct mnl_nlmsg_batch;
struct nftnl_rule;
struct nlmsghdr;

namespace hublab::nft {

// Each add_* appends one expression to a rule, which owns it then. Values
// pass through register 1.
// A meta key (NFT_META_IIFNAME, NFT_META_MARK, NFT_META_PROTOCOL) into
// register 1, or set from it.
void add_meta_load(nftnl_rule* rule, uint32_t key);
void add_meta_store(nftnl_rule* rule, uint32_t key);
// The conntrack state bits (NFT_CT_STATE) into register 1.
void add_ct_state_load(nftnl_rule* rule);
// Register 1 against `data`: NFT_CMP_EQ, NEQ, GTE, LTE (bytewise, so
// network byte order compares as numbers).
void add_compare(nftnl_rule* rule, const void* data, uint32_t length, uint32_t op = 0);
void add_load(nftnl_rule* rule, uint32_t offset, uint32_t length);  // network header
// `offset` into the transport header (ports).
void add_transport_load(nftnl_rule* rule, uint32_t offset, uint32_t length);
// register 1 = (register 1 & mask) ^ xor.
void add_bitwise(nftnl_rule* rule, const void* mask, const void* exclusive_or, uint32_t length);
// register 1 = register 1 & mask (then compared with add_compare).
void add_mask(nftnl_rule* rule, const void* mask, uint32_t length);
// Writes at an even offset only: the kernel's incremental checksum update
// treats the bytes written as the start of a 16-bit word.
void add_store(nftnl_rule* rule, uint32_t offset, const uint8_t* bytes, uint32_t length);
void add_verdict(nftnl_rule* rule, int verdict, const char* chain = nullptr);
// `data` into register 1 (before add_meta_store).
void add_immediate(nftnl_rule* rule, const void* data, uint32_t length);
// Matches an interface name, as iifname/oifname do.
void add_ifname_match(nftnl_rule* rule, uint32_t key, const std::string& name);

class Batch {
 public:
  // `capacity`: bytes of netlink messages the batch may hold.
  explicit Batch(size_t capacity = size_t{1} << 16);
  ~Batch();
  Batch(const Batch&) = delete;
  Batch& operator=(const Batch&) = delete;

  // A table of a family (NFPROTO_IPV4, NFPROTO_BRIDGE); its chains and
  // rules follow it.
  void table(const char* name, int family = 2 /* NFPROTO_IPV4 */);
  // Removes a table, its chains and rules with it.
  void delete_table(const char* name, int family = 2 /* NFPROTO_IPV4 */);
  // A base chain on `hook` (NF_INET_* or NF_BR_*: type filter, policy
  // accept), or a regular chain (hook -1), for jumps.
  void chain(const char* table, const char* name, int hook = -1, int priority = 0);
  void rule(const char* table, const char* chain, const std::function<void(nftnl_rule*)>& build);
  // Sends the batch and waits for the kernel's answer to every object.
  void send();

 private:
  nlmsghdr* next_header(uint16_t type, int family);
  void table_message(uint16_t type, const char* name, int family);
  int family_of(const char* table) const;
  void done_with_message();

  size_t capacity_;
  std::vector<char> buffer_;
  mnl_nlmsg_batch* batch_;
  uint32_t seq_ = 1;
  int pending_ = 0;
  std::map<std::string, int> families_;  // by table
};

}  // namespace hublab::nft
