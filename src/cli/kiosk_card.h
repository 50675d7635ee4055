// The card in the kiosk's PC/SC reader (the 利用者証明用 key of the JPKI-AP),
// shared by `openmyna kiosk` and the /kiosk/ page of `serve` (service
// konbini): konbini::KioskCard over the card client library.
#pragma once

#include <openssl/evp.h>

#include <memory>
#include <string>
#include <string_view>

#include "openmyna/card/client/jpki_client.h"
#include "openmyna/card/client/pcsc_reader.h"
#include "openmyna/services/konbini/errors.h"
#include "openmyna/services/konbini/kiosk.h"

namespace openmyna::cli {

class PcscKioskCard final : public konbini::KioskCard {
 public:
  // The card in `reader` (a name or part of one; "" = the first reader with
  // a card), connected until this object goes.
  static Result<std::unique_ptr<PcscKioskCard>> Connect(
      std::string_view reader) {
    OPENMYNA_ASSIGN_OR_RETURN(auto channel,
                              card::client::PcscCard::Connect(reader));
    return std::unique_ptr<PcscKioskCard>(
        new PcscKioskCard(std::move(channel)));
  }
  ~PcscKioskCard() override { (void)jpki_.Logout(); }

  Result<Bytes> ReadAuthenticationCertificate() override {
    OPENMYNA_RETURN_IF_ERROR(jpki_.SelectAp());
    return jpki_.ReadCertificate(card::client::JpkiKey::kAuthentication);
  }
  Status VerifyPin(std::string_view pin) override {
    using card::client::JpkiKey;
    using card::client::PinStatus;
    using konbini::KonbiniErrc;
    auto normalized = card::client::NormalizePin(JpkiKey::kAuthentication, pin);
    if (!normalized) {
      return Fail(KonbiniErrc::kRefused,
                  "暗証番号は数字4桁です (the PIN is 4 digits)");
    }
    OPENMYNA_ASSIGN_OR_RETURN(
        PinStatus status, jpki_.Login(JpkiKey::kAuthentication, *normalized));
    if (status.state == PinStatus::State::kVerified) return Ok();
    if (status.state == PinStatus::State::kBlocked) {
      return Fail(KonbiniErrc::kRefused,
                  "暗証番号がロックされています。市区町村の窓口で解除してくだ"
                  "さい (PIN blocked)");
    }
    return Fail(KonbiniErrc::kRefused, "暗証番号が違います。残り" +
                                           std::to_string(status.tries_left) +
                                           "回 (wrong PIN)");
  }
  Result<Bytes> SignChallenge(ByteView challenge) override {
    // DigestInfo of SHA-256 (RFC 8017 §9.2 note 1) over the challenge: the
    // card pads and signs it (card-apdu.md §3.4).
    Bytes digest_info = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60,
                         0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                         0x01, 0x05, 0x00, 0x04, 0x20};
    unsigned char hash[32];
    unsigned int size = 0;
    EVP_Digest(challenge.data(), challenge.size(), hash, &size, EVP_sha256(),
               nullptr);
    digest_info.insert(digest_info.end(), hash, hash + size);
    return jpki_.Sign(card::client::JpkiKey::kAuthentication, digest_info);
  }

 private:
  explicit PcscKioskCard(std::unique_ptr<card::client::PcscCard> channel)
      : channel_(std::move(channel)), jpki_(*channel_) {}
  std::unique_ptr<card::client::PcscCard> channel_;
  card::client::JpkiClient jpki_;
};

}  // namespace openmyna::cli
