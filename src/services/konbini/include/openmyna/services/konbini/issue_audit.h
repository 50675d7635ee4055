// The audit entry of a konbini issuance (action "konbini.issue", on the
// trail of every resident the document carries: the portal's やりとり履歴)
// names the centre's request id in its reason; the resident's guide
// (guide.h) joins the municipality's ledger by it. The text and its reading
// are here together so that they cannot drift apart (review finding 9).
#pragma once

#include <string>
#include <string_view>

namespace openmyna::konbini {

// "コンビニ交付 <certificate> (request <id>, issuer <issuer id>, <copies>
// copies, <fee> yen)".
std::string IssueAuditReason(std::string_view certificate,
                             std::string_view request_id,
                             std::string_view issuer_request_id, int copies,
                             int fee_yen);

// The entry a void adds beside it (action "konbini.void", on the trails that
// have the issuance; review s9 finding 12): "コンビニ交付 取消（印刷されず
// 手数料なし） (request <id>, issuer <issuer id>, <reason>)".
std::string VoidAuditReason(std::string_view request_id,
                            std::string_view issuer_request_id,
                            std::string_view reason);

// The centre's request id in such a reason; "" when it names none.
std::string RequestIdOfIssueReason(std::string_view reason);

}  // namespace openmyna::konbini
