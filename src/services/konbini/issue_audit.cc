#include "openmyna/services/konbini/issue_audit.h"

#include <fmt/format.h>

namespace openmyna::konbini {
namespace {

constexpr std::string_view kRequestTag = "(request ";

}  // namespace

std::string IssueAuditReason(std::string_view certificate,
                             std::string_view request_id,
                             std::string_view issuer_request_id, int copies,
                             int fee_yen) {
  return fmt::format("コンビニ交付 {} {}{}, issuer {}, {} copies, {} yen)",
                     certificate, kRequestTag, request_id, issuer_request_id,
                     copies, fee_yen);
}

std::string VoidAuditReason(std::string_view request_id,
                            std::string_view issuer_request_id,
                            std::string_view reason) {
  return fmt::format(
      "コンビニ交付 取消（印刷されず手数料なし） {}{}, issuer {}, {})",
      kRequestTag, request_id, issuer_request_id, reason);
}

std::string RequestIdOfIssueReason(std::string_view reason) {
  const std::size_t at = reason.find(kRequestTag);
  if (at == std::string_view::npos) return {};
  const std::size_t from = at + kRequestTag.size();
  const std::size_t to = reason.find_first_of(",)", from);
  if (to == std::string_view::npos) return {};
  return std::string(reason.substr(from, to - from));
}

}  // namespace openmyna::konbini
