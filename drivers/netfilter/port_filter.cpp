#include "drivers/netfilter/port_filter.h"

#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter_bridge.h>
#include <net/ethernet.h>

#include <cstdio>

#include "drivers/netfilter/nft_batch.h"

namespace hublab {

namespace {

constexpr const char* kFlowsTable = "hublab_flows";
constexpr const char* kPortsTable = "hublab_ports";
// After conntrack (-200), before the filters of the default priority.
constexpr int kFlowsPriority = -150;
// After br_netfilter (0), which runs the IPv4 hooks that set the mark.
constexpr int kPortsPriority = kPortFiltersPriority;
constexpr uint32_t kEstablished = 0x10000000;  // a bit of the packet mark
constexpr uint32_t kSourceOffset = 12, kDestinationOffset = 16, kProtocolOffset = 9;
constexpr size_t kBytesPerRule = 320;  // a netlink message of a rule, generously

std::string rule_chain(size_t list, size_t rule, const char* part = "") {
  return "l" + std::to_string(list) + "r" + std::to_string(rule) + part;
}

void match_prefix(nftnl_rule* rule, uint32_t offset, const Prefix& prefix) {
  using namespace nft;
  const uint32_t mask = htonl(prefix.mask());
  const uint32_t network = htonl(prefix.network.value & prefix.mask());
  add_load(rule, offset, 4);
  add_mask(rule, &mask, 4);
  add_compare(rule, &network, 4);
}

void match_ports(nftnl_rule* rule, uint32_t offset, std::pair<uint16_t, uint16_t> range) {
  using namespace nft;
  const uint16_t first = htons(range.first), last = htons(range.second);
  nft::add_transport_load(rule, offset, 2);
  if (range.first == range.second) {
    add_compare(rule, &first, 2);
    return;
  }
  add_compare(rule, &first, 2, NFT_CMP_GTE);
  add_compare(rule, &last, 2, NFT_CMP_LTE);
}

// What a matching rule does at the end of its chains.
void verdict(nftnl_rule* rule, bool accept) {
  nft::add_verdict(rule, accept ? NFT_RETURN : NF_DROP);
}

void install_list(nft::Batch& batch, size_t index, const FilterList& list) {
  using namespace nft;
  const size_t n = list.rules.size();
  for (size_t k = 0; k <= n; ++k) batch.chain(kPortsTable, rule_chain(index, k).c_str());
  for (size_t k = 0; k < n; ++k) {
    const FilterRule& r = list.rules[k];
    const std::string self = rule_chain(index, k), next = rule_chain(index, k + 1);
    const std::string sources = rule_chain(index, k, "s"), destinations = rule_chain(index, k, "d");
    if (!r.test.sources.empty()) batch.chain(kPortsTable, sources.c_str());
    if (!r.test.destinations.empty()) batch.chain(kPortsTable, destinations.c_str());
    // The stage after the sources: the destinations, or the verdict.
    auto after_sources = [&](nftnl_rule* rule) {
      if (!r.test.destinations.empty())
        add_verdict(rule, NFT_GOTO, destinations.c_str());
      else
        verdict(rule, r.accept);
    };
    batch.rule(kPortsTable, self.c_str(), [&](nftnl_rule* rule) {
      if (r.test.ip_protocol) {
        add_load(rule, kProtocolOffset, 1);
        add_compare(rule, &*r.test.ip_protocol, 1);
      }
      if (r.test.source_ports) match_ports(rule, 0, *r.test.source_ports);
      if (r.test.destination_ports) match_ports(rule, 2, *r.test.destination_ports);
      if (!r.test.sources.empty())
        add_verdict(rule, NFT_GOTO, sources.c_str());
      else
        after_sources(rule);
    });
    batch.rule(kPortsTable, self.c_str(),
               [&](nftnl_rule* rule) { add_verdict(rule, NFT_GOTO, next.c_str()); });
    for (const Prefix& p : r.test.sources)
      batch.rule(kPortsTable, sources.c_str(), [&](nftnl_rule* rule) {
        match_prefix(rule, kSourceOffset, p);
        after_sources(rule);
      });
    if (!r.test.sources.empty())
      batch.rule(kPortsTable, sources.c_str(),
                 [&](nftnl_rule* rule) { add_verdict(rule, NFT_GOTO, next.c_str()); });
    for (const Prefix& p : r.test.destinations)
      batch.rule(kPortsTable, destinations.c_str(), [&](nftnl_rule* rule) {
        match_prefix(rule, kDestinationOffset, p);
        verdict(rule, r.accept);
      });
    if (!r.test.destinations.empty())
      batch.rule(kPortsTable, destinations.c_str(),
                 [&](nftnl_rule* rule) { add_verdict(rule, NFT_GOTO, next.c_str()); });
  }
}

// Base chain rules that let pass what is no port filter's business: what
// is not IPv4 (ARP above all), and a flow already accepted.
void pass_unfiltered(nft::Batch& batch, const char* chain) {
  using namespace nft;
  batch.rule(kPortsTable, chain, [](nftnl_rule* rule) {
    const uint16_t ipv4 = htons(ETHERTYPE_IP);
    add_meta_load(rule, NFT_META_PROTOCOL);
    add_compare(rule, &ipv4, 2, NFT_CMP_NEQ);
    add_verdict(rule, NF_ACCEPT);
  });
  batch.rule(kPortsTable, chain, [](nftnl_rule* rule) {
    const uint32_t bit = kEstablished, zero = 0;
    add_meta_load(rule, NFT_META_MARK);
    add_mask(rule, &bit, 4);
    add_compare(rule, &zero, 4, NFT_CMP_NEQ);
    add_verdict(rule, NF_ACCEPT);
  });
}

// The list and rule of a rule's chains (l<list>r<rule>, and its s and d).
std::optional<PortFilterPassage::Decision> decision_of(const std::string& chain) {
  unsigned list = 0, rule = 0;
  int used = 0;
  if (std::sscanf(chain.c_str(), "l%ur%u%n", &list, &rule, &used) != 2) return std::nullopt;
  const std::string rest = chain.substr(static_cast<size_t>(used));
  if (!rest.empty() && rest != "s" && rest != "d") return std::nullopt;
  return PortFilterPassage::Decision{list, rule, true};
}

}  // namespace

PortFilterPassage read_port_filter_trace(const std::vector<TraceEvent>& events) {
  PortFilterPassage passage;
  passage.reached = !events.empty();
  for (const TraceEvent& event : events) {
    if (event.table != kPortsTable || event.kind != TraceEvent::Kind::kRule) continue;
    const bool base = event.chain == "from_ports" || event.chain == "to_ports";
    if (base && event.verdict == NF_ACCEPT) passage.established = true;
    auto decision = decision_of(event.chain);
    if (!decision || (event.verdict != NFT_RETURN && event.verdict != NF_DROP)) continue;
    decision->accept = event.verdict == NFT_RETURN;
    passage.decisions.push_back(*decision);
  }
  return passage;
}

void install_port_filters(const std::vector<FilterList>& lists,
                          const std::vector<PortFilter>& ports) {
  using namespace nft;
  // Every message of the batch: the tables, base chains and their rules, a
  // chain and its rules per port, and per rule its chains and their rules.
  size_t messages = 16 + ports.size() * 3;
  for (const PortFilter& port : ports) messages += port.lists.size();
  for (const FilterList& list : lists)
    for (const FilterRule& r : list.rules)
      messages += 7 + r.test.sources.size() + r.test.destinations.size();
  messages += lists.size();  // each list's end
  Batch batch((size_t{1} << 16) + messages * kBytesPerRule);

  // The flows already accepted, marked where connection tracking knows them.
  batch.table(kFlowsTable, NFPROTO_IPV4);
  for (auto [name, hook] :
       {std::pair("prerouting", NF_INET_PRE_ROUTING), std::pair("output", NF_INET_LOCAL_OUT)}) {
    batch.chain(kFlowsTable, name, hook, kFlowsPriority);
    batch.rule(kFlowsTable, name, [](nftnl_rule* rule) {
      const uint32_t state = NF_CT_STATE_BIT(IP_CT_ESTABLISHED) | NF_CT_STATE_BIT(IP_CT_RELATED);
      const uint32_t zero = 0, keep = ~kEstablished, bit = kEstablished;
      add_ct_state_load(rule);
      add_mask(rule, &state, 4);
      add_compare(rule, &zero, 4, NFT_CMP_NEQ);
      add_meta_load(rule, NFT_META_MARK);
      add_bitwise(rule, &keep, &bit, 4);
      add_meta_store(rule, NFT_META_MARK);
    });
  }

  batch.table(kPortsTable, NFPROTO_BRIDGE);
  batch.chain(kPortsTable, "from_ports", NF_BR_PRE_ROUTING, kPortsPriority);
  batch.chain(kPortsTable, "to_ports", NF_BR_POST_ROUTING, kPortsPriority);
  pass_unfiltered(batch, "from_ports");
  pass_unfiltered(batch, "to_ports");
  for (size_t i = 0; i < lists.size(); ++i) install_list(batch, i, lists[i]);
  for (size_t j = 0; j < ports.size(); ++j) {
    const PortFilter& port = ports[j];
    const std::string chain = "p" + std::to_string(j);
    batch.chain(kPortsTable, chain.c_str());
    for (size_t list : port.lists)
      batch.rule(kPortsTable, chain.c_str(), [&](nftnl_rule* rule) {
        add_verdict(rule, NFT_JUMP, rule_chain(list, 0).c_str());
      });
    batch.rule(kPortsTable, port.outgoing ? "to_ports" : "from_ports", [&](nftnl_rule* rule) {
      add_ifname_match(rule, port.outgoing ? NFT_META_OIFNAME : NFT_META_IIFNAME, port.interface);
      add_verdict(rule, NFT_JUMP, chain.c_str());
    });
  }
  batch.send();
}

}  // namespace hublab
