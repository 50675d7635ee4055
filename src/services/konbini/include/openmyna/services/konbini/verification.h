// Verifying what a recipient holds (issue 11 item 5, docs/konbini.md §5):
// the PDF (its signature by the municipality's document certificate, then
// the document JWS it carries), the JSON `openmyna kiosk` writes, the whole
// document's JWS, or one page's 2D code as a QR reader gives it. Shared by
// `openmyna verify document` and the /verify/ page.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "openmyna/services/konbini/document.h"

namespace openmyna::konbini {

struct TrustedDocumentKeys {
  // The municipality's document-signing public key (PEM), if known.
  std::function<std::optional<std::string>(const std::string& code)>
      public_key_pem;
  // The sandbox document CA (PEM), for PDF signatures; empty: not checked.
  std::string document_ca_pem;
};

struct Verdict {
  bool valid = false;
  std::string form;    // "pdf", "jws" (a whole document) or "page-code"
  std::string reason;  // why not valid (English), empty when valid
  std::optional<Document> document;  // the signed fields, when valid
  std::string pdf_signer;            // the PDF signer's subject, for a PDF
};

// Never fails: anything unreadable is a Verdict with valid = false. A PDF's
// signer certificate must chain to the document CA and be valid at the
// signature's signingTime.
Verdict VerifyPresented(std::string_view input,
                        const TrustedDocumentKeys& keys);

}  // namespace openmyna::konbini
