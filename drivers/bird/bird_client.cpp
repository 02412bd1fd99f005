#include "drivers/bird/bird_client.h"

#include <poll.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <utility>

namespace hublab::bird {

namespace {

using Clock = std::chrono::steady_clock;

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

bool is_bird_symbol(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front())) != 0) return false;
  return std::all_of(name.begin(), name.end(),
                     [](unsigned char c) { return std::isalnum(c) != 0 || c == '_'; });
}

void require_bird_symbol(std::string_view what, std::string_view name) {
  // Names go into a command line; anything but a plain symbol could change
  // the command (spaces, quotes, glob characters, newlines).
  if (!is_bird_symbol(name)) {
    throw std::invalid_argument("bird: invalid " + std::string(what) + " name: '" +
                                std::string(name) + "'");
  }
}

// ---- socket helpers ---------------------------------------------------------

class ScopedFd {
 public:
  explicit ScopedFd(int fd) : fd_(fd) {}
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  ~ScopedFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

std::string errno_text(int error_number) {
  return std::strerror(error_number);
}

int milliseconds_until(Clock::time_point deadline) {
  const auto remaining = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::max<std::chrono::milliseconds::rep>(0, remaining.count()));
}

// Waits for `events` on `fd` until the deadline; false on timeout.
bool wait_for(int fd, short events, Clock::time_point deadline) {
  while (true) {
    pollfd descriptor{.fd = fd, .events = events, .revents = 0};
    const int ready = ::poll(&descriptor, 1, milliseconds_until(deadline));
    if (ready > 0) return true;
    if (ready == 0) return false;
    if (errno != EINTR) throw ConnectionError("bird: poll: " + errno_text(errno));
  }
}

// Blocks until something is created in the socket's directory (or a short
// slice passes), so a freshly started BIRD is picked up the moment its socket
// appears. The slice covers what inotify cannot see: the gap between BIRD's
// bind() and listen(), and a directory that does not exist yet.
void wait_for_socket_file(int inotify_fd, Clock::time_point deadline) {
  constexpr int kRetrySliceMs = 10;
  const int wait_ms = std::min(kRetrySliceMs, milliseconds_until(deadline));
  pollfd descriptor{.fd = inotify_fd, .events = POLLIN, .revents = 0};
  if (::poll(&descriptor, inotify_fd >= 0 ? 1 : 0, wait_ms) > 0) {
    char events[4096];
    while (::read(inotify_fd, events, sizeof events) > 0) {
    }
  }
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

// ---- client -----------------------------------------------------------------

Client::Client(int socket_fd, Timeouts timeouts) : socket_fd_(socket_fd), timeouts_(timeouts) {}

Client::Client(Client&& other) noexcept
    : socket_fd_(std::exchange(other.socket_fd_, -1)),
      timeouts_(other.timeouts_),
      assembler_(std::move(other.assembler_)),
      greeting_(std::move(other.greeting_)) {}

Client& Client::operator=(Client&& other) noexcept {
  if (this != &other) {
    close_socket();
    socket_fd_ = std::exchange(other.socket_fd_, -1);
    timeouts_ = other.timeouts_;
    assembler_ = std::move(other.assembler_);
    greeting_ = std::move(other.greeting_);
  }
  return *this;
}

Client::~Client() {
  close_socket();
}

void Client::close_socket() noexcept {
  if (socket_fd_ >= 0) ::close(socket_fd_);
  socket_fd_ = -1;
}

Client Client::connect(const std::filesystem::path& socket_path, Timeouts timeouts) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string path = socket_path.string();
  if (path.empty() || path.size() >= sizeof address.sun_path) {
    throw ConnectionError("bird: socket path empty or too long for AF_UNIX: " + path);
  }
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);

  const Clock::time_point deadline = Clock::now() + timeouts.connect;
  ScopedFd inotify(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  if (inotify.get() >= 0) {
    const std::filesystem::path directory =
        socket_path.has_parent_path() ? socket_path.parent_path() : std::filesystem::path(".");
    // Failure (directory not there yet) is fine: wait_for_socket_file falls back to slices.
    ::inotify_add_watch(inotify.get(), directory.c_str(), IN_CREATE);
  }

  while (true) {
    ScopedFd socket_fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (socket_fd.get() < 0) throw ConnectionError("bird: socket: " + errno_text(errno));
    if (::connect(socket_fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) ==
        0) {
      Client client(socket_fd.release(), timeouts);
      const Reply greeting = client.read_reply(Clock::now() + timeouts.reply);
      if (greeting.final_line().code != code::kWelcome) {
        throw ConnectionError("bird: unexpected greeting on " + path + ": " +
                              greeting.final_line().text);
      }
      client.greeting_ = greeting.final_line().text;
      return client;
    }
    // ENOENT: BIRD has not created the socket yet; ECONNREFUSED: created but
    // not listening yet (or a stale file); EAGAIN: backlog momentarily full.
    const int error = errno;
    const bool worth_retrying = error == ENOENT || error == ECONNREFUSED || error == EAGAIN;
    if (!worth_retrying || Clock::now() >= deadline) {
      throw ConnectionError("bird: cannot connect to " + path + ": " + errno_text(error));
    }
    wait_for_socket_file(inotify.get(), deadline);
  }
}

Reply Client::command(std::string_view command_line) {
  if (command_line.find_first_of("\r\n") != std::string_view::npos) {
    throw std::invalid_argument("bird: a command is a single line");
  }
  if (socket_fd_ < 0) throw ConnectionError("bird: client is not connected");
  const Clock::time_point deadline = Clock::now() + timeouts_.reply;
  send_line(std::string(command_line) + "\n", deadline);
  return read_reply(deadline);
}

Reply Client::checked_command(std::string_view command_line) {
  Reply reply = command(command_line);
  reply.throw_if_error(command_line);
  return reply;
}

void Client::send_line(std::string_view line, Clock::time_point deadline) {
  while (!line.empty()) {
    const ssize_t sent = ::send(socket_fd_, line.data(), line.size(), MSG_NOSIGNAL);
    if (sent >= 0) {
      line.remove_prefix(static_cast<std::size_t>(sent));
      continue;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      const int error = errno;
      close_socket();
      throw ConnectionError("bird: send: " + errno_text(error));
    }
    if (!wait_for(socket_fd_, POLLOUT, deadline)) {
      close_socket();
      throw ConnectionError("bird: timed out sending a command");
    }
  }
}

Reply Client::read_reply(Clock::time_point deadline) {
  char buffer[65536];
  while (!assembler_.complete()) {
    // After a timeout or a broken reply the stream is out of step (a late
    // reply would be taken for the next command's), so the client gives up
    // the connection instead of carrying on.
    if (!wait_for(socket_fd_, POLLIN, deadline)) {
      close_socket();
      throw ConnectionError("bird: timed out waiting for a reply");
    }
    const ssize_t received = ::recv(socket_fd_, buffer, sizeof buffer, 0);
    if (received < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
      const int error = errno;
      close_socket();
      throw ConnectionError("bird: recv: " + errno_text(error));
    }
    if (received == 0) {
      close_socket();
      throw ConnectionError("bird: connection closed in the middle of a reply");
    }
    try {
      assembler_.feed(std::string_view(buffer, static_cast<std::size_t>(received)));
    } catch (const ProtocolError&) {
      close_socket();
      throw;
    }
  }
  return assembler_.take();
}

std::vector<Protocol> Client::protocols() {
  return parse_protocols(checked_command("show protocols"));
}

BgpSession Client::bgp_session(std::string_view protocol_name) {
  require_bird_symbol("protocol", protocol_name);
  // Quoted, the name is a pattern: an unknown name then gets "8003 No
  // protocols match" instead of a puzzling "9001 syntax error, unexpected
  // CF_SYM_UNDEFINED".
  const std::string command = "show protocols all \"" + std::string(protocol_name) + "\"";
  return parse_bgp_session(checked_command(command), protocol_name);
}

std::vector<Route> Client::routes(std::string_view table) {
  require_bird_symbol("table", table);
  return parse_routes(checked_command("show route all table " + std::string(table)));
}

std::string Client::configure() {
  return checked_command("configure").final_line().text;
}

}  // namespace hublab::bird
