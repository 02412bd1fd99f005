#include "orchestrator/state/lab_state.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "base/file_lock.h"
#include "base/hex.h"
#include "base/private_file.h"
#include "base/system_error.h"
#include "orchestrator/lab/naming.h"

namespace hublab {

namespace {

UniqueFd open_dir(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd && errno != ENOENT) throw system_error("opening " + dir);
  return fd;
}

// Still the lab's directory, not one removed while we waited for its lock
// (and perhaps made again by another `up`).
bool still_there(int fd, const std::string& dir) {
  struct stat held, now;
  return fstat(fd, &held) == 0 && held.st_nlink > 0 && stat(dir.c_str(), &now) == 0 &&
         held.st_dev == now.st_dev && held.st_ino == now.st_ino;
}

std::string holders_of(int fd) {
  std::string text;
  for (pid_t pid : lock_holders(fd)) {
    if (pid == ::getpid()) continue;
    text += (text.empty() ? "" : ", ") + describe_process(pid);
  }
  return text.empty() ? "another hublab" : text;
}

// Journals and lists: one entry a line, blank lines skipped.
std::vector<std::string> read_lines(const std::string& path) {
  std::vector<std::string> lines;
  std::istringstream in(read_private_file(path));
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  return lines;
}

void write_lines(const std::string& path, const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  write_private_file(path, text, 0600);
}

}  // namespace

std::string LabState::root() {
  const char* override_dir = std::getenv("HUBLAB_STATE_DIR");
  return override_dir && *override_dir ? override_dir : "/run/hublab";
}

bool LabState::valid_name(const std::string& lab) {
  if (lab.empty() || lab.size() > naming::kMaxLabName ||
      !std::isalnum(static_cast<unsigned char>(lab[0])))
    return false;
  return std::all_of(lab.begin(), lab.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

std::string LabState::dir_of(const std::string& lab) {
  // The name becomes a path that `down` removes: never "..", "/" or empty.
  if (!valid_name(lab)) throw std::invalid_argument("'" + lab + "' is not a lab name");
  return root() + "/" + lab;
}

LabState::LabState(std::string lab, UniqueFd lock)
    : lab_(std::move(lab)), dir_(dir_of(lab_)), lock_(std::move(lock)) {}

LabState LabState::create(const std::string& lab) {
  if (mkdir(root().c_str(), 0700) != 0 && errno != EEXIST) throw system_error("creating " + root());
  std::string dir = dir_of(lab);
  // Held while a name is claimed, a few microseconds: between an up's mkdir
  // and its lock, another up would take the new directory for one left by
  // an interrupted up.
  const std::string claims = root() + "/.claims";
  UniqueFd claiming(::open(claims.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0600));
  if (!claiming) throw system_error("opening " + claims);
  lock_file(claiming.get(), LockMode::kExclusive);
  if (mkdir(dir.c_str(), 0700) == 0) {
    UniqueFd fd = open_dir(dir);
    if (!fd) throw system_error("opening " + dir);
    // Only a `down` (or fault) that opened it this instant can hold it: that
    // down removes it, and this up is refused.
    lock_file(fd.get(), LockMode::kExclusive);
    if (!still_there(fd.get(), dir))
      throw std::runtime_error("lab '" + lab + "' was taken down as it was brought up");
    return LabState(lab, std::move(fd));
  }
  if (errno != EEXIST) throw system_error("creating " + dir);
  // Refused at once, never after waiting: a second `up` would find the lab
  // up (or gone) only to say so later.
  UniqueFd fd = open_dir(dir);
  LabState existing(lab, UniqueFd());
  if (fd && existing.ready())
    throw std::runtime_error("lab '" + lab + "' is already up (hublab down " + lab + ")");
  if (fd && !try_lock_file(fd.get(), LockMode::kExclusive))
    throw std::runtime_error("lab '" + lab + "' is being brought up or down by " +
                             holders_of(fd.get()));
  throw std::runtime_error("lab '" + lab +
                           "' was left half made by an earlier up that was interrupted "
                           "(hublab down " +
                           lab + " removes it)");
}

std::optional<LabState> LabState::open(const std::string& lab, Access access,
                                       const Waiting& waiting) {
  const std::string dir = dir_of(lab);
  const LockMode mode = access == Access::kChange ? LockMode::kExclusive : LockMode::kShared;
  for (;;) {
    UniqueFd fd = open_dir(dir);
    if (!fd) return std::nullopt;
    if (!try_lock_file(fd.get(), mode)) {
      if (waiting) waiting(holders_of(fd.get()));
      lock_file(fd.get(), mode);
    }
    if (still_there(fd.get(), dir)) return LabState(lab, std::move(fd));
    // Removed while we waited: look again (another up may have made it anew).
  }
}

std::optional<LabState> LabState::peek(const std::string& lab) {
  struct stat st;
  if (stat(dir_of(lab).c_str(), &st) != 0) return std::nullopt;
  return LabState(lab, UniqueFd());
}

std::vector<std::string> LabState::list() {
  std::vector<std::string> labs;
  std::error_code ignored;
  for (const auto& entry : std::filesystem::directory_iterator(root(), ignored))
    if (entry.is_directory()) labs.push_back(entry.path().filename().string());
  std::sort(labs.begin(), labs.end());
  return labs;
}

void LabState::save_lab(const std::string& source_path, const std::string& text) {
  write_private_file(dir_ + "/lab.toml", text, 0600);
  write_private_file(dir_ + "/source", source_path + "\n", 0600);
}

std::string LabState::source_path() const {
  std::string text = read_private_file(dir_ + "/source");
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

std::string LabState::lab_text() const {
  return read_private_file(dir_ + "/lab.toml");
}

// Hex, so that any byte a key file holds survives the line format; "-" for
// an empty key, which the format could not hold otherwise.
void LabState::save_keys(const SharedKeys& keys) {
  auto field = [](const std::string& key) { return key.empty() ? "-" : to_hex(key); };
  std::string text;
  for (const auto& [connection, sides] : keys)
    text += connection + " " + field(sides[0]) + " " + field(sides[1]) + "\n";
  write_private_file(dir_ + "/keys", text, 0600);
}

SharedKeys LabState::keys() const {
  SharedKeys keys;
  std::istringstream lines(read_private_file(dir_ + "/keys"));
  std::string connection, side0, side1;
  while (lines >> connection >> side0 >> side1)
    keys[connection] = {side0 == "-" ? "" : from_hex(side0), side1 == "-" ? "" : from_hex(side1)};
  return keys;
}

void LabState::save_plan_record(const std::string& record) {
  write_private_file(dir_ + "/plan", record, 0600);
}

std::string LabState::plan_record() const {
  if (!std::filesystem::exists(dir_ + "/plan"))
    throw std::runtime_error("lab '" + lab_ +
                             "' keeps no plan: an older hublab brought it up; bring it down "
                             "(hublab down " +
                             lab_ + ") and up again");
  return read_private_file(dir_ + "/plan");
}

void LabState::save_hops_visible(bool visible) {
  write_private_file(dir_ + "/hops", visible ? "visible\n" : "hidden\n", 0600);
}

bool LabState::hops_visible() const {
  return read_private_file(dir_ + "/hops") == "visible\n";
}

void LabState::save_last_check(const std::string& json) {
  write_private_file(dir_ + "/last-check.json", json, 0600);
}

std::string LabState::last_check() const {
  return read_private_file(dir_ + "/last-check.json");
}

void LabState::save_faults(const std::vector<Fault>& faults) {
  write_lines(dir_ + "/faults", fault_lines(faults));
}

std::vector<Fault> LabState::faults() const {
  std::vector<Fault> faults;
  for (const std::string& line : read_lines(dir_ + "/faults")) {
    auto fault = Fault::parse(line);
    if (!fault)
      throw std::runtime_error(dir_ + "/faults: '" + line + "' is no fault hublab records");
    faults.push_back(*fault);
  }
  return faults;
}

void LabState::record_namespace(const std::string& netns) {
  // Appended before the namespace exists: a kill between the two leaves a
  // name that `down` skips, never a namespace that it does not know.
  std::string path = dir_ + "/namespaces";
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  std::string line = netns + "\n";
  if (!fd || ::write(fd.get(), line.data(), line.size()) != static_cast<ssize_t>(line.size()))
    throw system_error("recording namespace in " + path);
}

void LabState::forget_namespace(const std::string& netns) {
  std::vector<std::string> names = namespaces();
  names.erase(std::remove(names.begin(), names.end(), netns), names.end());
  write_lines(dir_ + "/namespaces", names);
}

std::vector<std::string> LabState::namespaces() const {
  return read_lines(dir_ + "/namespaces");
}

void LabState::record_daemon(const DaemonRecord& daemon) {
  std::string path = dir_ + "/daemons";
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  std::string line = daemon.kind + " " + daemon.node + " " + daemon.id.str() + "\n";
  if (!fd || ::write(fd.get(), line.data(), line.size()) != static_cast<ssize_t>(line.size()))
    throw system_error("recording daemon in " + path);
}

std::map<std::string, DaemonId> LabState::daemons_of(const std::string& kind) const {
  std::map<std::string, DaemonId> found;
  for (const DaemonRecord& daemon : daemons())
    if (daemon.kind == kind) found[daemon.node] = daemon.id;
  return found;
}

std::vector<LabState::DaemonRecord> LabState::daemons() const {
  std::vector<DaemonRecord> records;
  std::istringstream lines(read_private_file(dir_ + "/daemons"));
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    DaemonRecord record;
    if (fields >> record.kind >> record.node >> record.id.pid >> record.id.start_time)
      records.push_back(record);
  }
  return records;
}

std::string LabState::make_daemon_dir(const std::string& kind, const std::string& node) {
  std::string parent = dir_ + "/" + kind;
  std::string dir = daemon_dir(kind, node);
  if (mkdir(parent.c_str(), 0700) != 0 && errno != EEXIST) throw system_error("creating " + parent);
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) throw system_error("creating " + dir);
  return dir;
}

void LabState::mark_ready() {
  write_private_file(dir_ + "/ready", std::to_string(::time(nullptr)) + "\n", 0600);
}

bool LabState::ready() const {
  struct stat st;
  return stat((dir_ + "/ready").c_str(), &st) == 0;
}

std::optional<long> LabState::ready_age_seconds() const {
  if (!ready()) return std::nullopt;
  return static_cast<long>(::time(nullptr)) - std::atol(read_private_file(dir_ + "/ready").c_str());
}

void LabState::remove() {
  std::error_code error;
  std::filesystem::remove_all(dir_, error);
  if (error) throw std::runtime_error("removing " + dir_ + ": " + error.message());
}

}  // namespace hublab
