// `openmyna card new|plug|show|tamper`: the virtual My Number Card.
// Personalization rules live in openmyna::card::perso, the chip in
// openmyna::card, the reader side in openmyna::card::transport; this file
// parses, calls and renders (docs/transport.md, docs/profiles.md).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "cli/command_registry.h"
#include "cli/context.h"
#include "openmyna/base/clock.h"
#include "openmyna/base/log.h"
#include "openmyna/base/rng.h"
#include "openmyna/card/card.h"
#include "openmyna/card/image.h"
#include "openmyna/card/perso/errors.h"
#include "openmyna/card/perso/personalize.h"
#include "openmyna/card/perso/profile.h"
#include "openmyna/card/transport/conformance.h"
#include "openmyna/card/transport/realism.h"
#include "openmyna/card/transport/stop_signal.h"
#include "openmyna/card/transport/vpcd_client.h"
#include "openmyna/domain/date.h"

namespace openmyna::cli {
namespace {

namespace perso = card::perso;
namespace transport = card::transport;

struct NewOptions {
  std::string profile;
  std::string out;
  bool force = false;
};

void RunNew(const NewOptions& options, Context& context) {
  SystemClock clock;
  OpenSslRng rng;
  std::error_code ec;
  if (!options.force && std::filesystem::exists(options.out, ec)) {
    context.BadInput("--out", options.out +
                                  " exists (a card image is a card: use "
                                  "--force to replace it)");
    return;
  }
  auto profile =
      perso::LoadProfile(options.profile, domain::JapanDateOf(clock.Now()));
  if (!profile) {
    if (profile.error().Is(perso::PersoErrc::kIo)) {
      context.BadInput("--profile", profile.error().message());
    } else {
      std::fprintf(stderr, "openmyna: %s: the profile is refused:\n%s\n",
                   options.profile.c_str(), profile.error().message().c_str());
      context.SetExitCode(ExitCodeFor(profile.error()));
    }
    return;
  }
  auto result = perso::PersonalizeToFile(*profile, context.DataDir(),
                                         options.out, clock, rng);
  if (!result) {
    context.Failed(result.error());
    return;
  }
  std::printf("card image written to %s\n", options.out.c_str());
  std::printf(
      "  kind: %s, card expires %s, security code %s\n",
      profile->kind == perso::ProfileKind::kFaceAuth ? "face_auth" : "standard",
      domain::FormatDate(result->card_expiry).c_str(),
      result->security_code.c_str());
  if (!result->auth_certificate_serial.empty()) {
    std::printf("  authentication certificate serial %s\n",
                result->auth_certificate_serial.c_str());
  }
  if (!result->sign_certificate_serial.empty()) {
    std::printf("  signature certificate serial %s\n",
                result->sign_certificate_serial.c_str());
  }
  context.SetExitCode(kExitOk);
}

struct PlugOptions {
  std::string image;
  std::string vpcd = "localhost:35963";
  std::string latency;
  std::string atr = "contact";
  std::string reselect = "keep";
  std::string report;
  bool strict = false;
  bool log_apdus = false;
  std::uint64_t tag_loss = 0;
};

void RunPlug(const PlugOptions& options, Context& context) {
  auto address = transport::ParseVpcdAddress(options.vpcd);
  if (!address) {
    context.BadInput("--vpcd", address.error().message());
    return;
  }
  transport::RealismOptions realism;
  auto atr = transport::AtrForProfile(options.atr);
  if (!atr) {
    context.BadInput("--atr", atr.error().message());
    return;
  }
  realism.atr = *atr;
  auto latency = transport::ParseLatencySpec(options.latency);
  if (!latency) {
    context.BadInput("--latency", latency.error().message());
    return;
  }
  realism.latency = *latency;
  const auto reselect = card::ParseReselectPolicy(options.reselect);
  if (!reselect) {
    context.BadInput("--reselect", "expected keep or clear, got \"" +
                                       options.reselect + "\"");
    return;
  }
  auto key = perso::LoadStorageKey(context.DataDir());
  if (!key) {
    context.Failed(key.error());
    return;
  }
  OpenSslRng rng;
  auto chip = card::Card::Open(options.image, *key, rng);
  if (!chip) {
    context.Failed(chip.error());
    return;
  }
  (*chip)->SetOptions(
      card::CardOptions{.reselect = *reselect, .strict = options.strict});
  if (options.log_apdus && context.log_level == "warn") {
    log::SetLevel("info");  // the APDU lines are info
  }
  // The conformance recorder sits between the realism knobs and the chip:
  // it sees the power events that delimit card sessions.
  std::optional<transport::ConformanceRecorder> recorder;
  card::CardEndpoint* chip_endpoint = chip->get();
  if (!options.report.empty()) {
    recorder.emplace(**chip);
    chip_endpoint = &*recorder;
  }
  transport::RealismEndpoint endpoint(*chip_endpoint, realism);
  transport::VpcdOptions vpcd;
  vpcd.address = *address;
  vpcd.log_apdus = options.log_apdus;
  vpcd.tag_loss_after_apdus = options.tag_loss;
  auto stop = transport::StopSignal::Create();
  if (!stop) {
    context.Failed(stop.error());
    return;
  }
  transport::StopOnSignals(**stop);
  // The vpcd client says at info when it waits for vpcd (nothing listens
  // there: pcscd without vpcd, or another address) and when it is
  // connected, i.e. when the card is in the reader; shown unless
  // --log-level asked for less.
  if (context.log_level == "warn") {
    log::Get("card.transport")->set_level(spdlog::level::info);
  }
  std::fprintf(stderr,
               "openmyna: card %s for vpcd at %s: in the reader once vpcd "
               "answers (Ctrl-C to unplug)\n",
               options.image.c_str(), address->ToString().c_str());
  transport::VpcdClient client(vpcd);
  const Status status = client.Run(endpoint, **stop);
  transport::RestoreDefaultStopSignals();
  if (recorder) {
    std::fprintf(stderr, "openmyna: %s", recorder->Summary().c_str());
    if (auto written = recorder->WriteJson(options.report, options.strict);
        !written) {
      context.Failed(written.error());
      return;
    }
    std::fprintf(stderr, "openmyna: conformance report written to %s\n",
                 options.report.c_str());
  }
  if (!status) {
    context.Failed(status.error());
    return;
  }
  context.SetExitCode(kExitOk);
}

std::string_view EfKindName(card::EfKind kind) {
  switch (kind) {
    case card::EfKind::kBinary:
      return "binary";
    case card::EfKind::kRecord:
      return "records";
    case card::EfKind::kPin:
      return "pin";
    case card::EfKind::kKey:
      return "key";
  }
  return "?";
}

// What is on the chip, without secrets and without personal data: sizes,
// counters, whether keys exist (the storage key is not needed).
nlohmann::json ImageSummaryJson(const card::CardImage& image) {
  nlohmann::json out;
  out["kind"] = std::string(card::CardKindName(image.kind));
  out["state"] = image.state == card::ChipState::kErased ? "erased" : "active";
  out["generation"] = image.generation;
  nlohmann::json apps = nlohmann::json::array();
  for (const card::Application& app : image.applications) {
    nlohmann::json a;
    a["name"] = app.name;
    a["aid"] = ToHex(app.aid);
    nlohmann::json files = nlohmann::json::array();
    for (const card::ElementaryFile& ef : app.files) {
      nlohmann::json f;
      char fid[5];
      std::snprintf(fid, sizeof fid, "%04x", ef.fid);
      f["fid"] = fid;
      f["label"] = ef.label;
      f["kind"] = std::string(EfKindName(ef.kind));
      switch (ef.kind) {
        case card::EfKind::kBinary:
          f["size"] = ef.data.size();
          break;
        case card::EfKind::kRecord:
          f["records"] = ef.records.size();
          break;
        case card::EfKind::kPin:
          f["set"] = ef.pin.is_set;
          f["tries_left"] = ef.pin.tries_left;
          f["max_tries"] = ef.pin.max_tries;
          f["blocked"] = !ef.pin.is_set || ef.pin.tries_left == 0;
          break;
        case card::EfKind::kKey:
          f["generated"] = !ef.key.public_key_spki.empty();
          break;
      }
      files.push_back(std::move(f));
    }
    a["files"] = std::move(files);
    apps.push_back(std::move(a));
  }
  out["applications"] = std::move(apps);
  return out;
}

void RunShow(const std::string& image_path, bool json, Context& context) {
  auto image = card::LoadImage(image_path, nullptr);
  if (!image) {
    context.Failed(image.error());
    return;
  }
  const nlohmann::json description = ImageSummaryJson(*image);
  if (json) {
    std::printf("%s\n", description.dump(2).c_str());
    context.SetExitCode(kExitOk);
    return;
  }
  std::printf("card %s: %s card, chip %s\n", image_path.c_str(),
              description["kind"].get<std::string>().c_str(),
              description["state"].get<std::string>().c_str());
  for (const auto& app : description["applications"]) {
    std::printf("%s (AID %s)\n", app["name"].get<std::string>().c_str(),
                app["aid"].get<std::string>().c_str());
    for (const auto& f : app["files"]) {
      const std::string kind = f["kind"].get<std::string>();
      std::string detail;
      if (kind == "binary") {
        detail = std::to_string(f["size"].get<std::size_t>()) + " bytes";
      } else if (kind == "records") {
        detail = std::to_string(f["records"].get<std::size_t>()) + " records";
      } else if (kind == "pin") {
        detail = !f["set"].get<bool>()
                     ? "not set (blocked)"
                     : std::to_string(f["tries_left"].get<int>()) + "/" +
                           std::to_string(f["max_tries"].get<int>()) +
                           " tries left" +
                           (f["blocked"].get<bool>() ? ", BLOCKED" : "");
      } else {
        detail = f["generated"].get<bool>() ? "key generated" : "no key";
      }
      std::printf("  %s  %-32s %s\n", f["fid"].get<std::string>().c_str(),
                  f["label"].get<std::string>().c_str(), detail.c_str());
    }
  }
  context.SetExitCode(kExitOk);
}

void RunTamper(const std::string& image_path, Context& context) {
  auto key = perso::LoadStorageKey(context.DataDir());
  if (!key) {
    context.Failed(key.error());
    return;
  }
  OpenSslRng rng;
  auto chip = card::Card::Open(image_path, *key, rng);
  if (!chip) {
    context.Failed(chip.error());
    return;
  }
  if (auto status = (*chip)->Tamper(); !status) {
    context.Failed(status.error());
    return;
  }
  std::printf(
      "card %s erased (tamper response): it now answers as an "
      "erased chip\n",
      image_path.c_str());
  context.SetExitCode(kExitOk);
}

void AddCard(CLI::App& app, Context& context) {
  CLI::App* group = app.add_subcommand(
      "card",
      "The virtual My Number Card: personalize, plug into pcscd, "
      "inspect, tamper");
  group->require_subcommand(1);

  auto new_options = std::make_shared<NewOptions>();
  CLI::App* make = group->add_subcommand(
      "new",
      "Personalize a card from a JSON profile (docs/profiles.md); "
      "needs the sandbox of `openmyna init`");
  make->add_option("--profile", new_options->profile, "Profile JSON file")
      ->required();
  make->add_option("--out", new_options->out, "Card image to write (0600)")
      ->required();
  make->add_flag("--force", new_options->force, "Replace an existing image");
  make->callback([new_options, &context] { RunNew(*new_options, context); });

  auto plug_options = std::make_shared<PlugOptions>();
  CLI::App* plug = group->add_subcommand(
      "plug",
      "Serve a card image to pcscd's vpcd reader until stopped "
      "(docs/transport.md)");
  plug->add_option("--image", plug_options->image, "Card image")->required();
  plug->add_option("--vpcd", plug_options->vpcd,
                   "vpcd address HOST:PORT (default localhost:35963)");
  plug->add_option("--latency", plug_options->latency,
                   "Added delay per instruction: INS=ms,... (hex INS, e.g. "
                   "2A=300,B0=30) or \"realistic\"");
  plug->add_option("--atr", plug_options->atr,
                   "ATR profile: contact (default), 2024, contactless, "
                   "contactless-2, unknown");
  plug->add_option("--reselect", plug_options->reselect,
                   "SELECT of the AP that is already current: keep "
                   "(default, as real cards) or clear its verified PINs "
                   "(as OpenSC's logout assumes)");
  plug->add_option("--report", plug_options->report,
                   "Write the client conformance report (JSON) to FILE when "
                   "unplugged: every command that relied on behaviour real "
                   "cards vary on (docs/card.md)");
  plug->add_flag("--strict", plug_options->strict,
                 "Refuse the commands that rely on behaviour real cards "
                 "vary on instead of answering them");
  plug->add_option("--tag-loss", plug_options->tag_loss,
                   "Drop the connection at every N-th APDU, as a card "
                   "leaving the NFC field (0 = never)")
      ->check(CLI::NonNegativeNumber);
  plug->add_flag("--log-apdus", plug_options->log_apdus,
                 "Log every APDU (passwords and the individual number are "
                 "hidden)");
  plug->callback([plug_options, &context] { RunPlug(*plug_options, context); });

  auto show_image = std::make_shared<std::string>();
  auto show_json = std::make_shared<bool>(false);
  CLI::App* show = group->add_subcommand(
      "show",
      "What is on the chip: applications, files, PIN counters, keys "
      "(no secrets, no personal data)");
  show->add_option("--image", *show_image, "Card image")->required();
  show->add_flag("--json", *show_json, "Print JSON");
  show->callback([show_image, show_json, &context] {
    RunShow(*show_image, *show_json, context);
  });

  auto tamper_image = std::make_shared<std::string>();
  CLI::App* tamper = group->add_subcommand(
      "tamper", "Trigger the chip's tamper response: erase everything");
  tamper->add_option("--image", *tamper_image, "Card image")->required();
  tamper->callback(
      [tamper_image, &context] { RunTamper(*tamper_image, context); });
}

const CommandGroup kGroup{"card", 30, &AddCard};

}  // namespace
}  // namespace openmyna::cli
