#pragma once

// A lab file from a deployment's Azure resources (import): each resource
// hublab emulates becomes its section, named as in Azure, under a comment
// with its resource ID; what it cannot emulate is listed in the file's
// header and left out. Nothing is made up: a setting the JSON does not
// give is left to the lab format's default (which is Azure's), and said so
// where it matters (a shared key az never prints, a site's LANs).

#include <string>
#include <vector>

#include "orchestrator/import/azure_resources.h"

namespace hublab {

struct ImportedLab {
  std::string name;
  std::string text;                   // the lab file
  std::vector<std::string> left_out;  // what is not emulated, one line each
};

// Throws ImportError: an unknown resource type, a reference to a resource
// the input does not hold, a value hublab cannot read.
ImportedLab lab_from_azure(const AzureInventory& inventory, const std::vector<std::string>& files,
                           const std::string& name = "");

}  // namespace hublab
