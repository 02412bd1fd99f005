#pragma once

// A lab brought up under a name of its own for one test, and always brought
// down again: tests can run beside a user's lab of the same file.

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/command.h"
#include "tests/support/root.h"

namespace hublab::test {

std::string unique_lab_name(const std::string& stem);

// A path under /tmp of a test's own, for a file, a FIFO or a directory it
// makes there: removed, whatever it became, with the object.
struct ScratchPath {
  std::string path = "/tmp/" + unique_lab_name("path");
  ScratchPath() = default;
  ScratchPath(const ScratchPath&) = delete;
  ScratchPath& operator=(const ScratchPath&) = delete;
  ~ScratchPath();
  // A path inside it, when it is a directory.
  std::string operator/(const std::string& file) const { return path + "/" + file; }
};

// A lab file's text, written in the test itself.
struct LabText {
  std::string toml;
};

class ScratchLab {
 public:
  ScratchLab(const std::string& file, const std::string& stem,
             const std::vector<std::string>& up_options = {});
  // Brought up from a file of its own, removed once it is up.
  ScratchLab(const LabText& text, const std::string& stem,
             const std::vector<std::string>& up_options = {});
  ~ScratchLab();
  ScratchLab(const ScratchLab&) = delete;
  ScratchLab& operator=(const ScratchLab&) = delete;

  const std::string& name() const { return name_; }
  const CommandResult& up_result() const { return up_; }
  std::string netns(const std::string& node) const { return name_ + "." + node; }
  CommandResult exec(const std::string& node, const std::vector<std::string>& command) const;
  // True when one ping from `from` to `address` gets an answer within a second.
  bool pings(const std::string& from, const std::string& address) const;

 private:
  std::string name_;
  CommandResult up_;
};

// A lab a test brings up itself (under its own environment, say): brought
// down when the test ends, whatever its outcome.
class DownOnExit {
 public:
  explicit DownOnExit(std::string lab) : lab_(std::move(lab)) {}
  ~DownOnExit();
  DownOnExit(const DownOnExit&) = delete;
  DownOnExit& operator=(const DownOnExit&) = delete;

 private:
  std::string lab_;
};

// What the host's own network looks like, to compare before and after.
std::string host_network_snapshot();
// Namespaces, mounts and state a lab of this name left behind; empty if none.
std::string leftovers_of(const std::string& lab);

bool running_as_root();

// labs/multi-hub-internet-vpn.toml of the source tree.
std::string reference_lab();
// labs/FILE of the source tree.
std::string lab_path(const std::string& file);

// Edits of a lab's text. `from` must be there: the test fails otherwise.
void replace_once(std::string& text, const std::string& from, const std::string& to);
// Without its [expect], `check` holds a lab to the Azure model alone.
void drop_expectations(std::string& text);

// `hublab check LAB --json`, which must pass (exit 0): its report.
nlohmann::json passing_check(const std::string& lab);
// Every VM's effective routes agree with the model, in a check's report.
bool every_vm_agrees(const nlohmann::json& report);

// A copy of any lab file, edited; removed with the object.
class EditedLab {
 public:
  EditedLab(const std::string& file, const std::function<void(std::string&)>& edit);
  ~EditedLab();
  EditedLab(const EditedLab&) = delete;
  EditedLab& operator=(const EditedLab&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A copy of the reference lab with `extra` appended (per-side overrides of
// the connection, expectations, ...) and, if given, another [lab] name;
// `edit`, if given, changes the reference lab's text before `extra` is
// appended.
class LabVariant : public EditedLab {
 public:
  explicit LabVariant(const std::string& extra, const std::string& name = "",
                      const std::function<void(std::string&)>& edit = {});
};

}  // namespace hublab::test
