#include "openmyna/services/konbini/verify_page.h"

#include <algorithm>
#include <memory>

#include "openmyna/registry/konbini_ledger.h"
#include "openmyna/services/konbini/errors.h"
#include "openmyna/services/konbini/site.h"
#include "openmyna/services/konbini/verification.h"
#include "openmyna/web/page.h"

namespace openmyna::web {
std::span<const Asset> KonbiniAssets();
}  // namespace openmyna::web

namespace openmyna::konbini {
namespace {

using http::Request;
using http::Response;
using nlohmann::json;

constexpr std::size_t kMaxUpload = 2 * 1024 * 1024;  // as serve

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}

// The signed fields as rows "name: value" (nested objects flattened with
// dots, arrays with [i]).
void Flatten(const json& j, const std::string& prefix, web::View& rows) {
  if (j.is_object()) {
    for (const auto& [key, value] : j.items()) {
      Flatten(value, prefix.empty() ? key : prefix + "." + key, rows);
    }
  } else if (j.is_array()) {
    for (std::size_t i = 0; i < j.size(); ++i) {
      Flatten(j[i], prefix + "[" + std::to_string(i + 1) + "]", rows);
    }
  } else {
    rows.Push(
        web::View()
            .Set("name", prefix)
            .Set("value", j.is_string() ? j.get<std::string>() : j.dump()));
  }
}

struct Page {
  VerifyPageOptions options;
  std::unique_ptr<web::Site> site;

  web::PageContent Content(const Request& request) const {
    web::PageContent page{.title = site->Text(request, "konbini_verify_title"),
                          .template_name = "verify"};
    page.view.Set("action", "/verify/");
    return page;
  }

  // What the municipality's ledger says of the document.
  enum class Ledger { kUnread, kMissing, kVoid, kFound };

  Ledger LedgerOf(const Document& d) const {
    if (options.store == nullptr) return Ledger::kUnread;
    std::optional<registry::KonbiniIssuance> row;
    auto read = options.store->Read([&](registry::RegistryTx& tx) -> Status {
      OPENMYNA_ASSIGN_OR_RETURN(
          row, registry::FindKonbiniIssuance(tx, d.request_id));
      return Ok();
    });
    if (!read) return Ledger::kUnread;
    if (!row || row->issuer_request_id != d.issuer_request_id ||
        row->municipality_code != d.municipality_code) {
      return Ledger::kMissing;
    }
    // Handed to the kiosk, never printed (konbini_ledger.h).
    return row->voided_at ? Ledger::kVoid : Ledger::kFound;
  }

  std::string LedgerText(const Request& request, Ledger ledger) const {
    switch (ledger) {
      case Ledger::kUnread:
        return "";
      case Ledger::kMissing:
        return site->Text(request, "konbini_ledger_missing");
      case Ledger::kVoid:
        return site->Text(request, "konbini_ledger_void");
      case Ledger::kFound:
        return site->Text(request, "konbini_ledger_found");
    }
    return "";
  }

  Response Get(const Request& request) const {
    return site->Render(request, nullptr, Content(request));
  }

  Response Post(const Request& request) const {
    std::string input;
    if (request.body.size() > kMaxUpload) {
      return site->Error(
          request, 413, site->Text(request, "web_bad_form"),
          {"/verify/", site->Text(request, "konbini_verify_title")});
    }
    auto parts =
        ParseMultipart(request.HeaderValue("Content-Type"), request.body);
    if (!parts) {
      return site->Error(
          request, 400, site->Text(request, "web_bad_form"),
          {"/verify/", site->Text(request, "konbini_verify_title")});
    }
    if (auto f = parts->find("file"); f != parts->end() && !f->second.empty()) {
      input = f->second;
    } else if (auto c = parts->find("code"); c != parts->end()) {
      input = c->second;
    }
    web::PageContent page = Content(request);
    page.view.Set("checked", true);
    if (input.find_first_not_of(" \t\r\n") == std::string::npos) {
      page.view.Set("valid", false);
      page.view.Set("reason", site->Text(request, "konbini_nothing"));
      page.status = 400;
      return site->Render(request, nullptr, std::move(page));
    }
    const Verdict verdict =
        VerifyPresented(input, TrustedKeysIn(options.data_dir));
    page.view.Set("valid", verdict.valid);
    page.view.Set("signed", verdict.valid);
    page.view.Set("form", verdict.form);
    page.view.Set("reason", verdict.reason);
    if (verdict.valid) {
      const Document& d = *verdict.document;
      web::View rows = web::View::List();
      json head = {
          {"certificate", domain::KonbiniCertificateName(d.certificate)},
          {"municipality", d.municipality_code + " " + d.municipality_name},
          {"request_id", d.request_id},
          {"issuer_request_id", d.issuer_request_id},
          {"issued_at", d.issued_at},
          {"copies", d.copies}};
      if (verdict.form == "page-code" && !d.pages.empty()) {
        head["page"] = std::to_string(d.pages[0].number) + "/" +
                       std::to_string(d.pages[0].count);
      }
      if (!verdict.pdf_signer.empty()) head["pdf_signer"] = verdict.pdf_signer;
      Flatten(head, "", rows);
      Flatten(d.fields, "", rows);
      page.view.Set("rows", rows);
      const Ledger ledger = LedgerOf(d);
      page.view.Set("ledger", LedgerText(request, ledger));
      if (ledger == Ledger::kVoid) {
        // The signature holds, but the ledger voided the document: one
        // verdict, not valid, so the page never says 有効 beside 取消済み.
        page.view.Set("valid", false);
        page.view.Set("void", true);
        page.view.Set("reason", "");
        page.status = 422;
      }
    } else {
      page.status = 422;
    }
    return site->Render(request, nullptr, std::move(page));
  }
};

}  // namespace

Result<std::map<std::string, std::string>> ParseMultipart(
    std::string_view content_type, std::string_view body) {
  const std::string type = Lower(content_type);
  const std::size_t b = type.find("boundary=");
  if (type.rfind("multipart/form-data", 0) != 0 || b == std::string::npos) {
    return Fail(KonbiniErrc::kInvalidInput, "not multipart/form-data");
  }
  std::string boundary(content_type.substr(b + 9));
  if (const auto semi = boundary.find(';'); semi != std::string::npos) {
    boundary.resize(semi);
  }
  if (boundary.size() >= 2 && boundary.front() == '"') {
    boundary = boundary.substr(1, boundary.size() - 2);
  }
  if (boundary.empty()) return Fail(KonbiniErrc::kInvalidInput, "no boundary");
  const std::string delimiter = "--" + boundary;
  std::map<std::string, std::string> parts;
  std::size_t at = body.find(delimiter);
  while (at != std::string_view::npos) {
    at += delimiter.size();
    if (body.substr(at, 2) == "--") break;  // the close delimiter
    const std::size_t head_end = body.find("\r\n\r\n", at);
    if (head_end == std::string_view::npos) break;
    const std::string head = Lower(body.substr(at, head_end - at));
    const std::size_t next = body.find("\r\n" + delimiter, head_end + 4);
    if (next == std::string_view::npos) {
      return Fail(KonbiniErrc::kInvalidInput, "unterminated part");
    }
    const std::size_t n = head.find("name=\"");
    if (n != std::string::npos) {
      const std::size_t end = head.find('"', n + 6);
      const std::string name = head.substr(n + 6, end - n - 6);
      parts.emplace(
          name, std::string(body.substr(head_end + 4, next - head_end - 4)));
    }
    at = next + 2;
  }
  return parts;
}

Status AddVerifyPage(http::Router& router, const VerifyPageOptions& options) {
  auto page = std::make_shared<Page>();
  page->options = options;
  OPENMYNA_ASSIGN_OR_RETURN(
      web::Site site,
      web::Site::FromAssets({options.base_path, "konbini_site", ""},
                            web::KonbiniAssets()));
  page->site = std::make_unique<web::Site>(std::move(site));
  OPENMYNA_RETURN_IF_ERROR(router.Add(
      "GET", "/verify/", [page](const Request& r) { return page->Get(r); }));
  OPENMYNA_RETURN_IF_ERROR(router.Add(
      "POST", "/verify/", [page](const Request& r) { return page->Post(r); }));
  return page->site->AddStaticRoutes(router);
}

}  // namespace openmyna::konbini
