#include "openmyna/services/konbini/kiosk.h"

#include <openssl/evp.h>

#include "openmyna/domain/date.h"
#include "openmyna/services/konbini/errors.h"
#include "openmyna/services/konbini/pdf.h"

namespace openmyna::konbini {

SoftwareCard::SoftwareCard(Bytes certificate_der, EVP_PKEY* key,
                           std::string pin)
    : der_(std::move(certificate_der)), key_(key), pin_(std::move(pin)) {}

Result<Bytes> SoftwareCard::ReadAuthenticationCertificate() { return der_; }

Status SoftwareCard::VerifyPin(std::string_view pin) {
  if (tries_ == 0) {
    return Fail(
        KonbiniErrc::kRefused,
        "暗証番号がロックされています。市区町村の窓口で解除してください "
        "(PIN blocked)");
  }
  if (pin != pin_) {
    --tries_;
    return Fail(
        KonbiniErrc::kRefused,
        "暗証番号が違います。残り" + std::to_string(tries_) + "回 (wrong PIN)");
  }
  tries_ = 3;
  verified_ = true;
  return Ok();
}

Result<Bytes> SoftwareCard::SignChallenge(ByteView challenge) {
  if (!verified_) {
    return Fail(KonbiniErrc::kRefused, "PIN not verified (69 82)");
  }
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  std::size_t size = 0;
  Bytes out;
  bool ok =
      EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key_) == 1 &&
      EVP_DigestSign(ctx, nullptr, &size, challenge.data(), challenge.size()) ==
          1;
  if (ok) {
    out.resize(size);
    ok = EVP_DigestSign(ctx, out.data(), &size, challenge.data(),
                        challenge.size()) == 1;
    out.resize(size);
  }
  EVP_MD_CTX_free(ctx);
  if (!ok) return Fail(KonbiniErrc::kInternal, "card signature failed");
  return out;
}

Result<int> KonbiniFeeYen(std::string_view municipality_code,
                          domain::KonbiniCertificate c, TimePoint at) {
  auto row =
      domain::KonbiniFeeOn(domain::SandboxKonbiniFees(), municipality_code, c,
                           domain::JapanDateOf(at));
  if (!row) {
    return Fail(KonbiniErrc::kUnavailable,
                "no fee table for " + std::string(municipality_code));
  }
  return row->konbini_yen;
}

Status CheckPrintable(const SignedDocument& fetched, std::string_view key_pem,
                      const Authenticated& session,
                      const std::string& municipality_code,
                      domain::KonbiniCertificate certificate) {
  // The signed payload, not the structure handed along, is what counts.
  OPENMYNA_ASSIGN_OR_RETURN(Document signed_doc,
                            VerifyDocument(fetched.jws, key_pem));
  if (signed_doc.request_id != session.request_id ||
      signed_doc.subject != session.resident_id ||
      signed_doc.municipality_code != municipality_code ||
      signed_doc.certificate != certificate) {
    return Fail(KonbiniErrc::kBinding,
                "the document is not this session's: not printed");
  }
  const int count = static_cast<int>(signed_doc.pages.size());
  for (int i = 0; i < count; ++i) {
    const DocumentPage& page = signed_doc.pages[static_cast<std::size_t>(i)];
    if (page.number != i + 1 || page.count != count) {
      return Fail(KonbiniErrc::kBinding,
                  "the pages are not one set 1..N: not printed");
    }
  }
  if (count == 0) return Fail(KonbiniErrc::kBinding, "no pages");
  // Each page's 2D code: signed, this session's, this page.
  if (fetched.page_codes.size() != static_cast<std::size_t>(count)) {
    return Fail(KonbiniErrc::kBinding, "a page has no 2D code: not printed");
  }
  for (int i = 0; i < count; ++i) {
    OPENMYNA_ASSIGN_OR_RETURN(
        Document code,
        VerifyDocument(fetched.page_codes[static_cast<std::size_t>(i)],
                       key_pem));
    if (code.request_id != session.request_id ||
        code.subject != session.resident_id || code.pages.size() != 1 ||
        code.pages[0].number != i + 1 || code.pages[0].count != count) {
      return Fail(KonbiniErrc::kBinding,
                  "a page's 2D code is not this session's: not printed");
    }
  }
  // The PDF carries this document's JWS (and is signed by the issuer).
  if (!fetched.pdf.empty() && FindDocumentJws(fetched.pdf) != fetched.jws) {
    return Fail(KonbiniErrc::kBinding,
                "the PDF is not this session's document: not printed");
  }
  return Ok();
}

Kiosk::Kiosk(CentrePort& centre, const Clock& clock,
             std::map<std::string, std::string> document_keys)
    : centre_(centre), clock_(clock), keys_(std::move(document_keys)) {}

Result<Printout> Kiosk::Run(KioskCard& card, std::string_view pin,
                            const KioskChoice& choice) {
  OPENMYNA_ASSIGN_OR_RETURN(Authenticated who, SignIn(card, pin));
  return Issue(who, choice);
}

Result<Authenticated> Kiosk::SignIn(KioskCard& card, std::string_view pin) {
  OPENMYNA_ASSIGN_OR_RETURN(SessionStart start, centre_.Begin());
  auto who = [&]() -> Result<Authenticated> {
    OPENMYNA_ASSIGN_OR_RETURN(Bytes der, card.ReadAuthenticationCertificate());
    OPENMYNA_RETURN_IF_ERROR(card.VerifyPin(pin));
    OPENMYNA_ASSIGN_OR_RETURN(Bytes signature,
                              card.SignChallenge(start.challenge));
    return centre_.Authenticate(start.request_id, der, signature);
  }();
  if (!who) (void)centre_.Cancel(start.request_id);
  // The card may be removed now (konbini.md §1.3).
  return who;
}

Result<int> Kiosk::Fee(const KioskChoice& choice) const {
  OPENMYNA_ASSIGN_OR_RETURN(
      int per_copy, KonbiniFeeYen(choice.municipality_code,
                                  choice.request.certificate, clock_.Now()));
  return per_copy * choice.request.copies;
}

void Kiosk::Cancel(std::string_view request_id) {
  (void)centre_.Cancel(request_id);  // ended either way
}

Result<RegistrationReceipt> Kiosk::ApplyRegistration(
    const Authenticated& who, const RegistrationForm& form) {
  auto filed = centre_.ApplyRegistration(who.request_id, form);
  (void)centre_.Cancel(who.request_id);  // nothing to print
  return filed;
}

Result<Printout> Kiosk::Issue(const Authenticated& who,
                              const KioskChoice& choice) {
  OPENMYNA_ASSIGN_OR_RETURN(Printout out, Fetch(who, choice));
  OPENMYNA_RETURN_IF_ERROR(Print(who.request_id));
  return out;
}

Status Kiosk::Print(std::string_view request_id) {
  // Print only while the centre still holds the session: one that timed
  // out meanwhile prints nothing (the Yokohama class, konbini.md §4).
  if (Status finished = centre_.Finish(request_id); !finished) {
    // The centre's code is kept (kTimeout: the print was not confirmed in
    // time; the page says so); anything else is kNoSession.
    const Error& why = finished.error();
    const KonbiniErrc code = why.library() == ErrorTraits<KonbiniErrc>::kLibrary
                                 ? static_cast<KonbiniErrc>(why.code())
                                 : KonbiniErrc::kNoSession;
    return Fail(code, why.message() + " (not printed)");
  }
  return Ok();
}

Result<Printout> Kiosk::Fetch(const Authenticated& who,
                              const KioskChoice& choice) {
  // Unless the document passes, the session ends here, as cancelled (a
  // fetched document is void in the ledger).
  struct End {
    CentrePort& centre;
    const std::string& id;
    bool ended = false;
    ~End() {
      if (!ended) (void)centre.Cancel(id);
    }
  } end{centre_, who.request_id};

  auto key = keys_.find(choice.municipality_code);
  if (key == keys_.end()) {
    return Fail(KonbiniErrc::kUnavailable,
                "no document key for " + choice.municipality_code);
  }
  OPENMYNA_ASSIGN_OR_RETURN(const int fee, Fee(choice));
  OPENMYNA_ASSIGN_OR_RETURN(
      SignedDocument fetched,
      centre_.Request(who.request_id, choice.municipality_code,
                      choice.request));
  // Payment after the fetch, before printing (konbini.md §1.2 step 7).
  const int paid = choice.paid_yen < 0 ? fee : choice.paid_yen;
  if (paid < fee) {
    return Fail(KonbiniErrc::kRefused, "手数料が不足しています (fee " +
                                           std::to_string(fee) + " yen, paid " +
                                           std::to_string(paid) + ")");
  }
  OPENMYNA_RETURN_IF_ERROR(CheckPrintable(fetched, key->second, who,
                                          choice.municipality_code,
                                          choice.request.certificate));
  end.ended = true;  // held at the centre until Print or Cancel
  return Printout{who.request_id,
                  fee,
                  std::move(fetched.document),
                  std::move(fetched.jws),
                  std::move(fetched.page_codes),
                  std::move(fetched.pdf)};
}

}  // namespace openmyna::konbini
