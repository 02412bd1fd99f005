#include "orchestrator/import/azure_resources.h"

#include <algorithm>
#include <cctype>
#include <sstream>

#include "base/regular_file.h"
#include "orchestrator/import/arm_template.h"

namespace hublab {

namespace {

constexpr size_t kMaxFileBytes = size_t{64} << 20;

std::vector<std::string> split_id(const std::string& id) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(id);
  while (std::getline(in, part, '/'))
    if (!part.empty()) parts.push_back(part);
  return parts;
}

// Where "providers" starts the type, or the parts' size when it does not.
size_t providers_at(const std::vector<std::string>& parts) {
  for (size_t i = 0; i < parts.size(); ++i)
    if (ascii_lower(parts[i]) == "providers") return i;
  return parts.size();
}

std::string read_text(const std::string& path) {
  auto read = read_regular_file(path, kMaxFileBytes);
  if (auto* refused = std::get_if<FileRefusal>(&read))
    throw ImportError(path + ": " + refusal_reason(*refused));
  return std::move(std::get<std::string>(read));
}

// "line L, column C" of a byte offset into the text.
std::string position_of(const std::string& text, size_t offset) {
  size_t line = 1, column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return std::to_string(line) + ":" + std::to_string(column);
}

}  // namespace

std::string type_of_id(const std::string& id) {
  const std::vector<std::string> parts = split_id(id);
  const size_t at = providers_at(parts);
  // providers/NAMESPACE/TYPE/NAME[/CHILD/NAME...]
  if (at + 3 >= parts.size()) return "";
  std::string type = parts[at + 1];
  for (size_t i = at + 2; i < parts.size(); i += 2) type += "/" + parts[i];
  return ascii_lower(type);
}

std::string parent_of_id(const std::string& id) {
  const std::vector<std::string> parts = split_id(id);
  const size_t at = providers_at(parts);
  if (at + 5 > parts.size()) return "";  // a top-level resource
  std::string parent;
  for (size_t i = 0; i + 2 < parts.size(); ++i) parent += "/" + parts[i];
  return parent;
}

std::string name_of_id(const std::string& id) {
  const std::vector<std::string> parts = split_id(id);
  return parts.empty() ? "" : parts.back();
}

AzureInventory AzureInventory::read(const std::vector<std::string>& files) {
  AzureInventory inventory;
  for (const std::string& path : files) inventory.add_document(read_text(path), path);
  return inventory;
}

void AzureInventory::add_document(const std::string& text, const std::string& path) {
  nlohmann::json document;
  try {
    document = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& error) {
    std::string what = error.what();
    const size_t colon = what.find("syntax error");
    throw ImportError(path + ":" + position_of(text, error.byte ? error.byte - 1 : 0) +
                      ": not JSON (" + (colon == std::string::npos ? what : what.substr(colon)) +
                      ")");
  } catch (const nlohmann::json::exception& error) {
    // A number beyond a double's range is no parse error to nlohmann but
    // out_of_range (found by fuzzing).
    throw ImportError(path + ": not JSON that can be read (" + error.what() + ")");
  }
  std::vector<nlohmann::json> items;
  if (document.is_array()) {
    items.assign(document.begin(), document.end());
  } else if (document.is_object() && document.contains("value") && document["value"].is_array()) {
    items.assign(document["value"].begin(), document["value"].end());  // a REST list
  } else if (is_arm_template(document)) {
    items = arm_template_resources(document, path);
  } else if (document.is_object()) {
    items.push_back(document);
  } else {
    throw ImportError(path + ": neither a resource, a list of resources nor {\"value\": [...]}");
  }
  for (size_t i = 0; i < items.size(); ++i) {
    const nlohmann::json& item = items[i];
    const std::string where = path + ": resource " + std::to_string(i + 1);
    if (!item.is_object()) throw ImportError(where + " is not an object");
    auto text_of = [&](const char* key) {
      return item.contains(key) && item[key].is_string() ? item[key].get<std::string>() : "";
    };
    AzureResource r{.id = text_of("id"),
                    .type = ascii_lower(text_of("type")),
                    .type_as_written = text_of("type"),
                    .name = text_of("name")};
    if (r.id.empty() || r.type.empty() || r.name.empty())
      throw ImportError(where + ": no id, type or name (is this az's JSON of a resource?)");
    if (type_of_id(r.id) != r.type)
      throw ImportError(where + " (" + r.name + "): its id is no " + text_of("type") + "'s");
    r.properties =
        item.contains("properties") && item["properties"].is_object() ? item["properties"] : item;
    r.resource_group = text_of("resourceGroup");
    r.file = path;
    add(std::move(r));
  }
}

void AzureInventory::add(AzureResource resource) {
  const std::string key = ascii_lower(resource.id);
  auto it = by_id_.find(key);
  if (it != by_id_.end()) {
    // The same resource in two files (vnet list and vnet show): one.
    return;
  }
  by_id_[key] = resources_.size();
  resources_.push_back(std::move(resource));
}

std::vector<const AzureResource*> AzureInventory::of_type(const std::string& type) const {
  std::vector<const AzureResource*> found;
  for (const AzureResource& r : resources_)
    if (r.type == type) found.push_back(&r);
  return found;
}

const AzureResource* AzureInventory::find(const std::string& id) const {
  auto it = by_id_.find(ascii_lower(id));
  return it == by_id_.end() ? nullptr : &resources_[it->second];
}

}  // namespace hublab
