// The konbini document's PDF signature (pdf.h): the shared placement
// (openmyna/pdf/signature.h, ISO 32000-1 §12.8, adbe.pkcs7.detached) with
// the municipality's document-signing key making the CMS (RFC 5652).
#include "openmyna/base/bytes.h"
#include "openmyna/pdf/signature.h"
#include "openmyna/pki/cms.h"
#include "openmyna/services/konbini/errors.h"
#include "openmyna/services/konbini/pdf.h"

namespace openmyna::konbini {

Result<std::string> SignPdf(std::string file, EVP_PKEY* key, X509* certificate,
                            const Clock& clock) {
  const pdf::SignatureField field{.name = "Municipality",
                                  .reason = "SANDBOX konbini document",
                                  .signing_time = clock.Now()};
  auto signed_pdf =
      pdf::Sign(std::move(file), field, [&](ByteView bytes) -> Result<Bytes> {
        return pki::SignDetached(bytes, key, certificate, clock);
      });
  if (!signed_pdf && signed_pdf.error().library() == "pdf") {
    return Fail(KonbiniErrc::kBadSignature, signed_pdf.error().message());
  }
  return signed_pdf;
}

Result<PdfSignature> ExtractPdfSignature(std::string_view file) {
  auto found = pdf::ExtractSignature(file);
  if (!found) return Fail(KonbiniErrc::kBadSignature, found.error().message());
  return PdfSignature{std::move(found->signed_bytes),
                      std::move(found->cms_der)};
}

}  // namespace openmyna::konbini
