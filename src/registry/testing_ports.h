// Recording implementations of the CA and card ports for tests: they keep
// every call so that a test can check what the registry asked for. They are
// not a CA: serials are counters, no certificate is signed.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "openmyna/domain/date.h"
#include "openmyna/registry/errors.h"
#include "openmyna/registry/ports.h"

namespace openmyna::registry::testing {

class RecordingCa final : public CaPort {
 public:
  struct IssueCall {
    CertificateType type;
    std::string resident_id;
    std::string municipality_code;
    std::string last_day;
    std::string serial;
  };
  struct RevokeCall {
    std::string serial;
    RevocationReason reason;
  };

  Result<IssuedCertificate> Issue(CertificateType type, ByteView spki,
                                  const Resident& resident,
                                  const Municipality& municipality,
                                  TimePoint not_before,
                                  std::string_view last_day) override {
    std::lock_guard lock(mutex_);
    if (spki.empty()) return Fail(RegistryErrc::kUnavailable, "no key");
    const std::string serial = "5e" + std::to_string(++counter_);
    issued.push_back(
        {type, resident.id, municipality.code, std::string(last_day), serial});
    auto day = domain::ParseDate(last_day);
    return IssuedCertificate{serial, not_before,
                             day ? domain::EndOfJapanDay(*day) : not_before};
  }
  Status Revoke(std::string_view serial, RevocationReason reason,
                TimePoint) override {
    std::lock_guard lock(mutex_);
    revoked.push_back({std::string(serial), reason});
    return Ok();
  }

  std::vector<IssueCall> issued;
  std::vector<RevokeCall> revoked;

 private:
  std::mutex mutex_;
  int counter_ = 0;
};

class RecordingCard final : public CardPort {
 public:
  Result<std::string> Produce(const Card& card, const Resident&) override {
    produced.push_back(card.id);
    return "cards/" + card.id + ".card";
  }
  Status SetPasswords(const Card& card, const Passwords& p) override {
    passwords[card.id] = p;
    return Ok();
  }
  Result<Bytes> GenerateKey(const Card& card, CertificateType type) override {
    keys.push_back(card.id + ":" + std::string(ToString(type)));
    return Bytes{0x30, 0x00};
  }
  Status InstallCertificate(const Card& card, CertificateType,
                            std::string_view serial) override {
    installed.push_back(card.id + ":" + std::string(serial));
    return Ok();
  }
  Status RewriteTextData(const Card& card, const Resident& r) override {
    rewritten.push_back({card.id, r.name + "|" + r.address});
    return Ok();
  }
  Status ResetPassword(const Card& card, domain::PasswordKind kind,
                       std::string_view value) override {
    resets.push_back({card.id, kind, std::string(value)});
    return Ok();
  }

  struct Reset {
    std::string card_id;
    domain::PasswordKind kind;
    std::string value;
  };
  std::vector<std::string> produced;
  std::map<std::string, Passwords> passwords;
  std::vector<std::string> keys;
  std::vector<std::string> installed;
  std::vector<std::pair<std::string, std::string>> rewritten;
  std::vector<Reset> resets;
};

}  // namespace openmyna::registry::testing
