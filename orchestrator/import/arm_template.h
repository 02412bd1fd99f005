#pragma once

// An ARM template with literal values, as `az group export` writes it: its
// resources as the REST API would return them. Template expressions are
// evaluated where they are plain: parameters() (by defaultValue),
// variables(), concat(), resourceId(); any other is refused, naming it and
// where it is. IDs that resourceId() makes without a subscription or
// resource group say so ({subscriptionId}, {resourceGroup}): a template
// does not know where it is deployed.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hublab {

bool is_arm_template(const nlohmann::json& document);

// Each resource, nested ones included, as {id, type, name, properties}.
// Throws ImportError naming the file and the expression.
std::vector<nlohmann::json> arm_template_resources(const nlohmann::json& document,
                                                   const std::string& file);

}  // namespace hublab
