// A municipal issuer in its own process (issue 11 item 2, docs/konbini.md
// "Separate processes"): `openmyna serve --only issuer --municipality CODE`
// serves one municipality's issuer over HTTP, and the centre reaches each
// instance through an HttpIssuer (`--set konbini.issuers.CODE=URL,URL`).
//
//   GET  /konbini/v1/issuer        {"municipality", "instance"}
//   POST /konbini/v1/issuer/issue  IssueRequest JSON -> SignedDocument JSON
//   POST /konbini/v1/issuer/void   {"request_id", "issuer_request_id",
//                                   "reason"} -> 204 (the ledger row void)
//   POST /konbini/v1/issuer/printed {"request_id", "issuer_request_id"}
//                                   -> 204 (the row confirmed printed)
//
// Only the centre may ask for (or void) a document: those routes want
// "Authorization: Bearer <token>" with the sandbox's issuer token
// (DIR/konbini/issuer-token, 0600, shared by the processes of one sandbox
// folder). Refusals and failures are problem documents (RFC 9457) that name
// the konbini error, so the centre sees what it would see in process.
//
// Across processes the 2023 incidents stay impossible: the issuer keeps no
// session state (everything it returns is bound to the centre's request id
// and subject in the signed payload, and its ledger row is unique per
// request id); each instance has its own name; the centre refuses an
// answer from an instance other than the one the URL announced, and a
// configuration where two URLs announce the same instance or an instance
// of another municipality (a single-server set-up on a multi-server site,
// Takamatsu 2024, konbini.md §4).
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "openmyna/base/result.h"
#include "openmyna/http/router.h"
#include "openmyna/services/konbini/issuer.h"

namespace openmyna::konbini {

// The sandbox's issuer token (64 hex digits), made once (0600) under a lock
// so that processes starting together agree on it.
Result<std::string> LoadOrCreateIssuerToken(const std::filesystem::path& dir);

struct IssuerApiOptions {
  std::string municipality_code;
  std::string instance;
  std::string token;
};

// Adds the four routes for `issuer` (borrowed; must outlive the router).
Status AddIssuerApi(http::Router& router, IssuerPort& issuer,
                    const IssuerApiOptions& options);

// Which instance answers at which URL, shared by the centre's HttpIssuers:
// two URLs may not announce one instance.
class IssuerDirectory {
 public:
  // kUnavailable when `instance` was announced by another URL.
  Status Claim(const std::string& instance, const std::string& url);

 private:
  std::mutex mutex_;
  std::map<std::string, std::string> url_of_;
};

// An instance of a municipal issuer at `url` ("http://host:port").
class HttpIssuer final : public IssuerPort {
 public:
  HttpIssuer(std::string municipality_code, std::string url, std::string token,
             std::shared_ptr<IssuerDirectory> directory);
  // Asks the instance who it is (once, then after each failure to reach
  // it), then for the document. kUnreachable when it could not be reached
  // or request.answer_by had passed (nothing was sent); kTimeout when it
  // vanished mid-request or did not answer by request.answer_by (each HTTP
  // call's timeout is the time left); kBinding when the answer names
  // another instance or municipality.
  Result<SignedDocument> Issue(const IssueRequest& request) override;
  // kUnreachable when nothing was sent (also once request.answer_by has
  // passed), else the instance's answer; kTimeout when it did not answer by
  // request.answer_by (the HTTP call's timeout is the time left; unset: the
  // client's default).
  Status Void(const VoidRequest& request) override;
  // As Void, by printed.answer_by.
  Status Confirm(const PrintConfirmation& printed) override;
  const std::string& url() const { return url_; }

 private:
  // Each call within the time left to `deadline` (unset: the HTTP client's
  // default timeout).
  Result<std::string> Instance(std::chrono::steady_clock::time_point deadline);
  // A step answered 204 (void, printed), to this instance.
  Status Post(std::string_view path, const nlohmann::json& body,
              std::chrono::steady_clock::time_point deadline = {});

  std::string code_;
  std::string url_;
  std::string token_;
  std::shared_ptr<IssuerDirectory> directory_;
  std::mutex mutex_;
  std::string instance_;  // as announced; empty until known
};

}  // namespace openmyna::konbini
