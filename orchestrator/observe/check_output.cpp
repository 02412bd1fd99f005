#include "orchestrator/observe/check_output.h"

#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

namespace hublab {

namespace {

std::string fixed(double value, int decimals) {
  char text[32];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

std::string padded(const std::string& text, size_t width) {
  return text.size() >= width ? text + " " : text + std::string(width - text.size(), ' ');
}

std::string xml_escaped(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

std::string check_table(const CheckReport& report) {
  std::ostringstream out;
  out << "check " << report.lab << ": " << report.outcomes.size() << " expectations, "
      << report.outcomes.size() - report.failed() << " held, " << report.failed() << " failed ("
      << fixed(report.seconds, 2) << " s)\n";
  if (!report.hops_checked) out << "hop counts not checked: the lab runs with visible hops\n";
  if (!report.dead_daemons.empty()) {
    out << "not running, and no fault stopped them:";
    for (const std::string& d : report.dead_daemons) out << " " << d << ";";
    out << " the lab is broken (hublab status " << report.lab << "; down removes it)\n";
  }
  out << "\n"
      << padded("FROM", 14) << padded("TO", 16) << padded("PROTO", 9) << padded("EXPECTED", 20)
      << padded("SEEN", 20) << "RESULT\n";
  for (const CheckOutcome& o : report.outcomes) {
    const Expectation& e = o.expected;
    std::string proto = protocol_name(e.protocol);
    if (e.port) proto += "/" + std::to_string(e.port);
    out << padded(e.from, 14) << padded(e.to, 16) << padded(proto, 9)
        << padded(describe_expected(e, report.hops_checked), 20) << padded(o.seen, 20)
        << (o.passed ? "ok" : "FAIL: " + o.why) << (e.from_model ? "  (model)" : "") << "\n";
    if (!o.model_note.empty()) out << "  note: " << o.model_note << "\n";
  }
  if (report.outcomes.empty() && report.routes.empty())
    out << "nothing to check: zero checks is no pass\n";
  if (!report.routes.empty()) {
    out << "\neffective routes against the model: "
        << report.routes.size() - report.routes_differing() << " of " << report.routes.size()
        << " VMs agree\n";
    for (const RouteCheck& r : report.routes)
      if (!r.agrees) out << "  FAIL " << r.vm << ": " << r.difference << "\n";
  }
  return out.str();
}

std::string check_matrix(const CheckReport& report, const Lab& lab) {
  // ICMP outcomes between VMs; R reachable, . unreachable, ! against the
  // expectation, blank where nothing was checked.
  std::map<std::pair<std::string, std::string>, std::string> cells;
  for (const CheckOutcome& o : report.outcomes) {
    if (o.expected.protocol != ProbeProtocol::kIcmp || !lab.find_vm(o.expected.to)) continue;
    cells[{o.expected.from, o.expected.to}] =
        std::string(o.reachable ? "R" : ".") + (o.passed ? "" : "!");
  }
  size_t width = 4;
  for (const Vm& vm : lab.vms) width = std::max(width, vm.name.size() + 2);
  std::ostringstream out;
  out << "reachability (row: from, column: to; R reachable, . unreachable, ! not as expected)\n"
      << padded("", width);
  for (const Vm& to : lab.vms) out << padded(to.name, width);
  out << "\n";
  for (const Vm& from : lab.vms) {
    out << padded(from.name, width);
    for (const Vm& to : lab.vms) {
      auto cell = cells.find({from.name, to.name});
      out << padded(from.name == to.name ? "-" : cell == cells.end() ? "" : cell->second, width);
    }
    out << "\n";
  }
  return out.str();
}

std::string check_json(const CheckReport& report) {
  nlohmann::json out;
  out["lab"] = report.lab;
  out["passed"] = report.passed();
  out["expectations"] = report.outcomes.size();
  out["failed"] = report.failed();
  out["seconds"] = report.seconds;
  out["hops_checked"] = report.hops_checked;
  out["dead_daemons"] = report.dead_daemons;
  out["results"] = nlohmann::json::array();
  for (const CheckOutcome& o : report.outcomes) {
    const Expectation& e = o.expected;
    nlohmann::json expected = {{"reachable", e.reachable}};
    if (e.hops) expected["hops"] = {{"min", e.hops->min}, {"max", e.hops->max}};
    nlohmann::json seen = {{"reachable", o.reachable}};
    if (o.hops) seen["hops"] = *o.hops;
    if (o.rtt_ms) seen["rtt_ms"] = *o.rtt_ms;
    nlohmann::json path = nlohmann::json::array();
    for (const probe::Hop& hop : o.path)
      path.push_back({{"ttl", hop.ttl},
                      {"address", hop.address ? nlohmann::json(hop.address->str()) : nullptr},
                      {"rtt_ms", hop.rtt_ms ? nlohmann::json(*hop.rtt_ms) : nullptr}});
    seen["path"] = path;
    out["results"].push_back(
        {{"from", e.from},
         {"to", e.to},
         {"destination", e.destination.str()},
         {"protocol", protocol_name(e.protocol)},
         {"port", e.port ? nlohmann::json(e.port) : nullptr},
         {"expected", expected},
         {"seen", seen},
         {"passed", o.passed},
         {"why", o.why},
         {"retried", o.retried},
         {"source", e.from_model     ? "model"
                    : e.from_default ? "default"
                                     : "rule"},
         {"model_reachable",
          o.model_reachable ? nlohmann::json(*o.model_reachable) : nlohmann::json()},
         {"model_note", o.model_note},
         {"line", e.where.line}});
  }
  out["routes"] = nlohmann::json::array();
  for (const RouteCheck& r : report.routes)
    out["routes"].push_back({{"vm", r.vm}, {"agrees", r.agrees}, {"difference", r.difference}});
  return out.dump(2) + "\n";
}

std::string check_junit(const CheckReport& report) {
  std::ostringstream out;
  std::string time = fixed(report.seconds, 3);
  const size_t tests = report.outcomes.size() + report.routes.size();
  const size_t failures = report.failed() + report.routes_differing();
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<testsuites name=\"hublab check\" tests=\"" << tests << "\" failures=\"" << failures
      << "\" time=\"" << time << "\">\n"
      << "  <testsuite name=\"" << xml_escaped(report.lab) << "\" tests=\"" << tests
      << "\" failures=\"" << failures << "\" time=\"" << time << "\">\n";
  for (const RouteCheck& r : report.routes) {
    out << "    <testcase classname=\"" << xml_escaped(report.lab) << "\" name=\""
        << xml_escaped("effective routes of " + r.vm) << "\"";
    if (r.agrees)
      out << "/>\n";
    else
      out << ">\n      <failure message=\"" << xml_escaped(r.difference)
          << "\"/>\n    </testcase>\n";
  }
  for (const CheckOutcome& o : report.outcomes) {
    out << "    <testcase classname=\"" << xml_escaped(report.lab) << "\" name=\""
        << xml_escaped(o.expected.name()) << "\"";
    if (o.passed) {
      out << "/>\n";
    } else {
      out << ">\n      <failure message=\"" << xml_escaped(o.why) << "\">"
          << xml_escaped("expected " + describe_expected(o.expected, report.hops_checked) +
                         ", seen " + o.seen)
          << "</failure>\n    </testcase>\n";
    }
  }
  out << "  </testsuite>\n</testsuites>\n";
  return out.str();
}

std::optional<LastCheck> parse_last_check(const std::string& json) {
  nlohmann::json report = nlohmann::json::parse(json.empty() ? "null" : json, nullptr, false);
  if (!report.is_object() || !report.contains("results")) return std::nullopt;
  try {
    LastCheck last{.passed = report.at("passed").get<bool>(),
                   .expectations = report.at("expectations").get<size_t>(),
                   .failed = report.at("failed").get<size_t>(),
                   .seconds = report.at("seconds").get<double>()};
    for (const auto& r : report.at("results"))
      last.results.push_back(
          {.from = r.at("from").get<std::string>(),
           .to = r.at("to").get<std::string>(),
           .protocol =
               parse_protocol(r.at("protocol").get<std::string>()).value_or(ProbeProtocol::kIcmp),
           .reachable = r.at("seen").at("reachable").get<bool>()});
    return last;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;  // written by another version: not worth failing status for
  }
}

}  // namespace hublab
