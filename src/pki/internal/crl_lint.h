// Private: the CRL rules shared by LintCrl (a parsed X509_CRL) and
// CrlStreamLinter (a CRL streamed in chunks), linter.h.
#pragma once

#include <optional>
#include <vector>

#include "openmyna/base/clock.h"
#include "openmyna/pki/linter.h"

namespace openmyna::pki::internal {

// The rules on everything but the entries and the signature value:
// crl.version, crl.signatureAlgorithm, crl.issuer, crl.thisUpdate,
// crl.nextUpdate, crl.number, crl.aki, crl.idp. Appends the failed ones to
// `out`; returns thisUpdate when it decodes. `crl` and `ctx.issuer` must be
// non-null.
std::optional<TimePoint> LintCrlFields(X509_CRL* crl, const CrlLintContext& ctx,
                                       std::vector<LintFinding>& out);

}  // namespace openmyna::pki::internal
