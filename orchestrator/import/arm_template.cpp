#include "orchestrator/import/arm_template.h"

#include <cctype>

#include "orchestrator/import/azure_resources.h"

namespace hublab {

namespace {

using nlohmann::json;

constexpr const char* kSubscription = "{subscriptionId}";
constexpr const char* kResourceGroup = "{resourceGroup}";

// One template expression, evaluated as it is read: a function call whose
// arguments are calls, 'strings' or integers.
class Expression {
 public:
  Expression(const std::string& text, const json& document, const std::string& where)
      : text_(text), document_(document), where_(where) {}

  json evaluate() {
    json value = call();
    skip_spaces();
    if (at_ != text_.size()) fail("unexpected '" + text_.substr(at_) + "'");
    return value;
  }

 private:
  [[noreturn]] void fail(const std::string& why) const {
    throw ImportError(where_ + ": template expression [" + text_ + "]: " + why);
  }

  void skip_spaces() {
    while (at_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[at_]))) ++at_;
  }

  json argument() {
    skip_spaces();
    if (at_ < text_.size() && text_[at_] == '\'') {
      std::string value;
      for (++at_; at_ < text_.size(); ++at_) {
        if (text_[at_] != '\'') {
          value += text_[at_];
        } else if (at_ + 1 < text_.size() && text_[at_ + 1] == '\'') {
          value += '\'';  // '' is a quote
          ++at_;
        } else {
          ++at_;
          return value;
        }
      }
      fail("a string without its closing quote");
    }
    if (at_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[at_]))) {
      long n = 0;
      while (at_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[at_])))
        n = n * 10 + (text_[at_++] - '0');
      return n;
    }
    return call();
  }

  json call() {
    skip_spaces();
    const size_t start = at_;
    while (at_ < text_.size() &&
           (std::isalnum(static_cast<unsigned char>(text_[at_])) || text_[at_] == '_'))
      ++at_;
    const std::string name = text_.substr(start, at_ - start);
    if (name.empty()) fail("expected a function at '" + text_.substr(start) + "'");
    skip_spaces();
    if (at_ >= text_.size() || text_[at_] != '(') fail("'" + name + "' is not called");
    ++at_;
    std::vector<json> args;
    skip_spaces();
    if (at_ < text_.size() && text_[at_] == ')') {
      ++at_;
    } else {
      for (;;) {
        args.push_back(argument());
        skip_spaces();
        if (at_ < text_.size() && text_[at_] == ',') {
          ++at_;
          continue;
        }
        if (at_ < text_.size() && text_[at_] == ')') {
          ++at_;
          break;
        }
        fail("expected ',' or ')' in " + name + "()");
      }
    }
    json value = apply(ascii_lower(name), name, args);
    skip_spaces();
    if (at_ < text_.size() && (text_[at_] == '.' || text_[at_] == '['))
      fail(
          "property access is not evaluated (hublab evaluates parameters(), variables(), "
          "concat() and resourceId() only)");
    return value;
  }

  std::string text_arg(const std::vector<json>& args, size_t i, const std::string& function) {
    if (i >= args.size() || !args[i].is_string()) fail(function + "() needs string arguments");
    return args[i].get<std::string>();
  }

  json apply(const std::string& function, const std::string& written,
             const std::vector<json>& args) {
    if (function == "parameters") {
      const std::string name = text_arg(args, 0, written);
      const json parameters = document_.value("parameters", json::object());
      if (!parameters.contains(name)) fail("no parameter '" + name + "'");
      if (!parameters[name].contains("defaultValue"))
        fail("parameter '" + name + "' has no defaultValue (give the template its values)");
      return resolve(parameters[name]["defaultValue"], document_, where_);
    }
    if (function == "variables") {
      const std::string name = text_arg(args, 0, written);
      const json variables = document_.value("variables", json::object());
      if (!variables.contains(name)) fail("no variable '" + name + "'");
      return resolve(variables[name], document_, where_);
    }
    if (function == "concat") {
      std::string joined;
      for (size_t i = 0; i < args.size(); ++i) {
        if (args[i].is_string())
          joined += args[i].get<std::string>();
        else if (args[i].is_number_integer())
          joined += std::to_string(args[i].get<long>());
        else
          fail("concat() of something not a string");
      }
      return joined;
    }
    if (function == "resourceid") {
      // resourceId([subscriptionId], [resourceGroupName], type, name...):
      // the type's segments after its namespace pair with the names.
      size_t first_type = 0;
      while (first_type < args.size() &&
             text_arg(args, first_type, written).find('/') == std::string::npos)
        ++first_type;
      if (first_type == args.size() || first_type > 2) fail("resourceId() without a type");
      std::string subscription = kSubscription, group = kResourceGroup;
      if (first_type == 2) subscription = text_arg(args, 0, written);
      if (first_type >= 1) group = text_arg(args, first_type - 1, written);
      const std::string type = text_arg(args, first_type, written);
      std::vector<std::string> segments;
      for (size_t from = 0, slash; from <= type.size(); from = slash + 1) {
        slash = type.find('/', from);
        if (slash == std::string::npos) slash = type.size();
        segments.push_back(type.substr(from, slash - from));
      }
      if (segments.size() - 1 != args.size() - first_type - 1)
        fail("resourceId() of " + type + " needs " + std::to_string(segments.size() - 1) +
             " names");
      std::string id = "/subscriptions/" + subscription + "/resourceGroups/" + group +
                       "/providers/" + segments[0];
      for (size_t i = 1; i < segments.size(); ++i)
        id += "/" + segments[i] + "/" + text_arg(args, first_type + i, written);
      return id;
    }
    fail(written +
         "() is not evaluated (hublab evaluates parameters(), variables(), concat() and "
         "resourceId() only)");
  }

 public:
  // Every string of a value that is an expression, evaluated.
  // One that cannot be evaluated is added to `refused` (and is null).
  static json resolve(const json& value, const json& document, const std::string& where,
                      std::vector<std::string>& refused) {
    if (value.is_string()) {
      const std::string s = value.get<std::string>();
      if (s.size() >= 2 && s.front() == '[' && s.back() == ']') {
        if (s[1] == '[') return s.substr(1);  // "[[" starts a literal "["
        try {
          return Expression(s.substr(1, s.size() - 2), document, where).evaluate();
        } catch (const ImportError& error) {
          refused.push_back(error.what());
          return json();
        }
      }
      return value;
    }
    if (value.is_array()) {
      json out = json::array();
      for (size_t i = 0; i < value.size(); ++i)
        out.push_back(resolve(value[i], document, where + "[" + std::to_string(i) + "]", refused));
      return out;
    }
    if (value.is_object()) {
      json out = json::object();
      for (const auto& [key, v] : value.items())
        out[key] = resolve(v, document, where + "." + key, refused);
      return out;
    }
    return value;
  }

  static json resolve(const json& value, const json& document, const std::string& where) {
    std::vector<std::string> refused;
    json out = resolve(value, document, where, refused);
    if (!refused.empty()) throw ImportError(refused.front());
    return out;
  }

 private:
  std::string text_;
  const json& document_;
  std::string where_;
  size_t at_ = 0;
};

std::string text(const json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}

// What a lab needs of a resource is its type, name and properties: only
// they are evaluated (a location or tag the lab has no use for is not).
void collect(const json& resources, const json& document, const std::string& file,
             const std::string& parent_type, const std::string& parent_name,
             const std::string& path, std::vector<json>& out, std::vector<std::string>& refused) {
  if (!resources.is_array()) throw ImportError(file + ": " + path + " is not a list");
  for (size_t i = 0; i < resources.size(); ++i) {
    const std::string where = file + ": " + path + "[" + std::to_string(i) + "]";
    const json& r = resources[i];
    if (!r.is_object()) throw ImportError(where + " is not an object");
    const json type_value = Expression::resolve(r.value("type", json()), document, where + ".type");
    const json name_value = Expression::resolve(r.value("name", json()), document, where + ".name");
    if (!type_value.is_string() || !name_value.is_string())
      throw ImportError(where + ": no type or name");
    std::string type = type_value.get<std::string>(), name = name_value.get<std::string>();
    // A nested resource's type and name are relative to its parent's.
    if (!parent_type.empty() && type.find('/') == std::string::npos) {
      type = parent_type + "/" + type;
      name = parent_name + "/" + name;
    }
    std::vector<std::string> names;
    for (size_t from = 0, slash; from <= name.size(); from = slash + 1) {
      slash = name.find('/', from);
      if (slash == std::string::npos) slash = name.size();
      names.push_back(name.substr(from, slash - from));
    }
    const size_t slash = type.find('/');
    std::string id = std::string("/subscriptions/") + kSubscription + "/resourceGroups/" +
                     kResourceGroup + "/providers/" + type.substr(0, slash);
    std::vector<std::string> kinds;
    for (size_t from = slash + 1, next; from <= type.size(); from = next + 1) {
      next = type.find('/', from);
      if (next == std::string::npos) next = type.size();
      kinds.push_back(type.substr(from, next - from));
    }
    if (slash == std::string::npos || kinds.size() != names.size())
      throw ImportError(where + ": name '" + name + "' does not fit type '" + type + "'");
    for (size_t k = 0; k < kinds.size(); ++k) id += "/" + kinds[k] + "/" + names[k];
    json resource = {{"id", id},
                     {"type", type},
                     {"name", names.back()},
                     {"properties", Expression::resolve(r.value("properties", json::object()),
                                                        document, where + ".properties", refused)}};
    out.push_back(resource);
    if (r.contains("resources"))
      collect(r["resources"], document, file, type, name,
              path + "[" + std::to_string(i) + "].resources", out, refused);
  }
}

}  // namespace

bool is_arm_template(const nlohmann::json& document) {
  return document.is_object() && document.contains("resources") &&
         text(document, "$schema").find("deploymentTemplate") != std::string::npos;
}

std::vector<nlohmann::json> arm_template_resources(const nlohmann::json& document,
                                                   const std::string& file) {
  std::vector<json> out;
  std::vector<std::string> refused;
  collect(document["resources"], document, file, "", "", "resources", out, refused);
  if (!refused.empty()) {
    std::string message = std::to_string(refused.size()) + " template expression" +
                          (refused.size() > 1 ? "s" : "") + " hublab cannot evaluate:";
    for (const std::string& r : refused) message += "\n  " + r;
    throw ImportError(message);
  }
  return out;
}

}  // namespace hublab
