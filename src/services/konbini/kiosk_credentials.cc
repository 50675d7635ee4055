#include "openmyna/services/konbini/kiosk_credentials.h"

#include "openmyna/services/konbini/errors.h"
#include "wire.h"

namespace openmyna::konbini {
namespace {

std::filesystem::path CredentialFile(std::string_view kiosk_id) {
  return std::filesystem::path("kiosks") /
         (std::string(kiosk_id) + ".credential");
}

Status CheckId(std::string_view kiosk_id) {
  if (ValidKioskId(kiosk_id)) return Ok();
  return Fail(KonbiniErrc::kInvalidInput,
              "kiosk id '" + std::string(kiosk_id) +
                  "': 1-64 characters a-z, 0-9 and '-'");
}

}  // namespace

bool ValidKioskId(std::string_view id) {
  return !id.empty() && id.size() <= 64 &&
         id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") ==
             std::string_view::npos;
}

Result<std::string> LoadOrCreateKioskCredential(
    const std::filesystem::path& dir, std::string_view kiosk_id) {
  OPENMYNA_RETURN_IF_ERROR(CheckId(kiosk_id));
  return wire::LoadOrCreateSecret(dir, CredentialFile(kiosk_id),
                                  std::string(kiosk_id) + ":");
}

Result<std::string> LoadKioskCredential(const std::filesystem::path& dir,
                                        std::string_view kiosk_id) {
  OPENMYNA_RETURN_IF_ERROR(CheckId(kiosk_id));
  auto kept = wire::LoadSecret(dir, CredentialFile(kiosk_id));
  if (!kept) {
    return Fail(KonbiniErrc::kRefused,
                "kiosk '" + std::string(kiosk_id) +
                    "' is not enrolled at a centre (no " +
                    (dir / "konbini" / CredentialFile(kiosk_id)).string() +
                    "; the centre enrols it: serve --only centre --set "
                    "konbini.kiosks=" +
                    std::string(kiosk_id) + ")");
  }
  return kept;
}

void KioskCredentials::Enrol(std::string credential) {
  std::string id = credential.substr(0, credential.find(':'));
  by_id_[std::move(id)] = std::move(credential);
}

Result<std::string> KioskCredentials::Check(
    std::string_view authorization) const {
  const auto refused = [] {
    return Fail(KonbiniErrc::kRefused,
                "この端末はセンターに登録されていません (the kiosk is not "
                "authenticated: an enrolled kiosk's Bearer credential is "
                "needed)");
  };
  const auto given = wire::BearerSecret(authorization);
  if (!given) return refused();
  auto it = by_id_.find(given->substr(0, given->find(':')));
  if (it == by_id_.end() || !wire::SameSecret(*given, it->second)) {
    return refused();
  }
  return it->first;
}

}  // namespace openmyna::konbini
