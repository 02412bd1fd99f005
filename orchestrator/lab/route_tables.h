#pragma once

// Route tables in the lab file ([route_table.NAME], associated by a
// subnet's route_table): read and checked as MS Learn's "Virtual network
// traffic routing" (custom routes, next hop types) and "Create, change, or
// delete a route table" allow. The lab stage of the route tables feature
// (plan/route_tables plans them).

#include <string>

#include "orchestrator/lab/findings.h"
#include "orchestrator/lab/lab.h"
#include "orchestrator/lab/lab_fields.h"

namespace hublab {

// [route_table.NAME]: routes = [{ name, address_prefix, next_hop_type,
// next_hop_ip }], bgp_route_propagation.
void read_route_table(Fields& f, const std::string& name, Lab& lab);
void validate_route_tables(const Lab& lab, Findings& findings);

}  // namespace hublab
