// `openmyna clinic reader|camera|face-data` (docs/cli.md, docs/insurance.md
// "The face-recognition reader"): one visit at the clinic's reader with the
// card in a PC/SC reader, a camera picture of a resident, and the face data
// printed on a registry-issued card.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/clinic_reader.h"
#include "cli/context.h"
#include "cli/insurance_stack.h"
#include "openmyna/base/clock.h"
#include "openmyna/base/file_io.h"
#include "openmyna/base/rng.h"
#include "openmyna/card/client/pcsc_reader.h"
#include "openmyna/card/image.h"
#include "openmyna/card/perso/personalize.h"
#include "openmyna/face/portrait.h"
#include "openmyna/pki/sandbox.h"
#include "openmyna/registry/errors.h"
#include "openmyna/registry/insurance_json.h"
#include "openmyna/registry/sql.h"
#include "openmyna/services/insurance_files.h"
#include "openmyna/services/insurance_reader.h"

namespace openmyna::cli {
namespace {

struct ReaderOptions {
  std::string reader;
  std::string institution = "2010991001";  // the sample clinic
  std::string camera, face_data, pin_env, visual_env, consent, postgres;
  std::string files;  // the terminal's shared folder: results into face/
  std::string match = "compare";
  bool visual = false, register_card = false, json = false;
  std::string ocsp_url;  // "" = none
};

struct CameraOptions {
  std::string resident, out, postgres;
  int variant = 0;
  bool empty = false;
};

struct FaceDataOptions {
  std::string card, out, postgres;
};

std::optional<std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> SplitComma(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream s(text);
  for (std::string item; std::getline(s, item, ',');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

nlohmann::json OutcomeJson(const services::ReaderOutcome& o,
                           const services::ReaderVisit& visit,
                           const std::string& institution, TimePoint now) {
  nlohmann::json out = {{"confirmed", o.confirmed},
                        {"method", services::ReaderMethodName(visit.method)}};
  if (!o.refusal.empty()) out["refusal"] = o.refusal;
  if (o.face) {
    out["face"] = {{"outcome", face::MatchOutcomeName(o.face->outcome)},
                   {"similarity", o.face->similarity},
                   {"threshold", o.face->threshold},
                   {"detail", o.face->detail}};
  }
  if (o.pin_tries_left >= 0) out["pin_tries_left"] = o.pin_tries_left;
  if (o.registered_now) out["registered_now"] = true;
  if (o.consent) {
    out["consent"] = *o.consent;
    const registry::Membership* m = o.answer && !o.answer->memberships.empty()
                                        ? &o.answer->memberships.front()
                                        : nullptr;
    out["consent_fhir"] = services::ConsentResource(*o.consent, m, now);
  }
  if (o.answer) {
    out["eligibility"] =
        services::EligibilityMessage(*o.answer, institution, now, o.message);
  }
  return out;
}

void RunReader(const ReaderOptions& o, Context& context) {
  services::ReaderVisit visit;
  const int methods = !o.camera.empty() + !o.pin_env.empty() + o.visual;
  if (methods != 1) {
    return context.BadInput("--camera/--pin-env/--visual", "give exactly one");
  }
  if (!o.camera.empty()) {
    visit.method = services::ReaderMethod::kFace;
    if (o.face_data.empty()) {
      return context.BadInput("--face-data", "required with --camera");
    }
    auto picture = ReadFileBytes(o.camera);
    if (!picture)
      return context.BadInput("--camera", picture.error().message());
    visit.camera_png = std::move(*picture);
    auto text = ReadText(o.face_data);
    if (!text) return context.BadInput("--face-data", "cannot read the file");
    auto data = services::ParsePrintedFaceData(*text);
    if (!data) return context.BadInput("--face-data", data.error().message());
    visit.face_data = *data;
    auto mode = face::ParseMatchMode(o.match);
    if (!mode) return context.BadInput("--match", mode.error().message());
    visit.match.mode = *mode;
  } else if (!o.pin_env.empty()) {
    visit.method = services::ReaderMethod::kPin;
    const char* pin = std::getenv(o.pin_env.c_str());
    if (pin == nullptr) {
      return context.BadInput(
          "--pin-env", "environment variable " + o.pin_env + " is not set");
    }
    visit.pin = pin;
  } else {
    visit.method = services::ReaderMethod::kVisual;
    const char* password =
        o.visual_env.empty() ? nullptr : std::getenv(o.visual_env.c_str());
    if (password == nullptr) {
      return context.BadInput("--visual-password-env",
                              "required with --visual (and set)");
    }
    visit.visual_password = password;
  }
  visit.consent = SplitComma(o.consent);
  visit.register_card = o.register_card;

  SystemClock clock;
  auto stack = InsuranceStack::Open(context.DataDir(), o.postgres, clock);
  if (!stack) return context.Failed(stack.error());
  registry::InsuranceService& service = *(*stack)->service;
  OpenSslRng& rng = (*stack)->rng;
  auto inst = service.GetInstitution(o.institution);
  if (!inst) return context.Failed(inst.error());
  if (!*inst) return context.BadInput("--institution", "no such institution");
  auto sandbox = pki::Sandbox::Open(context.DataDir());
  if (!sandbox) return context.Failed(sandbox.error());
  services::InsuranceApiOptions api;
  api.clock = &clock;
  api.rng = &rng;
  auto roots = sandbox->Roots(pki::CaKind::kAuthentication);
  if (!roots) return context.Failed(roots.error());
  api.auth_roots = std::move(*roots);
  api.ocsp_url = o.ocsp_url;
  auto issuer = LoadDataIssuerKey(context.DataDir());
  if (!issuer) return context.Failed(issuer.error());
  services::ReaderContext reader{&service,
                                 (*stack)->store.get(),
                                 &api,
                                 issuer->get(),
                                 {o.institution, registry::Role::kClinic,
                                  "顔認証付きカードリーダー " + (*inst)->name}};
  auto channel = card::client::PcscCard::Connect(o.reader);
  if (!channel) return context.Failed(channel.error());
  auto outcome = services::RunReaderVisit(**channel, visit, reader);
  if (!outcome) return context.Failed(outcome.error());
  const nlohmann::json out =
      OutcomeJson(*outcome, visit, o.institution, clock.Now());
  if (!o.files.empty() && out.contains("eligibility")) {
    // The reader's result for the clinic system (insurance.md §2.2):
    // DIR/face/OQSsiquc01res_face_<time>.xml, written atomically.
    const auto folder = std::filesystem::path(o.files) / "face";
    std::error_code ec;
    std::filesystem::create_directories(folder, ec);
    const std::string name =
        "OQSsiquc01res_face_" +
        out["eligibility"]["XmlMsg"]["MessageHeader"]["ProcessExecutionTime"]
            .get<std::string>() +
        ".xml";
    auto written = WriteFileAtomically(
        folder / name, std::string_view(services::XmlOf(out["eligibility"])));
    if (!written) return context.Failed(written.error());
  }
  if (o.json) {
    std::printf("%s\n", out.dump().c_str());
  } else if (outcome->confirmed) {
    std::printf("本人確認 OK (%s)\n%s\n",
                std::string(services::ReaderMethodName(visit.method)).c_str(),
                out.dump(2).c_str());
  } else {
    std::fprintf(stderr, "openmyna clinic reader: %s\n",
                 outcome->refusal.c_str());
  }
  context.SetExitCode(outcome->confirmed ? kExitOk : kExitNegative);
}

void RunCamera(const CameraOptions& o, Context& context) {
  Result<Bytes> picture = Fail(registry::RegistryErrc::kInvalidInput, "");
  if (o.empty) {
    picture = face::EmptyCameraPng(o.variant);
  } else {
    if (o.resident.empty()) {
      return context.BadInput("--resident", "required (or --empty)");
    }
    SystemClock clock;
    auto stack = InsuranceStack::Open(context.DataDir(), o.postgres, clock);
    if (!stack) return context.Failed(stack.error());
    std::string number;
    auto read =
        (*stack)->store->Transact([&](registry::RegistryTx& tx) -> Status {
          OPENMYNA_ASSIGN_OR_RETURN(auto resident, tx.GetResident(o.resident));
          if (resident) number = resident->individual_number;
          return Ok();
        });
    if (!read) return context.Failed(read.error());
    if (number.empty())
      return context.BadInput("--resident", "no such resident");
    picture = face::CameraPng(face::PortraitKey(number), o.variant);
  }
  if (!picture) return context.BadInput("--variant", picture.error().message());
  auto written = WriteFileAtomically(o.out, *picture);
  if (!written) return context.Failed(written.error());
  std::printf("%s\n", o.out.c_str());
  context.SetExitCode(kExitOk);
}

void RunFaceData(const FaceDataOptions& o, Context& context) {
  SystemClock clock;
  auto stack = InsuranceStack::Open(context.DataDir(), o.postgres, clock);
  if (!stack) return context.Failed(stack.error());
  services::PrintedFaceData data;
  std::string image_path;
  auto read =
      (*stack)->store->Transact([&](registry::RegistryTx& tx) -> Status {
        OPENMYNA_ASSIGN_OR_RETURN(auto card, tx.GetCard(o.card));
        if (!card) return Ok();
        OPENMYNA_ASSIGN_OR_RETURN(auto resident,
                                  tx.GetResident(card->resident_id));
        if (!resident) return Ok();
        data.date_of_birth = resident->date_of_birth;
        data.card_expiry = card->expires_on;
        image_path = card->chip_image_path;
        return Ok();
      });
  if (!read) return context.Failed(read.error());
  if (image_path.empty()) return context.BadInput("--card", "no such card");
  // The security code is printed on the card; the sandbox keeps it only on
  // the chip (照合番号B ends with it, card-apdu.md §9.1).
  auto key = card::perso::LoadStorageKey(context.DataDir());
  if (!key) return context.Failed(key.error());
  auto image = card::LoadImage(image_path, &*key);
  if (!image) return context.Failed(image.error());
  const card::Application* face = image->FindApplication("face");
  const card::ElementaryFile* b = face ? face->Find(0x0012) : nullptr;
  if (b == nullptr || b->pin.value.size() != 14) {
    return context.Failed(Error(registry::RegistryErrc::kUnavailable,
                                "the chip has no collation number B"));
  }
  data.security_code = b->pin.value.substr(10);
  const std::string text =
      nlohmann::json({{"date_of_birth", data.date_of_birth},
                      {"card_expiry", data.card_expiry},
                      {"security_code", data.security_code}})
          .dump();
  if (o.out.empty()) {
    std::printf("%s\n", text.c_str());
  } else {
    auto written = WriteFileAtomically(o.out, std::string_view(text));
    if (!written) return context.Failed(written.error());
  }
  context.SetExitCode(kExitOk);
}

}  // namespace

void AddClinicReader(CLI::App& group, Context& context) {
  auto r = std::make_shared<ReaderOptions>();
  CLI::App* reader = group.add_subcommand(
      "reader",
      "One visit at the face-recognition reader with the card in a PC/SC "
      "reader: face, PIN or 目視, consent, eligibility (exit 1 when the holder "
      "is not confirmed)");
  reader->add_option("--reader", r->reader,
                     "PC/SC reader name or part of one (default: the first "
                     "with a card)");
  reader->add_option("--institution", r->institution,
                     "10-digit institution code (default: the sample clinic)");
  reader->add_option("--camera", r->camera,
                     "face path: the camera picture (PNG/JPEG)");
  reader->add_option("--face-data", r->face_data,
                     "face path: the printed face data (JSON, `clinic "
                     "face-data`)");
  reader->add_option("--match", r->match,
                     "face comparison: compare (default), or force match, "
                     "no-match, no-face (sandbox knobs)");
  reader->add_option("--pin-env", r->pin_env,
                     "PIN path: environment variable holding the 4-digit PIN");
  reader->add_flag("--visual", r->visual, "目視 by the staff");
  reader->add_option("--visual-password-env", r->visual_env,
                     "目視: environment variable holding the facility's 目視 "
                     "password (id:secret)");
  reader->add_option("--consent", r->consent,
                     "consent answers: drug,checkup,care,surgery");
  reader->add_flag("--register", r->register_card,
                   "register the card as insurance card here when it is not");
  reader->add_option("--ocsp-url", r->ocsp_url,
                     "OCSP responder of the authentication CA (default: none)");
  reader->add_option("--files", r->files,
                     "the terminal's shared folder: the result XML goes to "
                     "DIR/face/ (OQSsiquc01res_face_<time>.xml)");
  reader->add_option("--postgres", r->postgres,
                     "PostgreSQL URL of the registry");
  reader->add_flag("--json", r->json, "print JSON");
  reader->callback([r, &context] { RunReader(*r, context); });

  auto c = std::make_shared<CameraOptions>();
  CLI::App* camera = group.add_subcommand(
      "camera", "Make the reader camera's picture of a resident (sandbox)");
  camera->add_option("--resident", c->resident, "resident id");
  camera->add_option("--variant", c->variant,
                     "pose/light/noise variant (≥ 0, default 0)");
  camera->add_flag("--empty", c->empty, "nobody in front of the camera");
  camera->add_option("--out", c->out, "PNG file to write")->required();
  camera->add_option("--postgres", c->postgres,
                     "PostgreSQL URL of the registry");
  camera->callback([c, &context] { RunCamera(*c, context); });

  auto f = std::make_shared<FaceDataOptions>();
  CLI::App* face_data = group.add_subcommand(
      "face-data",
      "Print what is printed on a registry-issued card for 照合番号B (birth "
      "date, card expiry, security code) as JSON");
  face_data->add_option("--card", f->card, "card id")->required();
  face_data->add_option("--out", f->out, "write the JSON here (0600)");
  face_data->add_option("--postgres", f->postgres,
                        "PostgreSQL URL of the registry");
  face_data->callback([f, &context] { RunFaceData(*f, context); });
}

}  // namespace openmyna::cli
