#include <unistd.h>

#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/probe_protocol.h"
#include "orchestrator/cli/commands.h"
#include "orchestrator/cli/lab_target.h"
#include "orchestrator/model/azure_model.h"
#include "orchestrator/observe/effective_routes.h"
#include "orchestrator/observe/gateway_route.h"

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

// What the running lab does at one step of the model's path.
struct LiveStep {
  std::string route;
  bool agrees = false;
};

struct Leg {
  std::string title;
  PathPrediction path;
  std::vector<std::optional<LiveStep>> live;  // by step, on a running lab
};

bool live_agrees(const Leg& leg) {
  for (const auto& step : leg.live)
    if (step && !step->agrees) return false;
  return true;
}

nlohmann::json leg_json(const Leg& leg) {
  nlohmann::json steps = nlohmann::json::array();
  for (size_t i = 0; i < leg.path.steps.size(); ++i) {
    const ModelStep& s = leg.path.steps[i];
    nlohmann::json step = {{"where", s.where}, {"route", s.route}};
    if (!s.beaten.empty()) {
      step["beaten"] = nlohmann::json::array();
      for (const EffectiveRoute& r : s.beaten) step["beaten"].push_back(row_text(r));
    }
    if (i < leg.live.size() && leg.live[i])
      step["live"] = {{"route", leg.live[i]->route}, {"agrees", leg.live[i]->agrees}};
    steps.push_back(step);
  }
  nlohmann::json out = {{"leg", leg.title},
                        {"delivered", leg.path.delivered},
                        {"steps", steps},
                        {"outcome", leg.path.outcome}};
  if (!leg.live.empty() && leg.live.front()) {
    out["live_route"] = leg.live.front()->route;
    out["live_agrees"] = live_agrees(leg);
  }
  return out;
}

void print_leg(std::ostream& out, const Leg& leg) {
  out << leg.title << "\n";
  for (size_t i = 0; i < leg.path.steps.size(); ++i) {
    const ModelStep& s = leg.path.steps[i];
    out << "  " << i + 1 << ". " << s.where << ": " << s.route << "\n";
    for (const EffectiveRoute& r : s.beaten)
      out << "       beats " << row_text(r) << (r.state == "Invalid" ? "" : ": a shorter prefix")
          << "\n";
    if (i < leg.live.size() && leg.live[i])
      out << "       live: " << leg.live[i]->route
          << (leg.live[i]->agrees ? "" : "  <- DIFFERS from the model") << "\n";
  }
  out << "  => " << leg.path.outcome << "\n";
}

// The running lab's route at each step of the model's path: each subnet's
// effective route (the source NIC's, an appliance's, a GatewaySubnet's),
// each gateway's kernel route (with BGP's AS path).
std::vector<std::optional<LiveStep>> live_steps(LabState& state, const Lab& lab,
                                                const PathPrediction& path, Ipv4 destination) {
  std::vector<std::optional<LiveStep>> live;
  for (const ModelStep& step : path.steps) {
    if (!step.gateway.empty()) {
      auto route = read_gateway_route(state, lab, step.gateway, destination);
      if (!route) {
        live.push_back(LiveStep{"no route", false});
        continue;
      }
      live.push_back(LiveStep{route->text, route->prefix == step.prefix && route->bgp == step.bgp &&
                                               (!step.bgp || route->as_path == step.as_path)});
    } else if (!step.subnet.empty() && !lab.find_vnet(step.vnet)->on_premises) {
      auto chosen =
          live_choice(read_subnet_routes(state, lab, step.vnet, step.subnet), destination);
      live.push_back(chosen ? LiveStep{row_text(*chosen), step.chosen && *step.chosen == *chosen}
                            : LiveStep{"no route", false});
    } else {
      live.push_back(std::nullopt);
    }
  }
  return live;
}

// The path as Azure decides it, step by step, with the route used at each
// and why it stops; on a running lab, the live route at each step too.
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
  const std::string protocol = args.value("-P").value_or("icmp");
  std::optional<int> port;
  if (args.value("-p")) {
    port = args.number("-p", 0);
    if (*port < 1 || *port > 65535) throw UsageError("-p takes a port, 1 to 65535");
  }
  AzureModel model(model_view(target));  // under the faults set, on a running lab
  const bool live = target.state && target.state->ready() && geteuid() == 0;
  std::vector<Leg> legs;
  auto add_leg = [&](std::string title, const Vm& source, Ipv4 destination) {
    Leg leg{std::move(title), model.path(source, destination), {}};
    if (live) leg.live = live_steps(*target.state, lab, leg.path, destination);
    legs.push_back(std::move(leg));
  };
  add_leg(from->name + " -> " + args.operand(2) + " (" + address->str() + ")", *from, *address);
  if (to && legs.front().path.delivered)
    add_leg("and back, " + to->name + " -> " + from->name, *to, lab.vm_address(*from));
  const std::vector<std::string> faults =
      target.state ? target.state->faults() : std::vector<std::string>{};
  bool reached = true, agrees = true;
  for (const Leg& leg : legs) {
    reached &= leg.path.delivered;
    agrees &= live_agrees(leg);
  }
  // Azure routes by destination alone; only network security groups, which
  // labs do not have yet, would look at the protocol and port.
  const std::string traffic =
      protocol + (port ? " port " + std::to_string(*port) : "") +
      ": routed by destination alone (the lab has no network security groups to filter it)";
  if (args.flag("--json")) {
    nlohmann::json out = {{"lab", lab.name},
                          {"reachable", reached},
                          {"live", live},
                          {"protocol", protocol},
                          {"traffic", traffic}};
    if (port) out["port"] = *port;
    out["faults"] = faults;
    if (live) out["live_agrees"] = agrees;
    out["legs"] = nlohmann::json::array();
    for (const Leg& leg : legs) out["legs"].push_back(leg_json(leg));
    std::cout << out.dump(2) << "\n";
  } else {
    std::cout << "as Azure decides it" << (live ? " (live routes from the running lab)" : "")
              << (args.value("-P") || port ? ", " + traffic : "") << ":\n";
    for (const std::string& fault : faults) std::cout << "under the fault: " << fault << " down\n";
    for (const Leg& leg : legs) print_leg(std::cout, leg);
    std::cout << (reached ? "reachable" : "not reachable") << "\n";
    if (live && !agrees) std::cout << "the running lab DIFFERS from the model at a step above\n";
  }
  return kExitOk;
}

}  // namespace

const Command kExplain{
    .spec = {.name = "explain",
             .operands = {"NAME|FILE", "FROM", "TO"},
             .options = {{.name = "--json"},
                         {.name = "-P", .choices = protocol_names()},
                         {.name = "-p", .value = "PORT", .number = true}},
             .help = "the way from a VM to a VM or address as Azure decides it: each step's\n"
                     "route, the rows it beat, where and why it stops; on a running lab the\n"
                     "live route at each step beside it"},
    .run = run_explain};

}  // namespace hublab::cli
