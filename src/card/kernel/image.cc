// Card image file: "OPENMYNA-CARD-IMAGE <version>\n" + JSON (docs/card.md).
#include "openmyna/card/image.h"

#include <charconv>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <utility>

#include "kernel/crypto.h"
#include "openmyna/base/file_io.h"
#include "openmyna/card/errors.h"

namespace openmyna::card {
namespace {

using nlohmann::json;

constexpr std::string_view kMagic = "OPENMYNA-CARD-IMAGE ";

std::string FidHex(std::uint16_t fid) {
  char buf[5];
  std::snprintf(buf, sizeof buf, "%04X", fid);
  return buf;
}

std::optional<std::uint16_t> ParseFid(const std::string& text) {
  if (text.size() != 4) return std::nullopt;
  std::uint16_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + 4, v, 16);
  if (ec != std::errc() || p != text.data() + 4) return std::nullopt;
  return v;
}

std::string_view KindName(EfKind kind) {
  switch (kind) {
    case EfKind::kBinary:
      return "binary";
    case EfKind::kRecord:
      return "record";
    case EfKind::kPin:
      return "pin";
    case EfKind::kKey:
      return "key";
  }
  return "binary";
}

std::string_view ChangeName(PinChange c) {
  switch (c) {
    case PinChange::kNone:
      return "none";
    case PinChange::kChangeReferenceData:
      return "change_reference_data";
    case PinChange::kChangeKey:
      return "change_key";
  }
  return "none";
}

json RuleToJson(const AccessRule& rule) {
  json j;
  switch (rule.kind) {
    case AccessRule::Kind::kFree:
      j["kind"] = "free";
      break;
    case AccessRule::Kind::kAnyOf:
      j["kind"] = "any_of";
      break;
    case AccessRule::Kind::kNever:
      j["kind"] = "never";
      break;
  }
  json pins = json::array();
  for (Fid f : rule.pins) pins.push_back(FidHex(f));
  j["pins"] = pins;
  return j;
}

// Thrown inside the decoder only; DecodeImage turns it into kBadImage.
struct DecodeError {
  std::string message;
};

[[noreturn]] void Bad(std::string message) {
  throw DecodeError{std::move(message)};
}

Bytes HexField(const json& j, const char* name, const std::string& where) {
  if (!j.contains(name) || !j[name].is_string()) {
    Bad(where + ": missing " + name);
  }
  auto bytes = FromHex(j[name].get<std::string>());
  if (!bytes) Bad(where + ": " + name + " is not hex");
  return *bytes;
}

Fid FidField(const json& j, const std::string& where) {
  if (!j.is_string()) Bad(where + ": FID must be a 4-digit hex string");
  auto fid = ParseFid(j.get<std::string>());
  if (!fid) Bad(where + ": bad FID");
  return *fid;
}

AccessRule RuleFromJson(const json& j, const std::string& where) {
  if (!j.is_object() || !j.contains("kind")) Bad(where + ": bad access rule");
  AccessRule rule;
  const std::string kind = j["kind"].get<std::string>();
  if (kind == "free") {
    rule.kind = AccessRule::Kind::kFree;
  } else if (kind == "any_of") {
    rule.kind = AccessRule::Kind::kAnyOf;
  } else if (kind == "never") {
    rule.kind = AccessRule::Kind::kNever;
  } else {
    Bad(where + ": unknown access rule " + kind);
  }
  if (j.contains("pins")) {
    for (const auto& p : j["pins"]) rule.pins.push_back(FidField(p, where));
  }
  return rule;
}

std::optional<PinRule> ParsePinRule(std::string_view name) {
  for (int i = 0; i <= static_cast<int>(PinRule::kBirthDateKey); ++i) {
    if (PinRuleName(static_cast<PinRule>(i)) == name) {
      return static_cast<PinRule>(i);
    }
  }
  return std::nullopt;
}

}  // namespace

Application* CardImage::FindApplication(std::string_view name) {
  for (auto& app : applications) {
    if (app.name == name) return &app;
  }
  return nullptr;
}

const Application* CardImage::FindApplication(std::string_view name) const {
  for (const auto& app : applications) {
    if (app.name == name) return &app;
  }
  return nullptr;
}

Application* CardImage::FindApplicationByAid(ByteView aid) {
  for (auto& app : applications) {
    if (app.aid.size() == aid.size() &&
        std::equal(app.aid.begin(), app.aid.end(), aid.begin())) {
      return &app;
    }
  }
  return nullptr;
}

StorageKey::~StorageKey() { SecureWipe(key_); }

Result<StorageKey> StorageKey::FromBytes(ByteView bytes) {
  if (bytes.size() != kSize) {
    return Fail(CardErrc::kBadMasterKey, "storage key must be 32 bytes, got " +
                                             std::to_string(bytes.size()));
  }
  StorageKey key;
  std::copy(bytes.begin(), bytes.end(), key.key_.begin());
  return key;
}

Result<StorageKey> StorageKey::Load(const std::filesystem::path& path) {
  auto bytes = ReadFileBytes(path);
  if (!bytes) {
    return Fail(CardErrc::kBadMasterKey, "cannot read storage key " +
                                             path.string() + ": " +
                                             bytes.error().message());
  }
  auto key = FromBytes(*bytes);
  SecureWipe(*bytes);
  return key;
}

Result<StorageKey> StorageKey::LoadOrCreate(const std::filesystem::path& path,
                                            Rng& rng) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) return Load(path);
  Bytes fresh = rng.Bytes(kSize);
  if (auto st = WriteFileAtomically(path, fresh); !st) {
    SecureWipe(fresh);
    return Fail(CardErrc::kIo, "cannot write storage key " + path.string() +
                                   ": " + st.error().message());
  }
  auto key = FromBytes(fresh);
  SecureWipe(fresh);
  return key;
}

Result<Bytes> EncodeImage(const CardImage& image, const StorageKey& key,
                          Rng& rng) {
  json root;
  root["kind"] = std::string(CardKindName(image.kind));
  root["state"] = image.state == ChipState::kErased ? "erased" : "active";
  root["generation"] = image.generation;
  if (!image.issuer_key.empty()) {
    OPENMYNA_ASSIGN_OR_RETURN(
        Bytes sealed,
        crypto::Seal(key.bytes(), image.issuer_key, "issuer_key", rng));
    root["issuer_key_sealed"] = ToHex(sealed);
  }
  json mf = json::object();
  for (const auto& [tag, value] : image.mf_objects)
    mf[FidHex(tag)] = ToHex(value);
  root["mf_objects"] = mf;
  json apps = json::array();
  for (const auto& app : image.applications) {
    json ja;
    ja["name"] = app.name;
    ja["aid"] = ToHex(app.aid);
    if (app.default_signing_key) {
      ja["default_signing_key"] = FidHex(*app.default_signing_key);
    }
    json files = json::array();
    for (const auto& ef : app.files) {
      json jf;
      const std::string path = app.name + "/" + FidHex(ef.fid);
      jf["fid"] = FidHex(ef.fid);
      jf["label"] = ef.label;
      jf["kind"] = std::string(KindName(ef.kind));
      switch (ef.kind) {
        case EfKind::kBinary:
          jf["read"] = RuleToJson(ef.read);
          jf["data"] = ToHex(ef.data);
          break;
        case EfKind::kRecord: {
          jf["read"] = RuleToJson(ef.read);
          json recs = json::array();
          for (const auto& r : ef.records) recs.push_back(ToHex(r));
          jf["records"] = recs;
          break;
        }
        case EfKind::kPin: {
          jf["rule"] = std::string(PinRuleName(ef.pin.rule));
          jf["max_tries"] = ef.pin.max_tries;
          jf["tries_left"] = ef.pin.tries_left;
          jf["change"] = std::string(ChangeName(ef.pin.change));
          jf["is_set"] = ef.pin.is_set;
          if (ef.pin.is_set) {
            OPENMYNA_ASSIGN_OR_RETURN(
                Bytes sealed, crypto::Seal(key.bytes(), ToBytes(ef.pin.value),
                                           path + "/pin", rng));
            jf["value_sealed"] = ToHex(sealed);
          }
          break;
        }
        case EfKind::kKey: {
          jf["use"] = RuleToJson(ef.key.use);
          jf["compute_signature"] = ef.key.allows_compute_signature;
          jf["internal_authenticate"] = ef.key.allows_internal_authenticate;
          jf["public_key"] = ToHex(ef.key.public_key_spki);
          if (!ef.key.private_key_pkcs8.empty()) {
            OPENMYNA_ASSIGN_OR_RETURN(
                Bytes sealed,
                crypto::Seal(key.bytes(), ef.key.private_key_pkcs8,
                             path + "/key", rng));
            jf["private_key_sealed"] = ToHex(sealed);
          }
          break;
        }
      }
      files.push_back(std::move(jf));
    }
    ja["files"] = std::move(files);
    apps.push_back(std::move(ja));
  }
  root["applications"] = std::move(apps);
  std::string text =
      std::string(kMagic) + std::to_string(kImageFormatVersion) + "\n" +
      root.dump(1, ' ', false, json::error_handler_t::replace) + "\n";
  return ToBytes(text);
}

Result<CardImage> DecodeImage(ByteView file, const StorageKey* key) {
  std::string_view text(reinterpret_cast<const char*>(file.data()),
                        file.size());
  if (text.substr(0, kMagic.size()) != kMagic) {
    return Fail(CardErrc::kBadImage, "not a card image (magic line missing)");
  }
  const auto eol = text.find('\n');
  if (eol == std::string_view::npos) {
    return Fail(CardErrc::kBadImage, "truncated header");
  }
  const std::string_view version =
      text.substr(kMagic.size(), eol - kMagic.size());
  if (version != std::to_string(kImageFormatVersion)) {
    return Fail(CardErrc::kBadImage,
                "unsupported image version " + std::string(version));
  }
  json root =
      json::parse(text.substr(eol + 1), nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded() || !root.is_object()) {
    return Fail(CardErrc::kBadImage, "body is not a JSON object");
  }
  // Secrets are opened after the structure is read, so that a structural
  // error is reported as kBadImage and a key error as kBadMasterKey.
  struct PendingSecret {
    Bytes sealed;
    std::string aad;
    std::size_t app, file;
    int what;  // 0 pin, 1 key, 2 issuer
  };
  std::vector<PendingSecret> secrets;
  CardImage image;
  try {
    auto kind = ParseCardKind(root.value("kind", ""));
    if (!kind) Bad("kind must be standard or face_auth");
    image.kind = *kind;
    const std::string state = root.value("state", "");
    if (state == "active") {
      image.state = ChipState::kActive;
    } else if (state == "erased") {
      image.state = ChipState::kErased;
    } else {
      Bad("state must be active or erased");
    }
    image.generation = root.value("generation", "rsa2048");
    if (root.contains("issuer_key_sealed")) {
      secrets.push_back({HexField(root, "issuer_key_sealed", "image"),
                         "issuer_key", 0, 0, 2});
    }
    if (root.contains("mf_objects")) {
      for (const auto& [tag, value] : root["mf_objects"].items()) {
        auto t = ParseFid(tag);
        if (!t || !value.is_string()) Bad("mf_objects: bad entry " + tag);
        auto bytes = FromHex(value.get<std::string>());
        if (!bytes) Bad("mf_objects: " + tag + " is not hex");
        image.mf_objects[*t] = *bytes;
      }
    }
    if (!root.contains("applications") || !root["applications"].is_array()) {
      Bad("applications missing");
    }
    for (const auto& ja : root["applications"]) {
      Application app;
      if (!ja.contains("name") || !ja["name"].is_string())
        Bad("application without name");
      app.name = ja["name"].get<std::string>();
      app.aid = HexField(ja, "aid", app.name);
      if (ja.contains("default_signing_key")) {
        app.default_signing_key = FidField(ja["default_signing_key"], app.name);
      }
      if (!ja.contains("files") || !ja["files"].is_array())
        Bad(app.name + ": files missing");
      for (const auto& jf : ja["files"]) {
        ElementaryFile ef;
        if (!jf.contains("fid")) Bad(app.name + ": file without fid");
        ef.fid = FidField(jf["fid"], app.name);
        const std::string where = app.name + "/" + FidHex(ef.fid);
        ef.label = jf.value("label", "");
        const std::string kind_name = jf.value("kind", "");
        if (kind_name == "binary") {
          ef.kind = EfKind::kBinary;
          ef.read = RuleFromJson(jf.value("read", json()), where);
          ef.data = HexField(jf, "data", where);
        } else if (kind_name == "record") {
          ef.kind = EfKind::kRecord;
          ef.read = RuleFromJson(jf.value("read", json()), where);
          for (const auto& r : jf.value("records", json::array())) {
            auto bytes = r.is_string()
                             ? FromHex(r.get<std::string>())
                             : Result<Bytes>(Fail(CardErrc::kBadImage, ""));
            if (!bytes) Bad(where + ": bad record");
            ef.records.push_back(*bytes);
          }
        } else if (kind_name == "pin") {
          ef.kind = EfKind::kPin;
          ef.read = AccessRule::Never();
          auto rule = ParsePinRule(jf.value("rule", ""));
          if (!rule) Bad(where + ": unknown PIN rule");
          ef.pin.rule = *rule;
          const int max = jf.value("max_tries", -1);
          const int left = jf.value("tries_left", -1);
          if (max < 1 || max > 15 || left < 0 || left > max)
            Bad(where + ": bad retry counter");
          ef.pin.max_tries = static_cast<std::uint8_t>(max);
          ef.pin.tries_left = static_cast<std::uint8_t>(left);
          const std::string change = jf.value("change", "none");
          if (change == "none") {
            ef.pin.change = PinChange::kNone;
          } else if (change == "change_reference_data") {
            ef.pin.change = PinChange::kChangeReferenceData;
          } else if (change == "change_key") {
            ef.pin.change = PinChange::kChangeKey;
          } else {
            Bad(where + ": unknown change command");
          }
          ef.pin.is_set = jf.value("is_set", false);
          if (ef.pin.is_set) {
            secrets.push_back({HexField(jf, "value_sealed", where),
                               where + "/pin", image.applications.size(),
                               app.files.size(), 0});
          }
        } else if (kind_name == "key") {
          ef.kind = EfKind::kKey;
          ef.read = AccessRule::Never();
          ef.key.use = RuleFromJson(jf.value("use", json()), where);
          ef.key.allows_compute_signature = jf.value("compute_signature", true);
          ef.key.allows_internal_authenticate =
              jf.value("internal_authenticate", false);
          ef.key.public_key_spki = HexField(jf, "public_key", where);
          if (jf.contains("private_key_sealed")) {
            secrets.push_back({HexField(jf, "private_key_sealed", where),
                               where + "/key", image.applications.size(),
                               app.files.size(), 1});
          }
        } else {
          Bad(where + ": unknown file kind " + kind_name);
        }
        app.files.push_back(std::move(ef));
      }
      image.applications.push_back(std::move(app));
    }
  } catch (const DecodeError& e) {
    return Fail(CardErrc::kBadImage, e.message);
  } catch (const json::exception& e) {
    return Fail(CardErrc::kBadImage,
                std::string("malformed field: ") + e.what());
  }
  if (key != nullptr) {
    for (auto& s : secrets) {
      OPENMYNA_ASSIGN_OR_RETURN(Bytes plain,
                                crypto::Open(key->bytes(), s.sealed, s.aad));
      if (s.what == 2) {
        image.issuer_key = std::move(plain);
      } else {
        ElementaryFile& ef = image.applications[s.app].files[s.file];
        if (s.what == 0) {
          ef.pin.value = ToString(plain);
          SecureWipe(plain);
        } else {
          ef.key.private_key_pkcs8 = std::move(plain);
        }
      }
    }
  }
  return image;
}

Status SaveImage(const std::filesystem::path& path, const CardImage& image,
                 const StorageKey& key, Rng& rng) {
  OPENMYNA_ASSIGN_OR_RETURN(Bytes encoded, EncodeImage(image, key, rng));
  if (auto st = WriteFileAtomically(path, encoded); !st) {
    return Fail(CardErrc::kIo, "writing card image " + path.string() + ": " +
                                   st.error().message());
  }
  return Ok();
}

Result<CardImage> LoadImage(const std::filesystem::path& path,
                            const StorageKey* key) {
  auto bytes = ReadFileBytes(path);
  if (!bytes) {
    return Fail(CardErrc::kIo, "reading card image " + path.string() + ": " +
                                   bytes.error().message());
  }
  return DecodeImage(*bytes, key);
}

void EraseChip(CardImage& image) {
  for (auto& app : image.applications) {
    for (auto& ef : app.files) {
      SecureWipe(ef.pin.value);
      SecureWipe(ef.key.private_key_pkcs8);
    }
  }
  image.applications.clear();
  image.mf_objects.clear();
  SecureWipe(image.issuer_key);
  image.issuer_key.clear();
  image.state = ChipState::kErased;
}

}  // namespace openmyna::card
