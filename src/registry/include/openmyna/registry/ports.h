// What the registry asks of the CA (pki) and of the chip (card/perso). The
// registry decides *whether* and *when* (the rules of domain.md); these
// ports do the cryptography and the chip writes. Adapters over
// pki::CertificateAuthority and the card personalisation library implement
// them (pki_ports.h); tests may record the calls.
#pragma once

#include <string>
#include <string_view>

#include "openmyna/base/bytes.h"
#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/domain/passwords.h"
#include "openmyna/registry/model.h"

namespace openmyna::registry {

// A certificate the CA issued.
struct IssuedCertificate {
  std::string serial;  // lower-case hex
  TimePoint not_before;
  TimePoint not_after;
};

class CaPort {
 public:
  virtual ~CaPort() = default;
  // Issues a certificate of `type` for the key `subject_public_key_info`
  // (DER SubjectPublicKeyInfo, made on the chip) of `resident`, issued by
  // `municipality`, valid through 23:59:59 JST of `last_day` ("YYYY-MM-DD").
  virtual Result<IssuedCertificate> Issue(CertificateType type,
                                          ByteView subject_public_key_info,
                                          const Resident& resident,
                                          const Municipality& municipality,
                                          TimePoint not_before,
                                          std::string_view last_day) = 0;
  // Revokes (RFC 5280 §5.3.1); a certificate on hold stays revoked
  // (jpki.md §4.3). The change must be visible to CRL and OCSP.
  virtual Status Revoke(std::string_view serial, RevocationReason reason,
                        TimePoint when) = 0;
};

// The passwords the resident (or the legal representative) sets at the
// counter on delivery (domain.md §3). Empty = not set (the password does not
// exist on this card, or the certificate was declined).
struct Passwords {
  std::string signature;       // 6-16 of A-Z 0-9 (署名用)
  std::string authentication;  // 4 digits (利用者証明用)
  std::string juki;            // 4 digits (住民基本台帳用)
  std::string input_assist;    // 4 digits (券面事項入力補助用)
};

class CardPort {
 public:
  virtual ~CardPort() = default;
  // Builds the chip of a new card (text data, face data, empty key slots);
  // returns where its image lives.
  virtual Result<std::string> Produce(const Card& card,
                                      const Resident& resident) = 0;
  // Sets the passwords chosen at the counter (issuer command).
  virtual Status SetPasswords(const Card& card, const Passwords& passwords) = 0;
  // Makes a key pair of `type` on the chip; returns its public key (DER
  // SubjectPublicKeyInfo). The private key never leaves the chip.
  virtual Result<Bytes> GenerateKey(const Card& card, CertificateType type) = 0;
  // Writes the issued certificate into the chip's certificate file.
  virtual Status InstallCertificate(const Card& card, CertificateType type,
                                    std::string_view serial) = 0;
  // Rewrites the chip's text data (券面事項入力補助AP, 券面AP) after a change
  // of name or address (issuer command).
  virtual Status RewriteTextData(const Card& card,
                                 const Resident& resident) = 0;
  // Unlocks and sets a password at the counter (issuer command): the retry
  // counter is reset to its maximum.
  virtual Status ResetPassword(const Card& card, domain::PasswordKind kind,
                               std::string_view new_password) = 0;
};

}  // namespace openmyna::registry
