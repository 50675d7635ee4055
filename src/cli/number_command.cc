// `openmyna number check|new`: the individual number (マイナンバー).
// Rules live in openmyna::domain; this file parses, calls and renders.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/command_registry.h"
#include "cli/context.h"
#include "openmyna/base/rng.h"
#include "openmyna/domain/errors.h"
#include "openmyna/domain/individual_number.h"

namespace openmyna::cli {
namespace {

using domain::DomainErrc;
using domain::IndividualNumber;

struct CheckOptions {
  std::string number;
  bool json = false;
};

// exit 0 valid; exit 1 wrong length or check digit (a negative answer);
// exit 2 a character that is not a digit (bad input, like any malformed
// argument).
void RunCheck(const CheckOptions& options, Context& context) {
  const Result<IndividualNumber> parsed =
      IndividualNumber::Parse(options.number);
  if (!parsed && parsed.error().Is(DomainErrc::kInvalidNumber)) {
    context.BadInput("number", parsed.error().message());
    return;
  }
  if (options.json) {
    nlohmann::json out = {{"valid", parsed.has_value()}};
    out["reason"] = parsed ? nlohmann::json(nullptr)
                           : nlohmann::json(parsed.error().message());
    std::printf("%s\n", out.dump().c_str());
  } else if (parsed) {
    std::printf("valid\n");
  } else {
    std::printf("invalid: %s\n", parsed.error().message().c_str());
  }
  context.SetExitCode(parsed ? kExitOk : kExitNegative);
}

struct NewOptions {
  int count = 1;
  std::uint64_t seed = 0;
  bool seeded = false;
  bool json = false;
};

void RunNew(const NewOptions& options, Context& context) {
  std::unique_ptr<Rng> rng;
  if (options.seeded) {
    rng = std::make_unique<DeterministicRng>(options.seed);
  } else {
    rng = std::make_unique<OpenSslRng>();
  }
  nlohmann::json list = nlohmann::json::array();
  for (int i = 0; i < options.count; ++i) {
    const IndividualNumber number = IndividualNumber::Generate(*rng);
    if (options.json) {
      list.push_back(number.digits());
    } else {
      std::printf("%s\n", number.digits().c_str());
    }
  }
  if (options.json) std::printf("%s\n", list.dump().c_str());
  context.SetExitCode(kExitOk);
}

void AddNumber(CLI::App& app, Context& context) {
  CLI::App* number = app.add_subcommand(
      "number", "The 12-digit individual number (My Number): check, generate");
  number->require_subcommand(1);

  auto check_options = std::make_shared<CheckOptions>();
  CLI::App* check = number->add_subcommand(
      "check",
      "Validate a number: exit 0 when valid, 1 when the length or the check "
      "digit is wrong (the reason is printed), 2 when it holds a non-digit");
  check->add_option("number", check_options->number, "12 digits, no separators")
      ->required();
  check->add_flag("--json", check_options->json,
                  "Print {\"valid\": bool, \"reason\": string|null}");
  check->callback(
      [check_options, &context] { RunCheck(*check_options, context); });

  auto new_options = std::make_shared<NewOptions>();
  CLI::App* make = number->add_subcommand(
      "new", "Print random valid numbers (sandbox data, one per line)");
  make->add_option("--count,-n", new_options->count,
                   "How many numbers (1-100000, default 1)")
      ->check(CLI::Range(1, 100000));
  CLI::Option* seed = make->add_option(
      "--seed", new_options->seed,
      "Reproducible output from this seed (tests only; the default is "
      "OpenSSL's generator)");
  make->add_flag("--json", new_options->json, "Print a JSON array");
  make->callback([new_options, seed, &context] {
    new_options->seeded = seed->count() > 0;
    RunNew(*new_options, context);
  });
}

const CommandGroup kGroup{"number", 10, &AddNumber};

}  // namespace
}  // namespace openmyna::cli
