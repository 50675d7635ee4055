// CardPort over the card library's issuance API (openmyna/card/issuance.h)
// and card/perso (openmyna/card/perso/personalize.h): the registry makes and
// rewrites real chip images, the same images `openmyna card plug` puts
// behind pcscd.
//
// Files (inside the sandbox data folder, the pki sandbox's dir()):
//   DIR/cards/<card id>.card  the card image (image.h), mode 0600, in a
//                             0700 folder; secrets sealed under
//   DIR/card-master.key       the sandbox storage key (created 0600 on
//                             first use, perso::StorageKeyPath)
//   DIR/card-data-issuer.key  the data issuer signing the text/face AP
//                             records (perso::DataIssuerKeyPath)
//   DIR/cards/<card id>.issuer-key  the card's 32-byte issuer key (0600),
//                             kept by the registry from Produce on: the
//                             municipal terminal's secret for the card's
//                             issuer commands (docs/card.md §6)
//
// Issuance (Produce, SetPasswords, GenerateKey, InstallCertificate) is
// personalisation before the card is handed over: those methods load the
// image, change it in memory and save it atomically only when every step
// succeeded. After delivery the registry acts as the municipal terminal:
// RewriteTextData and ResetPassword power on the card on its image and send
// APDUs only (SELECT, GET CHALLENGE, ISSUER AUTHENTICATE 80 82, UPDATE
// BINARY 80 D6 / ERASE BINARY 80 0E, RESET RETRY COUNTER 80 2C); the card
// checks the issuer key and persists its own image after each write. A
// card that refuses (wrong issuer key: 63 00) is left unchanged. Failures are
// kUnavailable (the registry's "a dependency failed"), the message naming the
// step and the card library's reason; an unknown card id (no image) is
// kNotFound. Thread-safe: calls are serialised by one mutex.
#pragma once

#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>

#include "openmyna/base/rng.h"
#include "openmyna/pki/sandbox.h"
#include "openmyna/registry/ports.h"

namespace openmyna::registry {

class PersoCardPort final : public CardPort {
 public:
  // Borrowed: `sandbox` and `rng` must outlive the port. Images go under
  // sandbox.dir() / "cards".
  PersoCardPort(const pki::Sandbox& sandbox, Rng& rng);

  // A blank chip of the card's kind with the text and face AP data of the
  // resident (individual number, name, address, birth date, sex, the card's
  // expiry, a fresh security code, the municipality) signed by the sandbox
  // data issuer, and the JPKI token info. The input-assist PIN is left
  // unset (it answers as blocked) until SetPasswords. Returns the image
  // path. kInvalidInput when a card id is not [A-Za-z0-9_-]+.
  Result<std::string> Produce(const Card& card,
                              const Resident& resident) override;
  // Each non-empty password into its PIN object, tries reset to the
  // maximum: JPKI 0018 (authentication), JPKI 001B (signature), juki and
  // common 001C (juki), text 0011 (input assist) (card-apdu.md §4–§7).
  Status SetPasswords(const Card& card, const Passwords& passwords) override;
  // RSA-2048 on the chip in JPKI key 0017 (authentication) or 001A
  // (signature); returns the DER SubjectPublicKeyInfo.
  Result<Bytes> GenerateKey(const Card& card, CertificateType type) override;
  // The certificate `serial` (hex) as the pki certificate store holds it,
  // into JPKI EF 000A (authentication) or 0001 (signature); the issuing CA
  // certificate into EF 000B / 0002 when that EF is empty; EF 0008 marks
  // the certificate present (card-apdu.md §4.1). kUnavailable when the
  // store has no such serial.
  Status InstallCertificate(const Card& card, CertificateType type,
                            std::string_view serial) override;
  // Through the issuer commands: the text and face AP files rebuilt for the
  // resident's current name and address (records re-signed by the data
  // issuer, for the card's existing on-card keys), and only the files that
  // differ written with UPDATE BINARY (+ ERASE BINARY when shorter). PINs,
  // keys and the security code (照合番号B) are untouched. kUnavailable when
  // the card refuses (message names the APDU and status word).
  Status RewriteTextData(const Card& card, const Resident& resident) override;
  // Through the issuer commands: RESET RETRY COUNTER with the new value
  // (80 2C 02) on the password's PIN object(s) (juki: juki and common AP
  // 001C), so the retry counter goes to its maximum and a blocked PIN is
  // unblocked. kUnavailable when the card refuses.
  Status ResetPassword(const Card& card, domain::PasswordKind kind,
                       std::string_view new_password) override;

  // Where the image of `card_id` lives (whether or not it exists).
  std::filesystem::path ImagePath(std::string_view card_id) const;
  // Where the registry keeps the card's issuer key (whether or not it
  // exists). When it is missing (a card produced before the registry kept
  // it), the key is read once from the image and stored there.
  std::filesystem::path IssuerKeyPath(std::string_view card_id) const;

 private:
  std::filesystem::path data_dir_;
  const pki::Sandbox& sandbox_;
  Rng& rng_;
  std::mutex mutex_;
};

}  // namespace openmyna::registry
