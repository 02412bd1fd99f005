#include <unistd.h>

#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/probe_protocol.h"
#include "drivers/probe/probe.h"
#include "orchestrator/cli/commands.h"
#include "orchestrator/cli/lab_target.h"
#include "orchestrator/model/azure_model.h"
#include "orchestrator/observe/live_path.h"
#include "orchestrator/plan/plan_record.h"

namespace hublab::cli {

namespace {

struct Leg {
  std::string title;
  PathPrediction path;
  std::vector<std::optional<LiveStep>> live;  // by step, on a running lab
};

bool live_agrees(const Leg& leg) {
  return live_path_agrees(leg.live);
}

nlohmann::json leg_json(const Leg& leg) {
  nlohmann::json steps = nlohmann::json::array();
  for (size_t i = 0; i < leg.path.steps.size(); ++i) {
    const ModelStep& s = leg.path.steps[i];
    nlohmann::json step = {{"where", s.where}, {"route", s.route}};
    if (!s.beaten.empty()) {
      step["beaten"] = nlohmann::json::array();
      for (const EffectiveRoute& r : s.beaten) step["beaten"].push_back(route_row_text(r));
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
      out << "       beats " << route_row_text(r)
          << (r.state == "Invalid" ? "" : ": a shorter prefix") << "\n";
    if (i < leg.live.size() && leg.live[i])
      out << "       live: " << leg.live[i]->route
          << (leg.live[i]->agrees ? "" : "  <- DIFFERS from the model") << "\n";
  }
  out << "  => " << leg.path.outcome << "\n";
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
  std::optional<int> port;  // 1 to 65535, as its spec says
  if (args.value("-p")) port = args.number("-p", 0);
  AzureModel model(model_view(target));  // under the faults set, on a running lab
  const bool live = target.state && target.state->ready() && geteuid() == 0;
  const std::optional<LabPlan> plan =
      live ? std::optional(read_plan_record(target.state->plan_record(), kStaticGatewayRoutesPart))
           : std::nullopt;
  // The packet as the NSGs see it: the probe's port when none is given
  // (as trace sends it); to a VM, its answer as the model sends it back.
  const ProbeProtocol kind = *parse_protocol(protocol);
  const int probed = probe::probed_port(kind, port.value_or(0));
  std::vector<Leg> legs;
  auto add_leg = [&](std::string title, PathPrediction path, Ipv4 destination) {
    Leg leg{std::move(title), std::move(path), {}};
    if (live) leg.live = read_live_path(*target.state, lab, *plan, leg.path, destination);
    legs.push_back(std::move(leg));
  };
  const std::string title = from->name + " -> " + args.operand(2) + " (" + address->str() + ")";
  if (to) {
    PairPrediction pair = model.pair(*from, *to, kind, probed);
    const bool there = pair.forward.delivered;
    add_leg(title, std::move(pair.forward), *address);
    if (there)
      add_leg("and back, " + to->name + " -> " + from->name, std::move(pair.back),
              lab.vm_address(*from));
  } else {
    add_leg(title, model.path(*from, *address, Flow{.protocol = kind, .destination_port = probed}),
            *address);
  }
  const std::vector<Fault> faults = target.state ? target.state->faults() : std::vector<Fault>{};
  bool reached = true, agrees = true;
  for (const Leg& leg : legs) {
    reached &= leg.path.delivered;
    agrees &= live_agrees(leg);
  }
  // Azure routes by destination alone; the network security groups look
  // at the protocol and port.
  const std::string traffic =
      protocol + (probed ? " port " + std::to_string(probed) : "") +
      (lab.nsgs.empty() ? ": routed by destination alone (the lab has no network security groups)"
                        : ": routed by destination, filtered by the NSGs on its way");
  if (args.flag("--json")) {
    nlohmann::json out = {{"lab", lab.name},
                          {"reachable", reached},
                          {"live", live},
                          {"protocol", protocol},
                          {"traffic", traffic}};
    if (port) out["port"] = *port;
    out["faults"] = fault_lines(faults);
    if (live) out["live_agrees"] = agrees;
    out["legs"] = nlohmann::json::array();
    for (const Leg& leg : legs) out["legs"].push_back(leg_json(leg));
    std::cout << out.dump(2) << "\n";
  } else {
    std::cout << "as Azure decides it" << (live ? " (live routes from the running lab)" : "")
              << (args.value("-P") || port ? ", " + traffic : "") << ":\n";
    for (const Fault& fault : faults) std::cout << "under the fault: " << fault.str() << " down\n";
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
                         {.name = "-p", .value = "PORT", .number = true, .max = 65535}},
             .help = "the way from a VM to a VM or address as Azure decides it: each step's\n"
                     "route, the rows it beat, where and why it stops; on a running lab the\n"
                     "live route at each step beside it"},
    .run = run_explain};

}  // namespace hublab::cli
