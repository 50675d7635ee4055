#include "openmyna/services/konbini/verification.h"

#include "openmyna/pki/cms.h"
#include "openmyna/pki/verifier.h"
#include "openmyna/services/konbini/pdf.h"

namespace openmyna::konbini {
namespace {

using nlohmann::json;

std::string Trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return "";
  const auto last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

Verdict Invalid(std::string form, std::string reason) {
  Verdict v;
  v.form = std::move(form);
  v.reason = std::move(reason);
  return v;
}

// The JWS's (not yet trusted) municipality picks the key; the signature
// then decides.
Verdict VerifyJws(const std::string& jws, const TrustedDocumentKeys& keys) {
  const auto dot1 = jws.find('.');
  const auto dot2 = dot1 == std::string::npos ? dot1 : jws.find('.', dot1 + 1);
  if (dot2 == std::string::npos) {
    return Invalid("jws", "not a konbini document or 2D code");
  }
  const auto payload = FromBase64Url(jws.substr(dot1 + 1, dot2 - dot1 - 1));
  const json claims = payload ? json::parse(*payload, nullptr, false) : json();
  if (!claims.is_object() || !claims.contains("municipality") ||
      !claims["municipality"].is_string()) {
    return Invalid("jws", "not a konbini document or 2D code");
  }
  const std::string code = claims["municipality"].get<std::string>();
  const auto pem = keys.public_key_pem ? keys.public_key_pem(code)
                                       : std::optional<std::string>();
  if (!pem) return Invalid("jws", "no document key for municipality " + code);
  auto doc = VerifyDocument(jws, *pem);
  if (!doc) return Invalid("jws", doc.error().message());
  Verdict v;
  v.valid = true;
  const bool page_code = doc->pages.size() == 1 && doc->pages[0].lines.empty();
  v.form = page_code ? "page-code" : "jws";
  v.document = *std::move(doc);
  return v;
}

Verdict VerifyPdf(std::string_view pdf, const TrustedDocumentKeys& keys) {
  auto signature = ExtractPdfSignature(pdf);
  if (!signature) return Invalid("pdf", signature.error().message());
  auto ca = pki::ParseCertificate(ToBytes(keys.document_ca_pem));
  if (!ca) return Invalid("pdf", "the document CA is not available");
  // The certificate's validity at the signing time (options.at left at the
  // epoch: pki::VerifyDetached then uses the signingTime attribute).
  pki::VerifyOptions options;
  auto cms = pki::VerifyDetached(ToBytes(signature->cms_der),
                                 ToBytes(signature->signed_bytes), {ca->get()},
                                 options);
  if (!cms) return Invalid("pdf", cms.error().message());
  if (!cms->good) return Invalid("pdf", "PDF signature: " + cms->detail);
  const auto jws = FindDocumentJws(pdf);
  if (!jws) return Invalid("pdf", "the PDF carries no document");
  Verdict v = VerifyJws(*jws, keys);
  v.form = "pdf";
  if (cms->signer_certificate) {
    char name[256];
    X509_NAME_oneline(X509_get_subject_name(cms->signer_certificate.get()),
                      name, sizeof name);
    v.pdf_signer = name;
  }
  return v;
}

}  // namespace

Verdict VerifyPresented(std::string_view input,
                        const TrustedDocumentKeys& keys) {
  if (input.substr(0, 5) == "%PDF-") return VerifyPdf(input, keys);
  std::string text = Trim(input);
  const json parsed = json::parse(text, nullptr, false);
  if (parsed.is_object() && parsed.contains("jws") &&
      parsed["jws"].is_string()) {
    text = Trim(parsed["jws"].get<std::string>());
  }
  return VerifyJws(text, keys);
}

}  // namespace openmyna::konbini
