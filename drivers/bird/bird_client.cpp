#include "drivers/bird/bird_client.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace hublab::bird {

namespace {

using Clock = std::chrono::steady_clock;

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

}  // namespace

// ---- client -----------------------------------------------------------------

Client Client::connect(const std::filesystem::path& socket_path, Timeouts timeouts) {
  const std::string path = socket_path.string();
  try {
    Client client(UnixStream::connect(path, Clock::now() + timeouts.connect), timeouts);
    const Reply greeting = client.read_reply(Clock::now() + timeouts.reply);
    if (greeting.final_line().code != code::kWelcome)
      throw ConnectionError("bird: unexpected greeting on " + path + ": " +
                            greeting.final_line().text);
    client.greeting_ = greeting.final_line().text;
    return client;
  } catch (const UnixStreamError& error) {
    throw ConnectionError("bird: cannot connect to " + path + ": " + error.what());
  }
}

Reply Client::command(std::string_view command_line) {
  if (command_line.find_first_of("\r\n") != std::string_view::npos) {
    throw std::invalid_argument("bird: a command is a single line");
  }
  if (!stream_.is_open()) throw ConnectionError("bird: client is not connected");
  const Clock::time_point deadline = Clock::now() + timeouts_.reply;
  try {
    stream_.send_all(std::string(command_line) + "\n", deadline);
  } catch (const UnixStreamError& error) {
    throw ConnectionError(std::string("bird: ") + error.what());
  }
  return read_reply(deadline);
}

Reply Client::checked_command(std::string_view command_line) {
  Reply reply = command(command_line);
  reply.throw_if_error(command_line);
  return reply;
}

Reply Client::read_reply(Clock::time_point deadline) {
  std::string received;
  while (!assembler_.complete()) {
    try {
      // After a timeout the stream is out of step (a late reply would be
      // taken for the next command's): the client gives the connection up.
      if (!stream_.receive_some(received, deadline)) {
        stream_.close();
        throw ConnectionError("bird: timed out waiting for a reply");
      }
      assembler_.feed(received);
      received.clear();
    } catch (const UnixStreamError& error) {
      throw ConnectionError(std::string("bird: ") + error.what());
    } catch (const ProtocolError&) {
      stream_.close();
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
