// The printed document as a PDF (issue 11 item 5, docs/konbini.md §5): A4
// pages drawn with cairo and pango in Noto Sans CJK JP, carrying the
// anti-forgery features of a konbini certificate — a copy-warning
// background pattern, the municipal seal (a sandbox drawing), the seal
// impression at true size on the 印鑑登録証明書, page n/N with the request
// id on every page, "SANDBOX — NOT AN OFFICIAL CERTIFICATE" across every
// page, and on every page a QR code (ISO/IEC 18004, libqrencode) holding the
// page's signed 2D code (a compact JWS, document.h PageCodeJson) — and a
// PDF signature (ISO 32000-1 §12.8, adbe.pkcs7.detached: a CMS SignedData
// over the ByteRange) by the municipality's document-signing certificate,
// which poppler's `pdfsig` validates.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/pki/openssl_types.h"
#include "openmyna/services/konbini/document.h"

namespace openmyna::konbini {

struct PdfContent {
  const Document* document = nullptr;
  // Page n's 2D code (the compact JWS) at index n-1; one per page.
  std::vector<std::string> page_codes;
  // The whole document's JWS, kept in the PDF's Keywords so that `openmyna
  // verify document FILE.pdf` finds it.
  std::string jws;
  // The registered seal's impression (PNG) for the 印鑑登録証明書, drawn at
  // the registered width and height in mm; empty otherwise.
  std::string seal_png;
};

// The unsigned PDF. kInvalidInput when a code does not fit a QR code.
Result<std::string> RenderDocumentPdf(const PdfContent& content);

// Appends an incremental update with a signature field whose value is a
// detached CMS SignedData (SHA-256, signed attributes, the certificate
// included) over the ByteRange. `key` and `certificate` are borrowed.
Result<std::string> SignPdf(std::string pdf, EVP_PKEY* key, X509* certificate,
                            const Clock& clock);

// The last signature of a PDF: the signed bytes (the ByteRange's two parts)
// and the CMS DER from /Contents. kBadSignature when there is none or it
// does not cover the whole file.
struct PdfSignature {
  std::string signed_bytes;
  std::string cms_der;
};
Result<PdfSignature> ExtractPdfSignature(std::string_view pdf);

// The document's JWS in the PDF's Keywords, if any.
std::optional<std::string> FindDocumentJws(std::string_view pdf);

}  // namespace openmyna::konbini
