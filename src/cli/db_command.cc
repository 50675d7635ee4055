// `openmyna db migrate|status|seed|credentials [--postgres URL]`: the
// registry's database (docs/registry.md), and the "registry" service of
// `openmyna serve` (the registry HTTP API, http/service.h).
//
// The database is DIR/registry.db (SQLite) unless --postgres URL (or
// $OPENMYNA_REGISTRY_DB) names a PostgreSQL server.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/command_registry.h"
#include "cli/context.h"
#include "cli/registry_target.h"
#include "cli/service_settings.h"
#include "openmyna/base/clock.h"
#include "openmyna/base/file_io.h"
#include "openmyna/base/rng.h"
#include "openmyna/http/service.h"
#include "openmyna/pki/certificate_store.h"
#include "openmyna/pki/sandbox.h"
#include "openmyna/registry/bulk_load.h"
#include "openmyna/registry/credentials.h"
#include "openmyna/registry/errors.h"
#include "openmyna/registry/insurance_seed.h"
#include "openmyna/registry/migrations.h"
#include "openmyna/registry/perso_card_port.h"
#include "openmyna/registry/pki_ca_port.h"
#include "openmyna/registry/seed.h"
#include "openmyna/registry/service.h"
#include "openmyna/services/registry_api.h"

namespace openmyna::cli {
namespace {

struct DbOptions {
  std::string postgres;
  std::uint64_t residents = 0;  // db seed --residents
  std::string municipality = "20218";
  bool sample_card = false;  // db seed --sample-card
  std::uint64_t cards = 0;   // db seed --cards
};

// The passwords of the sample card (domain.md §3 formats). Fixed and
// published: this is a sandbox card, and every guide and test can name them.
const registry::Passwords kSampleCardPasswords{"ABC123", "1234", "5678",
                                               "4321"};

// DIR/sample-card.json (0600): which card `openmyna up` plugs and its
// passwords (docs/cli.md, "up").
Status WriteSampleCardFile(const std::filesystem::path& data_dir,
                           const registry::Card& card) {
  const nlohmann::json doc = {
      {"card_id", card.id},
      {"resident_id", card.resident_id},
      {"name", "千曲 太郎"},
      {"image", card.chip_image_path},
      {"passwords",
       {{"signature", kSampleCardPasswords.signature},
        {"authentication", kSampleCardPasswords.authentication},
        {"juki", kSampleCardPasswords.juki},
        {"input_assist", kSampleCardPasswords.input_assist}}}};
  return WriteFileAtomically(data_dir / "sample-card.json", doc.dump(2) + "\n");
}

// DIR/generated-cards.json (0600): the cards of `db seed --cards`, for
// benchmarks that rotate through many cards (bench/sign_in), with the
// passwords they share.
Status WriteGeneratedCardsFile(const std::filesystem::path& data_dir,
                               const std::vector<registry::Card>& cards) {
  nlohmann::json list = nlohmann::json::array();
  for (const registry::Card& card : cards) {
    list.push_back({{"card_id", card.id},
                    {"resident_id", card.resident_id},
                    {"image", card.chip_image_path}});
  }
  const nlohmann::json doc = {
      {"cards", list},
      {"passwords",
       {{"authentication", kSampleCardPasswords.authentication},
        {"juki", kSampleCardPasswords.juki},
        {"input_assist", kSampleCardPasswords.input_assist}}}};
  return WriteFileAtomically(data_dir / "generated-cards.json",
                             doc.dump(2) + "\n");
}

// The database target: --postgres, $OPENMYNA_REGISTRY_DB, else the SQLite
// file in the data folder (created 0700).
Result<std::string> Target(const DbOptions& options,
                           const std::filesystem::path& data_dir) {
  return registry::RegistryDatabaseTarget(options.postgres, data_dir);
}

// Everything one registry needs, owned together.
struct RegistryStack {
  SystemClock clock;
  OpenSslRng rng;
  std::unique_ptr<registry::RegistryStore> store;
  std::optional<pki::Sandbox> sandbox;
  std::unique_ptr<pki::CertificateStore> certificates;
  std::unique_ptr<registry::CaPort> ca;
  // Real chip images under DIR/cards (docs/registry.md, "Wiring").
  std::unique_ptr<registry::PersoCardPort> card;
  std::unique_ptr<registry::RegistryService> service;

  // `readers`: RegistryStore::Open's (0: the back end's default).
  static Result<std::unique_ptr<RegistryStack>> Open(
      const std::string& target, const std::filesystem::path& data_dir,
      const Clock* clock = nullptr, std::size_t readers = 0) {
    auto stack = std::make_unique<RegistryStack>();
    const Clock& now = clock ? *clock : stack->clock;
    OPENMYNA_ASSIGN_OR_RETURN(
        stack->store, registry::RegistryStore::Open(target, now, readers));
    auto sandbox = pki::Sandbox::Open(data_dir);
    if (!sandbox) {
      return Fail(
          registry::RegistryErrc::kUnavailable,
          "no sandbox in " + data_dir.string() + ": run `openmyna init` first");
    }
    stack->sandbox = std::move(*sandbox);
    OPENMYNA_ASSIGN_OR_RETURN(stack->certificates, stack->sandbox->OpenStore());
    stack->ca = std::make_unique<registry::PkiCaPort>(
        *stack->sandbox, *stack->certificates, stack->rng);
    stack->card =
        std::make_unique<registry::PersoCardPort>(*stack->sandbox, stack->rng);
    stack->service = std::make_unique<registry::RegistryService>(
        *stack->store, now, stack->rng, *stack->ca, *stack->card);
    return stack;
  }
};

void RunMigrate(const DbOptions& options, Context& context) {
  auto target = Target(options, context.DataDir());
  if (!target) return context.Failed(target.error());
  auto db = registry::OpenDatabase(*target);
  if (!db) return context.Failed(db.error());
  SystemClock clock;
  auto applied = registry::Migrate(**db, clock);
  if (!applied) return context.Failed(applied.error());
  if (applied->empty()) {
    std::printf("The registry schema is current (%zu migrations).\n",
                registry::BuiltInMigrations().size());
  }
  for (const std::string& version : *applied) {
    std::printf("applied %s\n", version.c_str());
  }
}

void RunStatus(const DbOptions& options, Context& context) {
  auto target = ExistingRegistryTarget(options.postgres, context.DataDir());
  if (!target) return context.Failed(target.error());
  auto db = registry::OpenDatabase(*target);
  if (!db) return context.Failed(db.error());
  auto applied = registry::AppliedMigrations(**db);
  if (!applied) return context.Failed(applied.error());
  for (const auto& migration : registry::BuiltInMigrations()) {
    const bool done = std::find(applied->begin(), applied->end(),
                                migration.version) != applied->end();
    std::printf("%s %.*s\n", done ? "applied" : "pending",
                static_cast<int>(migration.version.size()),
                migration.version.data());
  }
}

// One line on stderr, rewritten in place: bar, count, rate, ETA.
void ProgressBar(std::uint64_t done, std::uint64_t total, std::uint64_t first,
                 std::chrono::steady_clock::time_point start) {
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  const double rate = seconds > 0 ? (done - first) / seconds : 0;
  const double eta = rate > 0 ? (total - done) / rate : 0;
  const int width = 30;
  const int filled =
      static_cast<int>(width * done / std::max<std::uint64_t>(total, 1));
  std::fprintf(stderr, "\r  [%s%s] %llu/%llu  %.0f residents/s  ETA %.0f s ",
               std::string(filled, '#').c_str(),
               std::string(width - filled, '.').c_str(),
               static_cast<unsigned long long>(done),
               static_cast<unsigned long long>(total), rate, eta);
  if (done == total) std::fprintf(stderr, "\n");
}

// Health-insurance sample data (docs/insurance.md), after the residents.
Status SeedInsurance(RegistryStack& stack) {
  registry::InsuranceService insurance(*stack.store, stack.clock, stack.rng);
  OPENMYNA_ASSIGN_OR_RETURN(
      auto report, registry::SeedInsuranceSampleData(
                       *stack.store, *stack.service, insurance, stack.clock));
  std::printf("Insurers: %zu; memberships created now: %d\n",
              report.insurers.size(), report.memberships_created);
  for (const auto& inst : report.institutions) {
    std::printf("  %s %s\n", inst.code.c_str(), inst.name.c_str());
  }
  if (report.memberships_created > 0) {
    std::printf("Generated: %d dispensings, %d check-ups, %d expense months\n",
                report.medication_records, report.checkups, report.expenses);
  }
  return Ok();
}

void RunSeed(const DbOptions& options, Context& context) {
  auto target = ExistingRegistryTarget(options.postgres, context.DataDir());
  if (!target) return context.Failed(target.error());
  auto stack = RegistryStack::Open(*target, context.DataDir());
  if (!stack) return context.Failed(stack.error());
  registry::SeedOptions seed_options;
  seed_options.issue_sample_card = options.sample_card;
  seed_options.sample_card_passwords = kSampleCardPasswords;
  auto report = registry::SeedSampleData(*(*stack)->store, *(*stack)->service,
                                         seed_options);
  if (!report) return context.Failed(report.error());
  std::printf("Municipalities: 20218 千曲市 (長野県), 13221 清瀬市 (東京都)\n");
  std::printf("Sample residents: %zu (%zu created now)\n",
              report->residents.size(), report->created.size());
  for (const std::string& id : report->residents) {
    std::printf("  %s\n", id.c_str());
  }
  if (Status insurance = SeedInsurance(**stack); !insurance) {
    return context.Failed(insurance.error());
  }
  if (report->sample_card) {
    const registry::Card& card = *report->sample_card;
    if (auto written = WriteSampleCardFile(context.DataDir(), card); !written) {
      return context.Failed(written.error());
    }
    std::printf(
        "Sample card of 千曲 太郎 (%s): %s, %s (%s)\n"
        "  passwords: authentication %s, signature %s, juki %s, input "
        "assist %s (also in %s)\n",
        card.resident_id.c_str(), card.id.c_str(),
        std::string(registry::ToString(card.state)).c_str(),
        report->sample_card_created ? "issued now" : "already issued",
        kSampleCardPasswords.authentication.c_str(),
        kSampleCardPasswords.signature.c_str(),
        kSampleCardPasswords.juki.c_str(),
        kSampleCardPasswords.input_assist.c_str(),
        (context.DataDir() / "sample-card.json").string().c_str());
  }
  if (options.residents == 0) return;
  std::fflush(stdout);
  const auto start = std::chrono::steady_clock::now();
  registry::BulkLoadOptions bulk;
  bulk.residents = options.residents;
  bulk.municipality_code = options.municipality;
  bulk.progress = [&](std::uint64_t done, std::uint64_t total,
                      std::uint64_t first) {
    ProgressBar(done, total, first, start);
  };
  auto loaded = registry::BulkLoadResidents(*(*stack)->store, bulk);
  if (!loaded) {
    std::fprintf(stderr, "\n");
    return context.Failed(loaded.error());
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  std::printf(
      "Generated residents: %llu (%llu loaded now in %.1f s; ids "
      "bulk-000000000000 on, municipality %s)\n",
      static_cast<unsigned long long>(
          std::max<std::uint64_t>(options.residents, loaded->existing)),
      static_cast<unsigned long long>(loaded->loaded), seconds,
      options.municipality.c_str());
  if (options.cards == 0) return;
  std::fflush(stdout);
  const auto cards_start = std::chrono::steady_clock::now();
  auto cards = registry::IssueGeneratedResidentCards(
      *(*stack)->service, options.cards, kSampleCardPasswords);
  if (!cards) return context.Failed(cards.error());
  if (auto written = WriteGeneratedCardsFile(context.DataDir(), *cards);
      !written) {
    return context.Failed(written.error());
  }
  std::printf(
      "Cards of generated residents: %zu in %.1f s (authentication PIN %s; "
      "listed in %s)\n",
      cards->size(),
      std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                    cards_start)
          .count(),
      kSampleCardPasswords.authentication.c_str(),
      (context.DataDir() / "generated-cards.json").string().c_str());
}

void RunCredentials(const DbOptions& options, Context& context) {
  auto target = ExistingRegistryTarget(options.postgres, context.DataDir());
  if (!target) return context.Failed(target.error());
  SystemClock clock;
  OpenSslRng rng;
  auto store = registry::RegistryStore::Open(*target, clock);
  if (!store) return context.Failed(store.error());
  std::vector<registry::NewCredential> created;
  for (registry::Role role : registry::kStaffRoles) {
    auto credential = registry::CreateCredential(**store, role, rng, clock);
    if (!credential) return context.Failed(credential.error());
    created.push_back(std::move(*credential));
  }
  std::printf(
      "New registry API credentials (HTTP Basic), in addition to those of "
      "`openmyna init`. The secrets are shown ONCE and stored only "
      "hashed:\n%s",
      registry::FormatCredentials(created).c_str());
}

void AddDb(CLI::App& app, Context& context) {
  auto options = std::make_shared<DbOptions>();
  CLI::App* db = app.add_subcommand(
      "db",
      "The registry database: schema migrations, sample data, API "
      "credentials");
  db->require_subcommand(1);
  auto with_target = [&](CLI::App* sub) {
    sub->add_option("--postgres", options->postgres,
                    "PostgreSQL URL (default: DIR/registry.db, or "
                    "$OPENMYNA_REGISTRY_DB)");
    return sub;
  };
  with_target(db->add_subcommand("migrate",
                                 "Apply pending schema migrations, in order"))
      ->callback([options, &context] { RunMigrate(*options, context); });
  with_target(db->add_subcommand("status",
                                 "List applied and pending "
                                 "migrations"))
      ->callback([options, &context] { RunStatus(*options, context); });
  CLI::App* seed = with_target(db->add_subcommand(
      "seed",
      "Create Chikuma City, Kiyose City and the sample residents "
      "(idempotent); with --residents N, also bulk-load generated residents "
      "up to N (fast import: docs/registry.md \"Bulk load\")"));
  CLI::Option* residents =
      seed->add_option("--residents", options->residents,
                       "Make the registry hold N generated residents (ids "
                       "bulk-000000000000…, valid individual numbers starting "
                       "with 8, varied names and birth dates); those already "
                       "loaded are kept, so a rerun continues. Progress on "
                       "stderr")
          ->check(CLI::Range(std::uint64_t{0}, std::uint64_t{10'000'000'000}));
  seed->add_flag("--sample-card", options->sample_card,
                 "Also issue the sample card of 千曲 太郎 through the registry "
                 "(apply, produce, deliver; reused when he already has "
                 "one) and write DIR/sample-card.json (0600) with its image "
                 "and passwords: the card `openmyna up` plugs");
  seed->add_option("--cards", options->cards,
                   "Also give the first K generated residents aged 15 or "
                   "more a standard card each (authentication certificate "
                   "only, issued as at a counter, the sample card's "
                   "passwords; reused on a rerun), listed in "
                   "DIR/generated-cards.json (0600): many distinct cards for "
                   "benchmarks. Needs --residents")
      ->check(CLI::Range(std::uint64_t{0}, std::uint64_t{1'000'000}))
      ->needs(residents);
  seed->add_option("--municipality", options->municipality,
                   "Local government code of the generated residents "
                   "(default 20218, Chikuma City)");
  seed->callback([options, &context] { RunSeed(*options, context); });
  with_target(db->add_subcommand(
                  "credentials",
                  "Create one more API credential per staff role (clerk, "
                  "hotline, kiosk, platform) and print them once; `openmyna "
                  "init` creates the first ones"))
      ->callback([options, &context] { RunCredentials(*options, context); });
}

const CommandGroup kGroup{"db", 40, &AddDb};

// `openmyna serve` runs the registry API as service "registry".
class RegistryHttpService final : public http::Service {
 public:
  explicit RegistryHttpService(std::unique_ptr<RegistryStack> stack)
      : stack_(std::move(stack)) {}

 private:
  std::unique_ptr<RegistryStack> stack_;
};

const http::ServiceRegistration kRegistryService{
    "registry",
    "the registry API (life events, audit; OpenAPI at /openapi.json)",
    [](const http::ServiceContext& c,
       http::Router& router) -> Result<std::unique_ptr<http::Service>> {
      OPENMYNA_ASSIGN_OR_RETURN(std::string target,
                                Target(DbOptions{}, c.data_dir));
      // registry.readers=N: reader connections of the API's store (0: the
      // back end's default, RegistryStore::DefaultReaders).
      OPENMYNA_ASSIGN_OR_RETURN(long long readers,
                                WholeSetting(c, "registry.readers", 0, 0, 64));
      OPENMYNA_ASSIGN_OR_RETURN(
          auto stack, RegistryStack::Open(target, c.data_dir, c.clock,
                                          static_cast<std::size_t>(readers)));
      OPENMYNA_RETURN_IF_ERROR(
          services::AddRegistryApi(router, *stack->store, *stack->service));
      return std::unique_ptr<http::Service>(
          std::make_unique<RegistryHttpService>(std::move(stack)));
    }};

}  // namespace
}  // namespace openmyna::cli
