// 利用登録申請 (konbini_registration.h).
#include "openmyna/registry/konbini_registration.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "openmyna/domain/office_days.h"
#include "openmyna/registry/online_applications.h"

namespace openmyna::registry {

namespace {

// One application's state on `today` (not a rejected one).
KonbiniRegistration Judge(const OnlineApplication& a,
                          const std::vector<Certificate>& certificates,
                          domain::Date today, int office_days) {
  KonbiniRegistration out;
  out.application_id = a.id;
  // An authentication certificate issued after the application voids it,
  // accepted or still waiting for the clerk: it must be made again.
  const bool renewed = std::any_of(
      certificates.begin(), certificates.end(), [&](const Certificate& c) {
        return c.type == CertificateType::kAuthentication &&
               c.not_before > a.submitted_at;
      });
  if (a.state == OnlineApplicationState::kSubmitted) {
    out.state = renewed ? KonbiniRegistrationState::kVoid
                        : KonbiniRegistrationState::kSubmitted;
    return out;
  }
  const domain::Date submitted = domain::JapanDateOf(a.submitted_at);
  const domain::Date accepted =
      domain::JapanDateOf(a.decided_at.value_or(a.submitted_at));
  out.effective_on = std::max(
      domain::AddOfficeDays(submitted, std::max(0, office_days)), accepted);
  out.state = renewed ? KonbiniRegistrationState::kVoid
              : today < *out.effective_on
                  ? KonbiniRegistrationState::kPending
                  : KonbiniRegistrationState::kEffective;
  return out;
}

}  // namespace

Result<KonbiniRegistration> KonbiniRegistrationOf(
    RegistryTx& tx, std::string_view resident_id,
    std::string_view municipality_code, domain::Date today, int office_days) {
  OPENMYNA_ASSIGN_OR_RETURN(
      auto applications,
      ListApplicationsOf(tx, resident_id, municipality_code,
                         OnlineApplicationKind::kKonbiniRegistration));
  OPENMYNA_ASSIGN_OR_RETURN(auto certificates,
                            tx.ListCertificatesOfResident(resident_id));
  // A registration in force stays in force while a newer application
  // awaits the clerk; otherwise the newest one that was not rejected says.
  std::optional<KonbiniRegistration> newest;
  for (const OnlineApplication& a : applications) {
    if (a.state == OnlineApplicationState::kRejected) continue;
    KonbiniRegistration judged = Judge(a, certificates, today, office_days);
    if (judged.state == KonbiniRegistrationState::kEffective) return judged;
    if (!newest) newest = std::move(judged);
  }
  return newest.value_or(KonbiniRegistration{});
}

std::optional<std::string> KonbiniRegistrationRefusal(
    const KonbiniRegistration& registration) {
  switch (registration.state) {
    case KonbiniRegistrationState::kNone:
      return "本籍地の証明書には利用登録申請が必要です (apply for the "
             "registration at the domicile first: at a kiosk, or "
             "マイナポータル "
             "ぴったりサービス)";
    case KonbiniRegistrationState::kSubmitted:
      return "利用登録申請は本籍地で審査中です (the registration is being "
             "reviewed by the domicile)";
    case KonbiniRegistrationState::kPending:
      return "利用登録は " + domain::FormatDate(*registration.effective_on) +
             " から利用できます (the registration takes effect on that day)";
    case KonbiniRegistrationState::kVoid:
      return "利用者証明用電子証明書の更新により利用登録は無効になりました。"
             "再度申請してください (void since the authentication certificate "
             "was renewed; apply again)";
    case KonbiniRegistrationState::kEffective:
      break;
  }
  return std::nullopt;
}

}  // namespace openmyna::registry
