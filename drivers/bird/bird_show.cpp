#include "drivers/bird/bird_show.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace hublab::bird {

namespace {

// ---- text helpers -----------------------------------------------------------

bool is_space(char c) {
  return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

// Walks whitespace-separated tokens while keeping the untokenized rest
// reachable, because BIRD's last column (Info) is free text with spaces.
class Tokens {
 public:
  explicit Tokens(std::string_view text) : rest_(text) {}

  std::string_view next() {
    std::string_view token = peek();
    rest_ = rest_.substr(rest_.find(token) + token.size());
    return token;
  }
  std::string_view peek() const {
    std::string_view text = rest_;
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    std::size_t end = 0;
    while (end < text.size() && !is_space(text[end])) ++end;
    return text.substr(0, end);
  }
  std::string_view rest() const { return trim(rest_); }

 private:
  std::string_view rest_;
};

template <typename Number>
std::optional<Number> parse_number(std::string_view text) {
  Number value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end == text.data()) return std::nullopt;
  return value;
}

// "key: value" as BIRD prints details; keys never contain ':' but values may
// ("Last error: Socket: Network is unreachable", IPv6 next hops).
std::optional<std::pair<std::string_view, std::string_view>> split_key_value(
    std::string_view text) {
  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  return std::pair{trim(text.substr(0, colon)), trim(text.substr(colon + 1))};
}

bool looks_like_date(std::string_view token) {
  return token.size() == 10 && token[4] == '-' && token[7] == '-';
}

// BIRD's default time format is one token ("12:34:47.573" or "2024-05-01"),
// but `timeformat ... iso long` prints "2024-05-01 12:34:47": keep both parts.
std::string read_time(Tokens& tokens) {
  std::string time(tokens.next());
  if (looks_like_date(time) && tokens.peek().find(':') != std::string_view::npos) {
    time += ' ';
    time += tokens.next();
  }
  return time;
}

// ---- show protocols ---------------------------------------------------------

Protocol parse_protocol_row(std::string_view text) {
  Tokens tokens(text);
  Protocol protocol;
  protocol.name = tokens.next();
  protocol.proto = tokens.next();
  protocol.table = tokens.next();
  protocol.state = tokens.next();
  protocol.since = read_time(tokens);
  protocol.info = tokens.rest();
  if (protocol.since.empty()) {
    throw ProtocolError("bird: short protocol row: " + std::string(text));
  }
  return protocol;
}

// "3 imported, 1 filtered, 5 exported, 2 preferred"
void parse_route_counts(std::string_view text, Channel& channel) {
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    Tokens tokens(text.substr(0, comma));
    const std::optional<std::uint32_t> count = parse_number<std::uint32_t>(tokens.next());
    const std::string_view what = tokens.next();
    if (count) {
      if (what == "imported") channel.imported = *count;
      if (what == "filtered") channel.filtered = *count;
      if (what == "exported") channel.exported = *count;
      if (what == "preferred") channel.preferred = *count;
    }
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
}

void apply_bgp_detail(std::string_view text, BgpSession& session) {
  const std::string_view line = trim(text);
  if (line.starts_with("Channel ")) {
    Channel channel;
    channel.name = trim(line.substr(8));
    session.channels.push_back(std::move(channel));
    return;
  }
  // Lines without a colon are capability names ("Route refresh", ...).
  const auto key_value = split_key_value(line);
  if (!key_value) return;
  const auto [key, value] = *key_value;

  if (!session.channels.empty()) {
    Channel& channel = session.channels.back();
    if (key == "State") channel.state = value;
    if (key == "Table") channel.table = value;
    if (key == "Preference") channel.preference = parse_number<int>(value).value_or(0);
    if (key == "Routes") parse_route_counts(value, channel);
    return;
  }
  if (key == "BGP state") session.state = value;
  if (key == "Neighbor address") session.neighbor_address = value;
  if (key == "Neighbor AS") session.neighbor_as = parse_number<std::uint32_t>(value);
  if (key == "Local AS") session.local_as = parse_number<std::uint32_t>(value);
  if (key == "Neighbor ID") session.neighbor_id = value;
  if (key == "Source address") session.source_address = value;
  if (key == "Last error") session.last_error = value;
}

// ---- show route all ---------------------------------------------------------

// "10.110.0.0/16        unicast [peer 12:34:48.385 from 10.1.1.1] * (100/?) [AS65151i]"
// An empty first column means "another route for the previous prefix".
Route parse_route_row(std::string_view text, const std::string& table,
                      const std::string& previous_prefix) {
  Route route;
  route.table = table;
  Tokens tokens(text);
  route.prefix =
      (!text.empty() && is_space(text.front())) ? previous_prefix : std::string(tokens.next());
  const std::string_view after_prefix = tokens.rest();
  const std::size_t open = after_prefix.find('[');
  const std::size_t close = after_prefix.find(']', open);
  if (route.prefix.empty() || open == std::string_view::npos || close == std::string_view::npos) {
    throw ProtocolError("bird: unexpected route row: " + std::string(text));
  }
  route.destination = trim(after_prefix.substr(0, open));

  Tokens source(after_prefix.substr(open + 1, close - open - 1));
  route.protocol = source.next();
  route.since = read_time(source);
  if (source.peek() == "from") {
    source.next();
    route.from = source.next();
  }

  Tokens flags(after_prefix.substr(close + 1));
  if (flags.peek() == "*" || flags.peek() == "!") {
    route.primary = true;
    flags.next();
  }
  const std::string_view preference = flags.next();  // "(200)" or "(100/?)" with IGP metric
  if (preference.starts_with('(')) {
    route.preference = parse_number<int>(preference.substr(1)).value_or(0);
  }
  return route;
}

// "\tvia 192.168.7.2 on v0 weight 2" or "\tdev v0" (optionally "mpls ...", "onlink")
NextHop parse_next_hop(std::string_view text) {
  NextHop next_hop;
  Tokens tokens(text);
  for (std::string_view word = tokens.next(); !word.empty(); word = tokens.next()) {
    if (word == "via") next_hop.gateway = tokens.next();
    if (word == "on" || word == "dev") next_hop.interface = tokens.next();
    if (word == "weight") next_hop.weight = parse_number<int>(tokens.next()).value_or(1);
  }
  return next_hop;
}

}  // namespace

// ---- typed parsers ----------------------------------------------------------

std::optional<std::string> Route::attribute(std::string_view name) const {
  const auto found = attributes.find(std::string(name));
  if (found == attributes.end()) return std::nullopt;
  return found->second;
}

std::vector<Protocol> parse_protocols(const Reply& reply) {
  std::vector<Protocol> protocols;
  for (const std::string& row : reply.texts_with_code(code::kProtocolList)) {
    protocols.push_back(parse_protocol_row(row));
  }
  return protocols;
}

BgpSession parse_bgp_session(const Reply& reply, std::string_view name) {
  std::optional<BgpSession> session;
  bool in_named_protocol = false;
  for (const ReplyLine& line : reply.lines()) {
    if (line.code == code::kProtocolList) {
      Protocol protocol = parse_protocol_row(line.text);
      in_named_protocol = protocol.name == name;
      if (in_named_protocol) {
        session.emplace();
        session->protocol = std::move(protocol);
      }
    } else if (line.code == code::kProtocolDetails && in_named_protocol) {
      apply_bgp_detail(line.text, *session);
    }
  }
  if (!session) {
    throw ProtocolError("bird: protocol '" + std::string(name) + "' is not in the reply");
  }
  if (session->protocol.proto != "BGP") {
    throw std::invalid_argument("bird: protocol '" + std::string(name) + "' is " +
                                session->protocol.proto + ", not BGP");
  }
  return *std::move(session);
}

std::vector<Route> parse_routes(const Reply& reply) {
  std::vector<Route> routes;
  std::string table;
  std::string last_attribute;
  for (const ReplyLine& line : reply.lines()) {
    const std::string_view text = line.text;
    if (line.code == code::kRouteList) {
      if (text.starts_with('\t')) {
        if (routes.empty()) throw ProtocolError("bird: next hop before any route");
        routes.back().next_hops.push_back(parse_next_hop(text));
      } else if (text.starts_with("Table ") && text.ends_with(':')) {
        table = text.substr(6, text.size() - 7);
      } else {
        routes.push_back(
            parse_route_row(text, table, routes.empty() ? std::string() : routes.back().prefix));
        last_attribute.clear();
      }
    } else if ((line.code == code::kRouteDetails || line.code == code::kRouteAttributes) &&
               !routes.empty()) {
      Route& route = routes.back();
      // Long sets (communities) wrap onto "\t\t" lines that extend the last value.
      if (text.starts_with("\t\t") && !last_attribute.empty()) {
        route.attributes[last_attribute] += " " + std::string(trim(text));
        continue;
      }
      const auto key_value = split_key_value(text);
      if (!key_value) continue;
      if (line.code == code::kRouteDetails) {
        if (key_value->first == "Type") route.type = key_value->second;
      } else {
        last_attribute = key_value->first;
        route.attributes[last_attribute] = key_value->second;
      }
    }
  }
  return routes;
}

}  // namespace hublab::bird
