// `openmyna insurance document MEMBERSHIP_ID --out FILE.pdf`: the insurer
// asks the insurance service (`serve --only insurance`) for the document
// its member is due today, POST /insurance/v1/memberships/{id}/document with
// its HTTP Basic credential (RFC 7617) taken from an environment variable
// (never the command line: other users see it in ps), and writes the PDF
// 0600 (it holds the member's name, birth date and, on a 資格確認書, the
// address). docs/insurance.md "資格確認書 and 資格情報のお知らせ".
//
// `openmyna insurance issue-due --out-dir DIR`: the ex officio batch
// (InsuranceService::IssueDueDocuments) on the registry database, a page of
// memberships per transaction; each document issued is written as
// DIR/<number>.pdf (0600, DIR 0700) for mailing. Run it daily (cron): a
// second run issues nothing new, and writes again what an earlier run
// recorded but could not write (docs/insurance.md "Ex officio").
#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "cli/app_http.h"
#include "cli/insurance_documents.h"
#include "cli/insurance_stack.h"
#include "openmyna/base/base64.h"
#include "openmyna/base/clock.h"
#include "openmyna/base/errors.h"
#include "openmyna/base/file_io.h"
#include "openmyna/http/client.h"
#include "openmyna/pki/sandbox.h"
#include "openmyna/pki/tls.h"
#include "openmyna/registry/insurance_json.h"
#include "openmyna/services/insurance_documents.h"

namespace openmyna::cli {
namespace {

using nlohmann::json;

constexpr const char* kCredentialEnv = "OPENMYNA_INSURER_CREDENTIAL";

struct DocumentOptions {
  std::string membership;
  std::string out;
  std::string url;  // the service's base URL; default the sandbox's
  std::string credential_env = kCredentialEnv;
  std::string cacert;  // for https; default the sandbox TLS root
  bool json = false;
};

// An id as the enrolment answered it: one URL path segment of unreserved
// characters (RFC 3986 §2.3), so nothing in it can change the route.
bool IsUnreservedSegment(std::string_view id) {
  if (id.empty() || id == "." || id == "..") return false;
  for (const char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                    c == '.' || c == '~';
    if (!ok) return false;
  }
  return true;
}

void RunDocument(const DocumentOptions& o, Context& context) {
  if (!IsUnreservedSegment(o.membership)) {
    return context.BadInput("MEMBERSHIP_ID",
                            "the membership id the enrolment answered "
                            "(letters, digits, '-', '_', '.', '~')");
  }
  const char* secret = std::getenv(o.credential_env.c_str());
  const std::string credential = secret ? secret : "";
  const auto colon = credential.find(':');
  if (credential.empty()) {
    return context.BadInput(
        "--credential-env",
        o.credential_env +
            " is not set: put the insurer's id:secret there (`openmyna "
            "insurance credentials --insurer NUMBER`)");
  }
  if (colon == std::string::npos || colon == 0 ||
      colon + 1 == credential.size()) {
    return context.BadInput("--credential-env",
                            o.credential_env + " does not hold id:secret");
  }
  // Checked before asking: every issue is audited on the member, so a
  // document that could not be written would be issued for nothing.
  const std::filesystem::path out(o.out);
  const auto folder =
      out.has_parent_path() ? out.parent_path() : std::filesystem::path(".");
  std::error_code ec;
  if (!std::filesystem::is_directory(folder, ec)) {
    return context.BadInput("--out", "no folder " + folder.string());
  }
  if (std::filesystem::is_directory(out, ec)) {
    return context.BadInput("--out", o.out + " is a folder; name the file");
  }
  std::string base = o.url;
  if (base.empty()) {
    auto sandbox = pki::Sandbox::Open(context.DataDir());
    if (!sandbox) {
      return context.BadInput("--url", "not given, and no sandbox in " +
                                           context.DataDir().string() + ": " +
                                           sandbox.error().message());
    }
    base = sandbox->base_url();
  }
  while (!base.empty() && base.back() == '/') base.pop_back();

  http::ClientRequest request;
  request.method = "POST";
  request.url =
      base + "/insurance/v1/memberships/" + o.membership + "/document";
  request.headers = {
      {"Authorization",
       "Basic " + Base64Encode(ByteView(
                      reinterpret_cast<const std::uint8_t*>(credential.data()),
                      credential.size()))}};
  request.trusted_root_pem =
      o.cacert.empty() ? pki::TlsFilesOf(context.DataDir()).root_pem.string()
                       : o.cacert;
  auto answer = http::Fetch(request);
  if (!answer) return context.Failed(answer.error());
  if (answer->status != 201) {
    std::string hint;
    if (answer->status == 401) {
      hint = " (is the insurer's credential in " + o.credential_env +
             " the current one?)";
    } else if (answer->status == 403) {
      hint = " (an insurer's credential is needed, not a clinic's)";
    }
    std::fprintf(stderr, "openmyna: the insurance service answered %d: %s%s\n",
                 answer->status, DetailOf(answer->body).c_str(), hint.c_str());
    // 400/404 describe the caller's input (the id); the rest are refusals.
    return context.SetExitCode(answer->status == 400 || answer->status == 404
                                   ? kExitBadInput
                                   : kExitFailed);
  }
  if (answer->content_type != "application/pdf" ||
      !answer->body.starts_with("%PDF-")) {
    std::fprintf(stderr, "openmyna: %s answered 201 without a PDF (%s)\n",
                 request.url.c_str(), answer->content_type.c_str());
    return context.SetExitCode(kExitFailed);
  }
  const std::string kind = answer->Header("X-Document-Kind");
  const std::string number = answer->Header("X-Document-Number");
  if (Status written = WriteFileAtomically(out, answer->body); !written) {
    // Issued, recorded and audited on the member: say which one is lost.
    std::fprintf(stderr,
                 "openmyna: %s (membership %s) was issued and recorded but "
                 "could not be written to %s: %s; asking again issues a new "
                 "number\n",
                 number.c_str(), o.membership.c_str(), out.string().c_str(),
                 written.error().message().c_str());
    return context.SetExitCode(kExitFailed);
  }
  if (o.json) {
    std::printf("%s\n", json({{"kind", kind},
                              {"number", number},
                              {"file", out.string()},
                              {"bytes", answer->body.size()}})
                            .dump()
                            .c_str());
  } else {
    std::printf("%s %s written to %s (%zu bytes)\n",
                kind == "notice" ? "資格情報のお知らせ" : "資格確認書",
                number.c_str(), out.string().c_str(), answer->body.size());
  }
  context.SetExitCode(kExitOk);
}

struct DueOptions {
  std::string out_dir;
  std::string postgres;
  int page = 200;
  bool json = false;
};

// The batch's folder holds names, birth dates and addresses: one that is
// missing is made 0700; an existing one must already be closed to group
// and others (review finding 14: refused rather than changed, since the
// folder may be shared with a mailing system that set its own mode).
Status RequirePrivateFolder(const std::filesystem::path& dir) {
  std::error_code ec;
  const auto status = std::filesystem::status(dir, ec);
  if (!std::filesystem::exists(status)) return EnsurePrivateDirectory(dir);
  if (!std::filesystem::is_directory(status)) {
    return Fail(BaseErrc::kInvalidArgument, dir.string() + " is not a folder");
  }
  using std::filesystem::perms;
  const perms open =
      status.permissions() & (perms::group_all | perms::others_all);
  if (open != perms::none) {
    return Fail(BaseErrc::kInvalidArgument,
                fmt::format("{} is open to other users (mode {:o}); the "
                            "documents hold names and addresses: `chmod 700 "
                            "{}` or name a new folder",
                            dir.string(),
                            static_cast<unsigned>(status.permissions()) & 0777,
                            dir.string()));
  }
  return Ok();
}

// A document of the batch whose PDF could not be written.
struct Unwritten {
  std::string number;
  std::string membership;
  std::string error;
};

void RunIssueDue(const DueOptions& o, Context& context) {
  if (o.page < 1 || o.page > 10000) {
    return context.BadInput("--page", "from 1 to 10000 memberships");
  }
  const std::filesystem::path dir(o.out_dir);
  if (Status folder = RequirePrivateFolder(dir); !folder) {
    return context.BadInput("--out-dir", folder.error().message());
  }
  SystemClock clock;
  auto stack = InsuranceStack::Open(context.DataDir(), o.postgres, clock);
  if (!stack) return context.Failed(stack.error());
  const registry::Actor system{"issue-due", registry::Role::kSystem,
                               "職権交付"};
  int checked = 0, notices = 0, certificates = 0, again = 0;
  json written_json = json::array(), unwritten_json = json::array(),
       skipped_json = json::array();
  std::vector<Unwritten> unwritten;
  std::vector<registry::SkippedMembership> skipped;
  std::vector<registry::SupersededDocument> superseded;
  std::string stopped;  // why the run stopped early ("" when it did not)
  std::string after;
  do {
    auto page = (*stack)->service->IssueDueDocuments(system, after, o.page);
    if (!page) {
      stopped = page.error().message();
      break;
    }
    checked += page->checked;
    for (auto& s : page->skipped) skipped.push_back(std::move(s));
    for (auto& s : page->superseded) superseded.push_back(std::move(s));
    // Every document of the page is written (those of this run, then those
    // an earlier run recorded and never wrote), each failure named; the
    // written ones are reported so that no later run gives them again.
    std::vector<std::string> written;
    const auto write = [&](const registry::QualificationDocument& d,
                           bool earlier) {
      const auto file = dir / (d.number + ".pdf");
      auto pdf = services::RenderQualificationPdf(d);
      Status done = pdf ? WriteFileAtomically(file, *pdf)
                        : Status(Unexpected(pdf.error()));
      if (!done) {
        unwritten.push_back(
            {d.number, d.membership.id, done.error().message()});
        return;
      }
      written.push_back(d.number);
      const bool notice = d.kind == domain::QualificationDocumentKind::kNotice;
      ++(notice ? notices : certificates);
      again += earlier;
      if (o.json) {
        written_json.push_back({{"number", d.number},
                                {"kind", d.kind},
                                {"reason", d.reason},
                                {"membership", d.membership.id},
                                {"valid_until", d.valid_until},
                                {"file", file.string()},
                                {"again", earlier}});
      } else {
        std::printf(
            "%s  %s  %s  (membership %s)%s\n", file.string().c_str(),
            std::string(domain::QualificationDocumentName(d.kind)).c_str(),
            std::string(domain::QualificationDocumentReasonText(d.reason))
                .c_str(),
            d.membership.id.c_str(),
            earlier ? "  issued earlier, written now" : "");
      }
    };
    const std::size_t failed_before = unwritten.size();
    for (const auto& d : page->issued) write(d, false);
    for (const auto& d : page->unwritten) write(d, true);
    if (Status reported =
            (*stack)->service->MarkDocumentsWritten(system, written);
        !reported) {
      stopped = fmt::format(
          "{} PDF(s) were written but could not be reported to the registry "
          "({}): the next run writes them again under the same numbers",
          written.size(), reported.error().message());
      break;
    }
    // A folder that refuses one file will refuse the next page's too: stop
    // here; the next run writes these first.
    if (unwritten.size() > failed_before) break;
    after = page->next_after;
  } while (!after.empty());
  for (const Unwritten& u : unwritten) {
    std::fprintf(stderr,
                 "openmyna: %s (membership %s) is recorded as issued but was "
                 "not written: %s\n",
                 u.number.c_str(), u.membership.c_str(), u.error.c_str());
    unwritten_json.push_back({{"number", u.number},
                              {"membership", u.membership},
                              {"error", u.error}});
  }
  if (!unwritten.empty()) {
    std::fprintf(stderr,
                 "openmyna: %zu document(s) not written; the next `openmyna "
                 "insurance issue-due` writes them under the same numbers "
                 "(it stopped before the memberships after this page)\n",
                 unwritten.size());
  }
  json superseded_json = json::array();
  for (const registry::SupersededDocument& d : superseded) {
    std::fprintf(stderr,
                 "openmyna: %s (membership %s), recorded by an earlier run "
                 "and never written, is superseded by this run's document "
                 "and will not be written\n",
                 d.number.c_str(), d.membership_id.c_str());
    superseded_json.push_back(
        {{"number", d.number}, {"membership", d.membership_id}});
  }
  for (const registry::SkippedMembership& s : skipped) {
    std::fprintf(stderr,
                 "openmyna: membership %s skipped: %s; once the record is "
                 "corrected the next run issues its document\n",
                 s.membership_id.c_str(), s.reason.c_str());
    skipped_json.push_back(
        {{"membership", s.membership_id}, {"reason", s.reason}});
  }
  // The report is printed whatever stopped the run: files may exist.
  if (!stopped.empty()) {
    std::fprintf(stderr, "openmyna: the run stopped: %s\n", stopped.c_str());
  }
  if (o.json) {
    json report = {{"checked", checked},
                   {"written", std::move(written_json)},
                   {"unwritten", std::move(unwritten_json)},
                   {"skipped", std::move(skipped_json)},
                   {"superseded", std::move(superseded_json)}};
    if (!stopped.empty()) report["error"] = stopped;
    std::printf("%s\n", report.dump().c_str());
  } else {
    std::printf(
        "Checked %d memberships: written %d (資格確認書 %d, "
        "資格情報のお知らせ %d; %d of them issued earlier), not written %zu, "
        "skipped %zu\n",
        checked, notices + certificates, certificates, notices, again,
        unwritten.size(), skipped.size());
  }
  context.SetExitCode(unwritten.empty() && skipped.empty() && stopped.empty()
                          ? kExitOk
                          : kExitFailed);
}

}  // namespace

void AddInsuranceDocumentCommands(CLI::App& insurance, Context& context) {
  auto d = std::make_shared<DocumentOptions>();
  CLI::App* document = insurance.add_subcommand(
      "document",
      "Issue the 資格確認書 or 資格情報のお知らせ a member is due today, "
      "through the insurance service's insurer API, as a PDF");
  document
      ->add_option("membership", d->membership,
                   "the membership's id (as the enrolment answered it)")
      ->required();
  document->add_option("--out", d->out, "PDF file to write (mode 0600)")
      ->required();
  document->add_option("--url", d->url,
                       "base URL of `openmyna serve` with the insurance "
                       "service (default: the sandbox's base URL)");
  document->add_option(
      "--credential-env", d->credential_env,
      std::string("environment variable holding the insurer's id:secret "
                  "(default ") +
          kCredentialEnv + ")");
  document->add_option("--cacert", d->cacert,
                       "trusted root for an https URL (default: the "
                       "sandbox TLS root)");
  document->add_flag("--json", d->json,
                     "print {\"kind\", \"number\", \"file\", \"bytes\"}");
  document->callback([d, &context] { RunDocument(*d, context); });

  auto due = std::make_shared<DueOptions>();
  CLI::App* issue_due = insurance.add_subcommand(
      "issue-due",
      "Ex officio: issue the 資格確認書 / 資格情報のお知らせ every member is "
      "due (none yet, registration cancelled, certificate expired or "
      "revoked, card returned, validity ended); a second run issues nothing");
  issue_due
      ->add_option("--out-dir", due->out_dir,
                   "folder for the PDFs, DIR/<number>.pdf (made 0700 when "
                   "missing; an existing one must be closed to group and "
                   "others)")
      ->required();
  issue_due->add_option("--page", due->page,
                        "memberships per page, read in one snapshot and "
                        "recorded 50 per write transaction (default 200)");
  issue_due->add_option("--postgres", due->postgres,
                        "PostgreSQL URL of the registry (else "
                        "$OPENMYNA_REGISTRY_DB or DIR/registry.db)");
  issue_due->add_flag("--json", due->json,
                      "print {\"checked\", \"written\": [...], "
                      "\"unwritten\": [...], \"skipped\": [...]}");
  issue_due->callback([due, &context] { RunIssueDue(*due, context); });
}

}  // namespace openmyna::cli
