// `openmyna clinic files --dir DIR [--institution CODE] [--watch]`: the
// 資格確認端末's file interface (docs/insurance.md): answers every request XML
// in DIR/req/ into DIR/res/, once or, with --watch, every second until
// SIGINT/SIGTERM. Talks to the registry directly, as the sandbox's terminal.
#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <thread>

#include "cli/clinic_reader.h"
#include "cli/command_registry.h"
#include "cli/context.h"
#include "cli/insurance_stack.h"
#include "openmyna/base/clock.h"
#include "openmyna/base/rng.h"
#include "openmyna/registry/insurance_service.h"
#include "openmyna/registry/sql.h"
#include "openmyna/services/insurance_files.h"

namespace openmyna::cli {
namespace {

std::atomic<bool> g_stop{false};

struct Options {
  std::string dir;
  std::string institution = "2010991001";  // the sample clinic
  std::string postgres;
  bool watch = false;
};

void RunFiles(const Options& o, Context& context) {
  SystemClock clock;
  auto stack = InsuranceStack::Open(context.DataDir(), o.postgres, clock);
  if (!stack) return context.Failed(stack.error());
  registry::InsuranceService& service = *(*stack)->service;
  auto inst = service.GetInstitution(o.institution);
  if (!inst) return context.Failed(inst.error());
  if (!*inst) return context.BadInput("--institution", "no such institution");
  const registry::Actor clinic{o.institution, registry::Role::kClinic,
                               "資格確認端末 file interface"};
  std::signal(SIGINT, [](int) { g_stop = true; });
  std::signal(SIGTERM, [](int) { g_stop = true; });
  do {
    auto run = services::AnswerRequestFolder(o.dir, service, clinic, clock);
    if (!run) return context.Failed(run.error());
    for (const std::string& name : run->answered) {
      std::printf("res/%s\n", name.c_str());
    }
    std::fflush(stdout);
    if (o.watch) std::this_thread::sleep_for(std::chrono::seconds(1));
  } while (o.watch && !g_stop);
  context.SetExitCode(kExitOk);
}

void AddClinic(CLI::App& app, Context& context) {
  auto options = std::make_shared<Options>();
  CLI::App* group = app.add_subcommand(
      "clinic", "A clinic's side of the eligibility system (sandbox)");
  group->require_subcommand(1);
  CLI::App* files = group->add_subcommand(
      "files",
      "Answer request XML files in DIR/req/ into DIR/res/ (資格確認端末)");
  files->add_option("--dir", options->dir, "the shared folder")->required();
  files->add_option("--institution", options->institution,
                    "10-digit institution code (default: the sample clinic)");
  files->add_option("--postgres", options->postgres,
                    "PostgreSQL URL of the registry");
  files->add_flag("--watch", options->watch,
                  "keep answering every second until interrupted");
  files->callback([options, &context] { RunFiles(*options, context); });
  AddClinicReader(*group, context);
}

const CommandGroup kGroup{"clinic", 51, &AddClinic};

}  // namespace
}  // namespace openmyna::cli
