#pragma once

// Azure resources as the az CLI prints them (`az network vnet list`, `nic
// list`, ...: an array, properties flattened into each object), as the REST
// API returns them (`{"value": [...]}`, properties under "properties"), or
// one resource alone; any number of files in any order. Each resource is
// indexed by its ID, which Azure compares without case. Knows nothing of
// labs: what a resource means is lab_from_azure's business.

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/ascii.h"

namespace hublab {

// Bad input: names the file, and where it can the resource or the line.
class ImportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct AzureResource {
  std::string id;               // as written
  std::string type;             // lower case: "microsoft.network/virtualnetworks"
  std::string type_as_written;  // "Microsoft.Network/virtualNetworks"
  std::string name;
  nlohmann::json properties;  // the resource's properties, wherever the shape put them
  std::string resource_group;
  std::string file;  // where it came from
};

// The type of a resource ID, lower case
// ("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/x"
// is "microsoft.network/virtualnetworks/subnets"); empty when it is no resource ID.
std::string type_of_id(const std::string& id);
// The ID of the resource that holds a child (the subnet's VNet); empty for a top-level one.
std::string parent_of_id(const std::string& id);
// The last name in an ID ("default" above).
std::string name_of_id(const std::string& id);

class AzureInventory {
 public:
  // Reads each file (a regular file of at most 64 MB, JSON). Throws ImportError.
  static AzureInventory read(const std::vector<std::string>& files);
  // One document's resources, its text already read (`path` names it in errors).
  void add_document(const std::string& text, const std::string& path);

  const std::vector<AzureResource>& resources() const { return resources_; }
  std::vector<const AzureResource*> of_type(const std::string& type) const;
  const AzureResource* find(const std::string& id) const;

 private:
  void add(AzureResource resource);
  std::vector<AzureResource> resources_;
  std::map<std::string, size_t> by_id_;  // lower-case ID
};

}  // namespace hublab
