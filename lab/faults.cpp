#include "lab/faults.h"

#include <algorithm>

namespace hublab {

std::string tunnel_fault(const std::string& connection) {
  return "tunnel " + connection;
}

Lab lab_under_faults(Lab lab, const std::vector<std::string>& faults) {
  std::erase_if(lab.connections, [&](const Connection& c) {
    return std::find(faults.begin(), faults.end(), tunnel_fault(c.name)) != faults.end();
  });
  return lab;
}

}  // namespace hublab
