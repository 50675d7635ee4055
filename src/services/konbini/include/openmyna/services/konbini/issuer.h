// The municipal issuer (証明発行サーバ, konbini.md §1.1): one per
// municipality (several instances may serve one municipality behind the
// centre), reading its registry and rendering the document. It has its own
// request ids; everything it returns is bound to the centre's request id
// and the authenticated subject, and signed.
//
// Consistency: the whole document comes from ONE registry transaction, so a
// registry update during issuance yields either the old or the new record,
// never a mix (the Adachi class of incident, konbini.md §4).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/base/rng.h"
#include "openmyna/domain/konbini.h"
#include "openmyna/pki/openssl_types.h"
#include "openmyna/registry/konbini_ledger.h"
#include "openmyna/registry/store.h"
#include "openmyna/services/konbini/document.h"

namespace openmyna::konbini {

// The 住民票 options the holder picks at the kiosk (konbini.md §2.1). The
// 住民票コード is never printed; the individual number only where the
// municipality allows it.
struct JuminhyoOptions {
  bool whole_household = false;
  std::vector<std::string> members;    // resident ids, when not the household
  bool honseki = false;                // 本籍・筆頭者
  bool head_and_relationship = false;  // 世帯主・続柄
  bool individual_number = false;
};

struct IssueRequest {
  std::string request_id;  // the centre's session request id
  std::string subject;     // the authenticated requester's resident id
  domain::KonbiniCertificate certificate =
      domain::KonbiniCertificate::kJuminhyo;
  JuminhyoOptions juminhyo;
  int copies = 1;
  int fee_yen = 0;  // total, set by the centre from the dated fee table
  // The end of the session's deadline, set by the centre: a document not
  // confirmed printed by then is void (the ledger's sweep). Unset (the
  // epoch): the issuer's IssuerPolicy::print_window from now.
  TimePoint print_by{};
  // When the centre stops waiting for the answer (its issuer deadline, on
  // this process's steady clock; over HTTP sent as the time left). Past it
  // the issuer does no more work: nothing recorded before its transaction,
  // nothing signed or drawn after it (the row then void). Unset (the
  // epoch): no limit.
  std::chrono::steady_clock::time_point answer_by{};
};

// A signed document: the structure and its compact JWS, each page's signed
// 2D code, and the PDF when the issuer renders it.
struct SignedDocument {
  Document document;
  std::string jws;
  std::vector<std::string> page_codes;  // page n at n-1 (PageCodeJson)
  std::string seal_png;  // 印鑑登録証明書: the registered impression
  std::string pdf;       // signed PDF (pdf.h); empty unless rendered
};

// A document the issuer handed to the centre that no kiosk printed: its
// session was cancelled, timed out, or ended while the issuer worked.
struct VoidRequest {
  std::string request_id;  // the centre's session
  // Document::issuer_request_id; empty when the centre got no document (a
  // lost answer, a failure, one naming another instance): then the row of
  // request_id of this municipality, if the issuer committed one (none: Ok).
  std::string issuer_request_id;
  std::string reason;  // registry::kVoidCancelled, kVoidTimedOut, kVoidDropped
  // When the centre stops waiting for it (on this process's steady clock;
  // the centre allows its confirm_deadline): a transport gives up then,
  // and the issuers' sweep voids the row after print_by. Unset (the
  // epoch): no limit.
  std::chrono::steady_clock::time_point answer_by{};
};

// The kiosk's print confirmation (the centre's Finish): the document of
// these ids is printed; its ledger row stands with its fee.
struct PrintConfirmation {
  std::string request_id;         // the centre's session
  std::string issuer_request_id;  // Document::issuer_request_id
  // When the centre stops waiting for it (its confirmation deadline, on
  // this process's steady clock): a transport gives up then. Unset (the
  // epoch): no limit.
  std::chrono::steady_clock::time_point answer_by{};
};

// What the centre calls (in process, or over a transport).
class IssuerPort {
 public:
  virtual ~IssuerPort() = default;
  virtual Result<SignedDocument> Issue(const IssueRequest& request) = 0;
  // Marks the document's ledger row void (no fee was taken). Ok when it is
  // void (also when it was already). Default: kUnavailable (an issuer that
  // keeps no ledger).
  virtual Status Void(const VoidRequest& request);
  // Marks the document's ledger row printed. Ok when it is (also when it
  // was already); kRefused when the row is void (nothing may be printed).
  // Default: kUnavailable.
  virtual Status Confirm(const PrintConfirmation& printed);
};

struct IssuerPolicy {
  // Municipal option (konbini.md §2.1): Susono, Kochi allow it; Takamatsu
  // refuses. Sandbox default: refused.
  bool individual_number_allowed = false;
  // Family-register certificates' hours (konbini.md §1.4).
  domain::ServiceWindow family_register_hours = domain::kKonbiniHours;
  // Office days after which a 利用登録申請 takes effect
  // (registry/konbini_registration.h; Obihiro: about 5).
  int registration_office_days = 5;
  // When set, the issuer renders the PDF and signs it with the document
  // key certified by this certificate (document_keys.h).
  std::shared_ptr<X509> pdf_certificate;
  // A request without IssueRequest::print_by must be printed within this
  // (the centre's default session timeout and issuer deadline).
  std::chrono::seconds print_window{190};
};

class MunicipalIssuer final : public IssuerPort {
 public:
  // Borrowed references must outlive the issuer.
  MunicipalIssuer(std::string municipality_code, std::string instance,
                  registry::RegistryStore& store, const Clock& clock, Rng& rng,
                  std::shared_ptr<const DocumentSigner> signer,
                  IssuerPolicy policy = {});

  const std::string& municipality_code() const { return code_; }
  const std::string& instance() const { return instance_; }

  // Refusals are kRefused with the kiosk's text. Thread-safe. When signing
  // or rendering fails after the ledger row was committed, the row is voided
  // (kVoidDropped) before the error is returned. kTimeout, doing nothing
  // more, once request.answer_by has passed: before the transaction (no
  // row), or when the signing and drawing's turn comes (the row voided).
  Result<SignedDocument> Issue(const IssueRequest& request) override;
  // The row of this municipality's ledger (registry::VoidKonbiniIssuance);
  // kInvalidInput when it has no row of those ids or the reason is unknown.
  Status Void(const VoidRequest& request) override;
  // registry::MarkKonbiniIssuancePrinted of this municipality's row;
  // kInvalidInput when it has no row of those ids.
  Status Confirm(const PrintConfirmation& printed) override;
  // Voids every row of this municipality neither printed nor void past its
  // print_by (registry::VoidUnprintedKonbiniIssuances), with konbini.void
  // on the trails of its konbini.issue, and returns how many. This runs in
  // the issuers (IssuerSweeper), not the centre: a centre killed while
  // holding a document leaves no fee behind. With nothing to void it only
  // reads (no write transaction, so it never holds SQLite's write lock).
  Result<int> Sweep();

 private:
  // konbini.void for `row` (void now) on every trail that has its issue.
  Status AppendVoidAudits(registry::RegistryTx& tx,
                          const registry::KonbiniIssuance& row, TimePoint now);

  std::string code_;
  std::string instance_;
  registry::RegistryStore& store_;
  const Clock& clock_;
  Rng& rng_;
  std::shared_ptr<const DocumentSigner> signer_;
  IssuerPolicy policy_;
};

}  // namespace openmyna::konbini
