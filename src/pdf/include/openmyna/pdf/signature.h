// The signature of a PDF (ISO 32000-1 §12.8) as an incremental update
// (§7.5.6): a signature field in the AcroForm (§12.7.4.5) whose value is a
// signature dictionary with SubFilter adbe.pkcs7.detached, i.e. a detached
// CMS SignedData (RFC 5652) over the bytes named by /ByteRange — the whole
// file except the /Contents hex string. poppler's `pdfsig` validates it.
// The CMS itself is the caller's (pki::SignDetached, or a card): this
// library only places it.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "openmyna/base/bytes.h"
#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"

namespace openmyna::pdf {

struct SignatureField {
  std::string name = "Signature";  // the field's /T
  std::string reason;              // /Reason
  TimePoint signing_time;          // /M
};

// Returns the DER of a detached CMS SignedData over `signed_bytes`. It must
// not exceed 6,144 bytes (room kept in /Contents).
using CmsSigner = std::function<Result<Bytes>(ByteView signed_bytes)>;

// Appends the signature to `pdf` (a file with a classic trailer, as cairo
// writes). kMalformed when the trailer or catalog cannot be found, the
// signer's error as is, kInvalidInput when the CMS is too large.
Result<std::string> Sign(std::string pdf, const SignatureField& field,
                         const CmsSigner& sign);

// The last signature of a PDF: the signed bytes (the ByteRange's two parts)
// and the CMS DER from /Contents (its padding removed). kBadSignature when
// there is none or it does not cover the whole file.
struct Signature {
  std::string signed_bytes;
  std::string cms_der;
};
Result<Signature> ExtractSignature(std::string_view pdf);

// The last /Keywords string of the information dictionary (document.h
// Metadata::keywords), if any.
std::optional<std::string> FindKeywords(std::string_view pdf);

}  // namespace openmyna::pdf
