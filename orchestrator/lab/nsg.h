#pragma once

// Network security groups in the lab file ([nsg.NAME], associated by a
// subnet's or a VM's `nsg`) and application security groups ([asg.NAME],
// joined by a VM's `application_security_groups`): read and checked as MS
// Learn's "Network security groups" and "Application security groups"
// allow, Azure's six default rules added behind the user's. The lab stage of
// the nsg feature (model/nsg predicts, plan/nsg plans the filters).

#include <optional>
#include <string>

#include "orchestrator/lab/findings.h"
#include "orchestrator/lab/lab.h"
#include "orchestrator/lab/lab_fields.h"

namespace hublab {

// [nsg.NAME]: rules = [{ name, priority, direction, access, protocol,
// source_address_prefix(es) | source_application_security_groups,
// source_port_range(s), destination_... }].
void read_nsg(Fields& f, const std::string& name, Lab& lab);
// [asg.NAME]: an application security group (no fields of its own but a
// description).
void read_application_security_group(Fields& f, const std::string& name, Lab& lab);
// A VM's `nsg` and `application_security_groups`.
void read_vm_security(Fields& f, Vm& vm);
void validate_nsgs(const Lab& lab, Findings& findings);

// The service tags hublab expands ("Virtual network service tags"): the
// ones whose addresses a lab can hold.
bool is_emulated_service_tag(const std::string& tag);

// The Internet service tag: "the IP address space that's outside the
// virtual network and reachable by the public internet", as prefixes: every
// address but the private, shared, loopback, link-local, multicast and
// reserved ranges.
const std::vector<Prefix>& internet_prefixes();

// Azure's host address, which the VirtualNetwork and AzureLoadBalancer tags
// hold.
inline const Prefix kAzureHostAddress = *Prefix::parse("168.63.129.16/32");

// A rule's name as Azure's effective rules and IP flow verify give it:
// "securityRules/NAME", or "defaultSecurityRules/NAME" for a default rule.
std::string security_rule_id(const SecurityRule& rule);

// Azure's six default rules ("Default security rules"), in priority order,
// inbound then outbound.
std::vector<SecurityRule> default_security_rules();

}  // namespace hublab
