// The reader's visit (insurance_reader.h). APDUs of the card-face AP from
// card-apdu.md §6 (EF 0002, 照合番号B 0012, the AP's signing key 0016 and
// its presence proof); the JPKI-AP through card::client::JpkiClient.
#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <map>
#include <nlohmann/json.hpp>

#include "openmyna/card/application_table.h"
#include "openmyna/card/client/jpki_client.h"
#include "openmyna/card/faces/signing.h"
#include "openmyna/card/faces/tlv.h"
#include "openmyna/domain/date.h"
#include "openmyna/domain/era.h"
#include "openmyna/registry/credentials.h"
#include "openmyna/registry/errors.h"
#include "openmyna/services/insurance_reader.h"

namespace openmyna::services {
namespace {

using card::client::Command;
using card::client::JpkiKey;
using card::client::PinStatus;
using registry::RegistryErrc;

constexpr std::uint16_t kFaceCollationB = 0x0012;
constexpr std::uint16_t kFaceCardFace = 0x0002;
constexpr std::uint16_t kFaceSigningKey = 0x0016;

Bytes Sha256DigestInfo(ByteView message) {
  return card::faces::Sha256DigestInfo(card::faces::Sha256(message));
}

bool VerifyPkcs1(const EVP_PKEY* key, ByteView digest_info,
                 ByteView signature) {
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new(const_cast<EVP_PKEY*>(key), nullptr), EVP_PKEY_CTX_free);
  if (!ctx || EVP_PKEY_verify_recover_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1) {
    return false;
  }
  Bytes out(512);
  std::size_t size = out.size();
  if (EVP_PKEY_verify_recover(ctx.get(), out.data(), &size, signature.data(),
                              signature.size()) != 1) {
    return false;
  }
  out.resize(size);
  return out == Bytes(digest_info.begin(), digest_info.end());
}

// The card-face AP side of the face path.
class FaceAp {
 public:
  explicit FaceAp(card::client::ApduChannel& channel) : channel_(channel) {}

  Result<std::uint16_t> Send(const Command& command) {
    OPENMYNA_ASSIGN_OR_RETURN(last_, card::client::Exchange(channel_, command));
    return last_.sw;
  }
  Result<std::uint16_t> Select(std::uint16_t fid) {
    return Send({0x00, 0xA4, 0x02, 0x0C,
                 Bytes{static_cast<std::uint8_t>(fid >> 8),
                       static_cast<std::uint8_t>(fid & 0xFF)},
                 std::nullopt});
  }
  // EF 0002 whole: the header first (FF 20 82 HH LL), then the rest in
  // 256-byte reads.
  Result<Bytes> ReadCardFace() {
    OPENMYNA_ASSIGN_OR_RETURN(auto sw, Select(kFaceCardFace));
    if (sw != 0x9000) return Unexpected<Error>(Refused("SELECT EF 0002", sw));
    Bytes data;
    std::size_t total = 5;
    while (data.size() < total) {
      const std::size_t offset = data.size();
      const std::size_t want = std::min<std::size_t>(256, total - offset);
      OPENMYNA_ASSIGN_OR_RETURN(sw,
                                Send({0x00,
                                      0xB0,
                                      static_cast<std::uint8_t>(offset >> 8),
                                      static_cast<std::uint8_t>(offset & 0xFF),
                                      {},
                                      want}));
      if (sw != 0x9000 || last_.data.empty()) {
        return Unexpected<Error>(Refused("READ BINARY EF 0002", sw));
      }
      data.insert(data.end(), last_.data.begin(), last_.data.end());
      if (offset == 0) {
        auto outer = card::faces::ParseTlv(data, 0);
        if (data.size() >= 5 && data[0] == 0xFF && data[1] == 0x20 &&
            data[2] == 0x82) {
          total = 5 + (static_cast<std::size_t>(data[3]) << 8) + data[4];
        } else if (!outer) {
          return Fail(RegistryErrc::kInvalidInput,
                      "card face EF 0002 does not start with FF 20 82");
        }
      }
    }
    data.resize(total);
    return data;
  }
  static Error Refused(std::string_view what, std::uint16_t sw) {
    return Error(RegistryErrc::kRefused,
                 fmt::format("{}: the card answered {:04X}", what, sw));
  }

  card::client::Response last_;

 private:
  card::client::ApduChannel& channel_;
};

struct CardFace {
  std::string birth;  // YYYYMMDD
  Bytes card_key, photo;
};

// Checks DF28 (card-apdu.md §6: one DigestInfo over SHA-256 of
// DF22‖DF23‖DF24, of DF25‖DF26 and of DF27) and returns the fields.
Result<CardFace> ParseCardFace(const Bytes& ef, const EVP_PKEY* issuer) {
  auto outer = card::faces::ParseTlv(ef, 0);
  if (!outer || outer->tag != 0xFF20) {
    return Fail(RegistryErrc::kInvalidInput, "EF 0002 is not FF 20");
  }
  auto items = card::faces::ParseTlvSequence(
      ef, outer->offset + outer->header_size,
      outer->offset + outer->header_size + outer->value_size);
  if (!items) return Fail(RegistryErrc::kInvalidInput, "EF 0002 TLVs");
  std::map<std::uint16_t, card::faces::TlvItem> by_tag;
  for (const auto& item : *items) by_tag[item.tag] = item;
  for (std::uint16_t tag :
       {0xDF22, 0xDF23, 0xDF24, 0xDF25, 0xDF26, 0xDF27, 0xDF28}) {
    if (!by_tag.contains(tag)) {
      return Fail(RegistryErrc::kInvalidInput,
                  fmt::format("EF 0002 lacks {:04X}", tag));
    }
  }
  auto whole = [&](std::uint16_t from, std::uint16_t to) {
    const auto& a = by_tag[from];
    const auto& b = by_tag[to];
    return ByteView(ef.data() + a.offset, b.offset + b.size() - a.offset);
  };
  auto value = [&](std::uint16_t tag) {
    const auto& t = by_tag[tag];
    return Bytes(
        ef.begin() + static_cast<std::ptrdiff_t>(t.offset + t.header_size),
        ef.begin() + static_cast<std::ptrdiff_t>(t.offset + t.size()));
  };
  Bytes digests = card::faces::Sha256(whole(0xDF22, 0xDF24));
  for (ByteView part : {whole(0xDF25, 0xDF26), whole(0xDF27, 0xDF27)}) {
    Bytes d = card::faces::Sha256(part);
    digests.insert(digests.end(), d.begin(), d.end());
  }
  if (!VerifyPkcs1(issuer, card::faces::Sha256DigestInfo(digests),
                   value(0xDF28))) {
    return Fail(RegistryErrc::kRefused,
                "the card-face data are not signed by the sandbox's data "
                "issuer (DF28)");
  }
  Bytes birth = value(0xDF22);
  return CardFace{std::string(birth.begin(), birth.end()), value(0xDF24),
                  value(0xDF27)};
}

class Visit {
 public:
  Visit(card::client::ApduChannel& card, const ReaderVisit& visit,
        const ReaderContext& context)
      : card_(card), visit_(visit), context_(context) {}

  Result<ReaderOutcome> Run() {
    const TimePoint now = context_.api->clock->Now();
    // The authentication certificate: free to read (JPKI EF 000A).
    card::client::JpkiClient jpki(card_);
    OPENMYNA_RETURN_IF_ERROR(jpki.SelectAp());
    auto cert = jpki.ReadCertificate(JpkiKey::kAuthentication);
    if (!cert) {
      return Refuse("the card holds no authentication certificate (" +
                    cert.error().message() + ")");
    }
    CardProofCheck check;
    std::optional<std::string> face_birth;
    switch (visit_.method) {
      case ReaderMethod::kPin: {
        auto normalized =
            card::client::NormalizePin(JpkiKey::kAuthentication, visit_.pin);
        if (!normalized) return Refuse("暗証番号は数字4桁です (PIN: 4 digits)");
        OPENMYNA_ASSIGN_OR_RETURN(
            PinStatus status,
            jpki.Login(JpkiKey::kAuthentication, *normalized));
        if (status.state == PinStatus::State::kBlocked) {
          return Refuse(
              "暗証番号は使えません（ロック、または顔認証マイナンバーカード）: "
              "顔認証か目視で (PIN blocked or not set)");
        }
        if (status.state != PinStatus::State::kVerified) {
          out_.pin_tries_left = status.tries_left;
          return Refuse("暗証番号が違います。残り" +
                        std::to_string(status.tries_left) + "回 (wrong PIN)");
        }
        const Bytes nonce = context_.api->rng->Bytes(32);
        OPENMYNA_ASSIGN_OR_RETURN(
            Bytes signature,
            jpki.Sign(JpkiKey::kAuthentication, Sha256DigestInfo(nonce)));
        (void)jpki.Logout();
        check = CheckCardProof({*cert, nonce, signature}, *context_.api, now);
        break;
      }
      case ReaderMethod::kFace: {
        OPENMYNA_ASSIGN_OR_RETURN(auto birth, FacePath());
        if (!birth) return out_;  // refused, with the reason
        face_birth = *birth;
        check = CheckCardCertificate(*cert, *context_.api, now);
        break;
      }
      case ReaderMethod::kVisual: {
        OPENMYNA_ASSIGN_OR_RETURN(bool ok, VisualPasswordGood());
        if (!ok)
          return Refuse("目視確認用パスワードが違います (visual password)");
        check = CheckCardCertificate(*cert, *context_.api, now);
        break;
      }
    }
    if (!check.refusal.empty())
      return Refuse("the card is refused: " + check.refusal);
    out_.serial = check.serial;
    if (check.in_grace) {
      out_.message =
          "利用者証明用電子証明書の有効期限切れ（3か月以内）: 資格確認のみ";
    }
    auto answer =
        context_.service->CheckByCertificate(context_.clinic, check.serial);
    if (!answer && answer.error().Is(RegistryErrc::kRefused)) {
      return Refuse("the card is refused: " + answer.error().message());
    }
    if (!answer) return Unexpected<Error>(answer.error());
    if (answer->validity == registry::Validity::kNoQualification &&
        visit_.register_card) {
      auto registered =
          context_.service->RegisterCardAtReader(context_.clinic, check.serial);
      if (!registered) return Refuse(registered.error().message());
      out_.registered_now = true;
      answer =
          context_.service->CheckByCertificate(context_.clinic, check.serial);
      if (!answer) return Unexpected<Error>(answer.error());
    }
    // The face path binds the certificate to the chip through the signed
    // birth date: the insurer's record of the holder must have it.
    if (face_birth) {
      for (const registry::Membership& m : answer->memberships) {
        std::string compact = m.date_of_birth;
        std::erase(compact, '-');
        if (compact != *face_birth) {
          return Refuse(
              "the card-face data and the certificate's holder disagree");
        }
      }
    }
    out_.confirmed = true;
    if (!visit_.consent.empty() && !check.in_grace &&
        answer->validity == registry::Validity::kValid) {
      auto consent = context_.service->RecordConsent(
          context_.clinic, check.serial, visit_.consent,
          ReaderMethodName(visit_.method));
      if (!consent) return Refuse("consent: " + consent.error().message());
      out_.consent = *consent;
      answer->consent = *consent;
    }
    out_.answer = *answer;
    return out_;
  }

 private:
  Result<ReaderOutcome> Refuse(std::string why) {
    out_.confirmed = false;
    out_.refusal = std::move(why);
    return out_;
  }

  // The face path up to the comparison: the birth date (YYYYMMDD) the
  // signed card face gives, or nullopt with out_.refusal set.
  Result<std::optional<std::string>> FacePath() {
    auto collation = CollationNumberB(visit_.face_data);
    if (!collation) {
      (void)Refuse("face data: " + collation.error().message());
      return std::optional<std::string>();
    }
    FaceAp ap(card_);
    OPENMYNA_ASSIGN_OR_RETURN(
        auto sw,
        ap.Send({0x00, 0xA4, 0x04, 0x0C,
                 Bytes(std::begin(card::kFaceAid), std::end(card::kFaceAid)),
                 std::nullopt}));
    if (sw != 0x9000) {
      (void)Refuse(FaceAp::Refused("SELECT card-face AP", sw).message());
      return std::optional<std::string>();
    }
    OPENMYNA_ASSIGN_OR_RETURN(sw, ap.Select(kFaceCollationB));
    OPENMYNA_ASSIGN_OR_RETURN(
        sw,
        ap.Send({0x00, 0x20, 0x00, 0x80,
                 Bytes(collation->begin(), collation->end()), std::nullopt}));
    if (sw != 0x9000) {
      (void)Refuse(fmt::format(
          "照合番号B が合いません (the card answered {:04X}): the printed "
          "face data do not fit this card",
          sw));
      return std::optional<std::string>();
    }
    auto ef = ap.ReadCardFace();
    if (!ef) {
      (void)Refuse(ef.error().message());
      return std::optional<std::string>();
    }
    auto face = ParseCardFace(*ef, context_.data_issuer);
    if (!face) {
      (void)Refuse(face.error().message());
      return std::optional<std::string>();
    }
    // Presence: the AP's key signs a DigestInfo of a fresh card challenge;
    // DF24 (signed above) verifies it.
    OPENMYNA_ASSIGN_OR_RETURN(sw, ap.Select(kFaceSigningKey));
    OPENMYNA_ASSIGN_OR_RETURN(sw, ap.Send({0x00, 0x84, 0x00, 0x00, {}, 16}));
    const Bytes challenge = ap.last_.data;
    const Bytes digest_info = Sha256DigestInfo(challenge);
    OPENMYNA_ASSIGN_OR_RETURN(
        auto sign_sw, ap.Send({0x80, 0x2A, 0x00, 0x00, digest_info, 256}));
    auto key = card::faces::DecodeRsaPublicKey(face->card_key);
    bool present = false;
    if (key) {
      present = sw == 0x9000 && sign_sw == 0x9000 &&
                VerifyPkcs1(*key, digest_info, ap.last_.data);
      EVP_PKEY_free(*key);
    }
    if (!present) {
      (void)Refuse("the chip did not prove itself (card-face AP signature)");
      return std::optional<std::string>();
    }
    auto match =
        face::CompareFaces(face->photo, visit_.camera_png, visit_.match);
    if (!match)
      return Unexpected<Error>(
          Error(RegistryErrc::kInvalidInput, match.error().message()));
    out_.face = *match;
    if (match->outcome != face::MatchOutcome::kMatch) {
      (void)Refuse(match->outcome == face::MatchOutcome::kNoFace
                       ? "顔を認識できません (" + match->detail +
                             "): 暗証番号か目視で"
                       : "顔が一致しません (no match): 暗証番号か目視で");
      return std::optional<std::string>();
    }
    return std::optional<std::string>(face->birth);
  }

  // "id:secret" of the facility's 目視 credential.
  Result<bool> VisualPasswordGood() {
    auto inst = context_.service->GetInstitution(context_.clinic.id);
    if (!inst) return Unexpected<Error>(inst.error());
    if (!*inst || (*inst)->visual_credential_id.empty()) return false;
    const auto colon = visit_.visual_password.find(':');
    if (colon == std::string::npos) return false;
    const std::string id = visit_.visual_password.substr(0, colon);
    if (id != (*inst)->visual_credential_id) return false;
    auto role = registry::VerifyCredential(
        *context_.store, id, visit_.visual_password.substr(colon + 1));
    if (!role) return Unexpected<Error>(role.error());
    return *role && **role == registry::Role::kClinic;
  }

  card::client::ApduChannel& card_;
  const ReaderVisit& visit_;
  const ReaderContext& context_;
  ReaderOutcome out_;
};

}  // namespace

Result<PrintedFaceData> ParsePrintedFaceData(std::string_view json_text) {
  auto doc = nlohmann::json::parse(json_text, nullptr, false);
  PrintedFaceData out;
  if (doc.is_discarded() || !doc.is_object()) {
    return Fail(RegistryErrc::kInvalidInput, "face data: not a JSON object");
  }
  for (auto [key, field] : {std::pair{"date_of_birth", &out.date_of_birth},
                            std::pair{"card_expiry", &out.card_expiry},
                            std::pair{"security_code", &out.security_code}}) {
    auto it = doc.find(key);
    if (it == doc.end() || !it->is_string()) {
      return Fail(RegistryErrc::kInvalidInput,
                  std::string("face data: ") + key + " missing");
    }
    *field = it->get<std::string>();
  }
  return out;
}

Result<std::string> CollationNumberB(const PrintedFaceData& data) {
  auto birth = domain::ParseDate(data.date_of_birth);
  auto expiry = domain::ParseDate(data.card_expiry);
  if (!birth || !expiry) {
    return Fail(RegistryErrc::kInvalidInput,
                "date_of_birth and card_expiry must be YYYY-MM-DD");
  }
  if (data.security_code.size() != 4 ||
      data.security_code.find_first_not_of("0123456789") != std::string::npos) {
    return Fail(RegistryErrc::kInvalidInput, "security_code: 4 digits");
  }
  return domain::EraYymmdd(*birth) + data.card_expiry.substr(0, 4) +
         data.security_code;
}

std::string_view ReaderMethodName(ReaderMethod method) {
  switch (method) {
    case ReaderMethod::kFace:
      return "face";
    case ReaderMethod::kPin:
      return "pin";
    case ReaderMethod::kVisual:
      return "visual";
  }
  return "pin";
}

Result<ReaderOutcome> RunReaderVisit(card::client::ApduChannel& card,
                                     const ReaderVisit& visit,
                                     const ReaderContext& context) {
  if (!context.service || !context.store || !context.api ||
      !context.api->clock || !context.api->rng || !context.data_issuer) {
    return Fail(RegistryErrc::kUnavailable, "the reader is not set up");
  }
  return Visit(card, visit, context).Run();
}

}  // namespace openmyna::services
