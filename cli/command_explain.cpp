#include <unistd.h>

#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.h"
#include "cli/lab_target.h"
#include "model/azure_model.h"
#include "observe/effective_routes.h"

namespace hublab::cli {

namespace {

std::string row_text(const EffectiveRoute& r) {
  return r.prefix.str() + " " + r.next_hop_type +
         (r.next_hop_ip.empty() ? "" : " " + r.next_hop_ip) + " (" + r.source + ", " + r.state +
         ")";
}

// The row the live lab uses for `destination` at a VM's NIC: the longest
// active prefix holding it.
std::optional<EffectiveRoute> live_choice(const std::vector<EffectiveRoute>& rows,
                                          Ipv4 destination) {
  std::optional<EffectiveRoute> best;
  for (const EffectiveRoute& r : rows)
    if (r.state == "Active" && r.prefix.contains(destination) &&
        (!best || r.prefix.length > best->prefix.length))
      best = r;
  return best;
}

struct Leg {
  std::string title;
  PathPrediction path;
  std::optional<EffectiveRoute> live;  // at the source NIC, on a running lab
};

nlohmann::json leg_json(const Leg& leg) {
  nlohmann::json steps = nlohmann::json::array();
  for (const ModelStep& s : leg.path.steps) {
    nlohmann::json step = {{"where", s.where}, {"route", s.route}};
    if (!s.beaten.empty()) {
      step["beaten"] = nlohmann::json::array();
      for (const EffectiveRoute& r : s.beaten) step["beaten"].push_back(row_text(r));
    }
    steps.push_back(step);
  }
  nlohmann::json out = {{"leg", leg.title},
                        {"delivered", leg.path.delivered},
                        {"steps", steps},
                        {"outcome", leg.path.outcome}};
  if (leg.live) {
    const auto& chosen = leg.path.steps.front().chosen;
    out["live_route"] = row_text(*leg.live);
    out["live_agrees"] = chosen && *chosen == *leg.live;
  }
  return out;
}

void print_leg(std::ostream& out, const Leg& leg) {
  out << leg.title << "\n";
  int n = 1;
  for (const ModelStep& s : leg.path.steps) {
    out << "  " << n++ << ". " << s.where << ": " << s.route << "\n";
    for (const EffectiveRoute& r : s.beaten)
      out << "       beats " << row_text(r) << (r.state == "Invalid" ? "" : ": a shorter prefix")
          << "\n";
    if (n == 2 && leg.live) {
      const bool agrees = s.chosen && *s.chosen == *leg.live;
      out << "       live: " << row_text(*leg.live) << (agrees ? "" : "  <- DIFFERS from the model")
          << "\n";
    }
  }
  out << "  => " << leg.path.outcome << "\n";
}

// The path as Azure decides it, step by step, with the route used at each
// and why it stops; on a running lab, the live route at the source NIC too.
int run_explain(const Invocation& args) {
  LabTarget target = resolve_lab(args.operand(0), LabNeed::kAny);
  const Lab& lab = *target.lab;
  const Vm* from = lab.find_vm(args.operand(1));
  if (!from)
    throw CliError(kExitBadInput, "lab '" + lab.name + "' has no VM '" + args.operand(1) + "'");
  const Vm* to = lab.find_vm(args.operand(2));
  std::optional<Ipv4> address = to ? lab.vm_address(*to) : Ipv4::parse(args.operand(2));
  if (!address)
    throw CliError(kExitBadInput,
                   "'" + args.operand(2) + "' is neither a VM of the lab nor an IPv4 address");
  AzureModel model(model_view(target));  // under the faults set, on a running lab
  const bool live = target.state && target.state->ready() && geteuid() == 0;
  auto live_at = [&](const Vm& vm, Ipv4 destination) -> std::optional<EffectiveRoute> {
    if (!live) return std::nullopt;
    return live_choice(read_effective_routes(*target.state, lab, vm), destination);
  };
  std::vector<Leg> legs;
  legs.push_back({from->name + " -> " + args.operand(2) + " (" + address->str() + ")",
                  model.path(*from, *address), live_at(*from, *address)});
  if (to && legs.front().path.delivered)
    legs.push_back({"and back, " + to->name + " -> " + from->name,
                    model.path(*to, lab.vm_address(*from)), live_at(*to, lab.vm_address(*from))});
  bool reached = true;
  for (const Leg& leg : legs) reached &= leg.path.delivered;
  if (args.flag("--json")) {
    nlohmann::json out = {{"lab", lab.name}, {"reachable", reached}, {"live", live}};
    out["legs"] = nlohmann::json::array();
    for (const Leg& leg : legs) out["legs"].push_back(leg_json(leg));
    std::cout << out.dump(2) << "\n";
  } else {
    std::cout << "as Azure decides it" << (live ? " (live routes from the running lab)" : "")
              << ":\n";
    for (const Leg& leg : legs) print_leg(std::cout, leg);
    std::cout << (reached ? "reachable" : "not reachable") << "\n";
  }
  return kExitOk;
}

}  // namespace

const Command kExplain{
    .spec = {.name = "explain",
             .operands = {"NAME|FILE", "FROM", "TO"},
             .options = {{.name = "--json"}},
             .help = "the way from a VM to a VM or address as Azure decides it: each step's\n"
                     "route, the rows it beat, where and why it stops"},
    .run = run_explain};

}  // namespace hublab::cli
