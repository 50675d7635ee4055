// `openmyna insurance document` and `openmyna insurance issue-due`: the
// 資格確認書 / 資格情報のお知らせ (docs/insurance.md), on request through the
// insurer's API and ex officio by the batch (insurance_document_command.cc).
#pragma once

#include <CLI/CLI.hpp>

#include "cli/context.h"

namespace openmyna::cli {

// Adds both subcommands to the `insurance` group.
void AddInsuranceDocumentCommands(CLI::App& insurance, Context& context);

}  // namespace openmyna::cli
