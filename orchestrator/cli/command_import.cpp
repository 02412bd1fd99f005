// hublab import: a lab file from a real deployment's Azure JSON (az's
// `network ... list` outputs, or the REST API's), which validates before a
// byte of it is written.

#include <iostream>
#include <sstream>

#include "orchestrator/cli/commands.h"
#include "orchestrator/cli/counted.h"
#include "orchestrator/cli/output_option.h"
#include "orchestrator/import/lab_from_azure.h"
#include "orchestrator/lab/lab_loader.h"
#include "orchestrator/lab/lab_validator.h"

namespace hublab::cli {

namespace {

int run_import(const Invocation& args) {
  std::vector<std::string> files;
  for (size_t i = 0; i < args.operand_count(); ++i) files.push_back(args.operand(i));
  const std::string name = args.value("--name").value_or("");
  const std::string output = args.value("-o").value_or("");
  require_writable("-o", args.value("-o"), Existing::kRefuse);
  ImportedLab imported;
  try {
    imported = lab_from_azure(AzureInventory::read(files), files, name);
  } catch (const ImportError& error) {
    throw CliError(kExitBadInput, error.what());
  }
  const std::string shown = output.empty() ? "(the imported lab)" : output;
  LoadedLab loaded = load_lab_text(imported.text, shown);
  std::vector<Diagnostic> findings = loaded.diagnostics;
  if (loaded.readable)
    for (const Diagnostic& d : validate_lab(loaded.lab)) findings.push_back(d);
  if (!findings.empty()) {
    std::cerr << "hublab import: the lab these resources make does not validate (nothing "
                 "written); lines of the lab it would write:\n";
    std::vector<std::string> lines;
    std::istringstream text(imported.text);
    for (std::string line; std::getline(text, line);) lines.push_back(line);
    for (const Diagnostic& d : findings) {
      std::cerr << "  " << d.str() << "\n";
      // The resource the line came from: the ID comment above its section.
      for (size_t i = std::min<size_t>(d.where.line, lines.size()); i-- > 0;)
        if (lines[i].rfind("# /subscriptions/", 0) == 0) {
          std::cerr << "    from " << lines[i].substr(2) << "\n";
          break;
        }
    }
    return kExitBadInput;
  }
  if (output.empty()) {
    std::cout << imported.text;
  } else {
    if (auto failed = write_output("-o", output, imported.text, Existing::kRefuse))
      throw CliError(kExitBadInput, *failed);
    std::cout << output << ": lab '" << imported.name << "' (" << lab_parts(loaded.lab) << ")";
    if (!imported.left_out.empty())
      std::cout << ", " << counted(imported.left_out.size(), "thing") << " left out (its header)";
    std::cout << "\n";
  }
  return kExitOk;
}

}  // namespace

const Command kImport{
    .spec = {.name = "import",
             .operands = {"FILE"},
             .options = {{.name = "-o", .value = "LAB.toml"}, {.name = "--name", .value = "NAME"}},
             .repeats_last_operand = true,
             .help = "a lab file from a deployment's JSON: `az network vnet list`, `nic list`,\n"
                     "`route-table list`, `nsg list`, `vnet-gateway list`, `vpn-connection list`,\n"
                     "`local-gateway list`, `express-route list`, `routeserver list` (any order),\n"
                     "the REST API's, or an ARM template as `az group export` writes it;\n"
                     "to stdout or -o (a new file), named after the resource group or --name"},
    .run = run_import};

}  // namespace hublab::cli
