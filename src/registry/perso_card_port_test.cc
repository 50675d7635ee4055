// The registry making a real chip: the issue flow of the service over the
// sandbox CA (PkiCaPort) and PersoCardPort, then the produced image driven
// through APDUs (card-apdu.md §2-§5) and its certificate checked with
// OpenSSL. Expected values come from the test's inputs (passwords, address)
// and from OpenSSL's parse of what the chip returns.
#include "openmyna/registry/perso_card_port.h"

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "openmyna/base/file_io.h"
#include "openmyna/card/card.h"
#include "openmyna/card/perso/personalize.h"
#include "openmyna/pki/certificate_store.h"
#include "openmyna/registry/errors.h"
#include "openmyna/registry/pki_ca_port.h"
#include "openmyna/registry/service.h"
#include "testing/pki_fixture.h"
#include "testing/registry_fixture.h"

namespace openmyna::registry {
namespace {

const Bytes kOk{0x90, 0x00};

// Forwards to the real port and keeps what GenerateKey returned.
class KeyRecorder final : public CardPort {
 public:
  explicit KeyRecorder(CardPort& inner) : inner_(inner) {}
  Result<std::string> Produce(const Card& c, const Resident& r) override {
    return inner_.Produce(c, r);
  }
  Status SetPasswords(const Card& c, const Passwords& p) override {
    return inner_.SetPasswords(c, p);
  }
  Result<Bytes> GenerateKey(const Card& c, CertificateType t) override {
    auto spki = inner_.GenerateKey(c, t);
    if (spki) keys[t] = *spki;
    return spki;
  }
  Status InstallCertificate(const Card& c, CertificateType t,
                            std::string_view s) override {
    return inner_.InstallCertificate(c, t, s);
  }
  Status RewriteTextData(const Card& c, const Resident& r) override {
    return inner_.RewriteTextData(c, r);
  }
  Status ResetPassword(const Card& c, domain::PasswordKind k,
                       std::string_view v) override {
    return inner_.ResetPassword(c, k, v);
  }
  std::map<CertificateType, Bytes> keys;

 private:
  CardPort& inner_;
};

Bytes Apdu(std::string_view hex) {
  auto bytes = FromHex(hex);
  EXPECT_TRUE(bytes) << hex;
  return bytes.value_or(Bytes{});
}

Bytes Send(card::Card& chip, std::string_view hex) {
  return chip.Transmit(Apdu(hex));
}

Bytes Sw(const Bytes& response) {
  return response.size() < 2 ? response
                             : Bytes(response.end() - 2, response.end());
}

// READ BINARY of the current EF, 256 bytes at a time, until a short answer
// or 6B 00 (offset beyond the end, card-apdu.md §3.2).
Bytes ReadCurrentEf(card::Card& chip) {
  Bytes out;
  for (unsigned offset = 0; offset < 0x8000; offset += 256) {
    Bytes apdu{0x00, 0xB0, static_cast<std::uint8_t>(offset >> 8),
               static_cast<std::uint8_t>(offset & 0xFF), 0x00};
    const Bytes response = chip.Transmit(apdu);
    if (Sw(response) != kOk) break;
    out.insert(out.end(), response.begin(), response.end() - 2);
    if (response.size() - 2 < 256) break;
  }
  return out;
}

Bytes VerifyApdu(std::string_view pin) {
  Bytes apdu{0x00, 0x20, 0x00, 0x80, static_cast<std::uint8_t>(pin.size())};
  apdu.insert(apdu.end(), pin.begin(), pin.end());
  return apdu;
}

std::string Normalised(std::string hex) {
  std::transform(hex.begin(), hex.end(), hex.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  hex.erase(0, std::min(hex.find_first_not_of('0'), hex.size() - 1));
  return hex;
}

bool Contains(const Bytes& haystack, std::string_view needle) {
  const Bytes bytes(needle.begin(), needle.end());  // UTF-8 as bytes
  return std::search(haystack.begin(), haystack.end(), bytes.begin(),
                     bytes.end()) != haystack.end();
}

TEST(PersoCardPort, RegistryIssuesARealChip) {
  pki::Sandbox& sandbox = pki::testing::SharedSandbox();
  auto pki_store = pki::SqliteCertificateStore::Open(sandbox.store_path());
  ASSERT_TRUE(pki_store) << pki_store.error();
  FixedClock clock(pki::testing::FixtureNow());
  OpenSslRng rng;
  PkiCaPort ca(sandbox, **pki_store, rng);
  PersoCardPort perso(sandbox, rng);
  KeyRecorder card(perso);
  const auto dir = pki::testing::TempDir("registry-perso");
  auto store = RegistryStore::Open((dir / "registry.db").string(), clock);
  ASSERT_TRUE(store) << store.error();
  RegistryService service(**store, clock, rng, ca, card);
  const Actor& clerk = testing::kFixtureClerk;
  ASSERT_TRUE(testing::PutSampleMunicipalities(service));
  const Resident draft =
      testing::DraftResident("123456789018", "番号　花子",
                             "東京都清瀬市中里五丁目842番地", "1990-04-01");
  auto r = service.RegisterResident(clerk, draft);
  ASSERT_TRUE(r) << r.error();
  auto app = service.Apply(clerk, {r->id, r->id});
  ASSERT_TRUE(app) << app.error();
  auto produced = service.Produce(clerk, app->id);
  ASSERT_TRUE(produced) << produced.error();
  const std::filesystem::path image_path = produced->chip_image_path;
  EXPECT_EQ(image_path, perso.ImagePath(produced->id));
  struct stat st {};
  ASSERT_EQ(stat(image_path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);

  const std::string auth_pin = "1234";
  const std::string input_assist_pin = "9012";
  auto delivered =
      service.Deliver(clerk, produced->id, r->id,
                      {"ABC123", auth_pin, "5678", input_assist_pin});
  ASSERT_TRUE(delivered) << delivered.error();
  ASSERT_EQ(card.keys.count(CertificateType::kAuthentication), 1u);

  auto key = card::perso::LoadStorageKey(sandbox.dir());
  ASSERT_TRUE(key) << key.error();
  auto open_chip = [&]() -> std::unique_ptr<card::Card> {
    auto image = card::LoadImage(image_path, &*key);
    EXPECT_TRUE(image) << image.error();
    if (!image) return nullptr;
    auto chip = card::Card::FromImage(std::move(*image), rng);
    chip->PowerOn();
    return chip;
  };

  // The authentication certificate, read over APDUs, carries the chip's
  // public key and the serial the registry recorded.
  auto chip = open_chip();
  ASSERT_TRUE(chip);
  EXPECT_EQ(Send(*chip, "00A4040C0AD392F000260100000001"), kOk);
  EXPECT_EQ(Send(*chip, "00A4020C02000A"), kOk);
  const Bytes der = ReadCurrentEf(*chip);
  const unsigned char* p = der.data();
  X509* cert = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  ASSERT_NE(cert, nullptr) << "EF 000A is not a DER certificate";
  unsigned char* spki_der = nullptr;
  const int spki_len = i2d_PUBKEY(X509_get0_pubkey(cert), &spki_der);
  ASSERT_GT(spki_len, 0);
  EXPECT_EQ(Bytes(spki_der, spki_der + spki_len),
            card.keys[CertificateType::kAuthentication]);
  OPENSSL_free(spki_der);
  BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr);
  char* serial_hex = BN_bn2hex(bn);
  const std::string chip_serial = serial_hex;
  OPENSSL_free(serial_hex);
  BN_free(bn);
  auto file = service.GetResident(clerk, r->id);
  ASSERT_TRUE(file) << file.error();
  std::string registry_serial;
  for (const Certificate& c : file->certificates) {
    if (c.type == CertificateType::kAuthentication) registry_serial = c.serial;
  }
  ASSERT_FALSE(registry_serial.empty());
  EXPECT_EQ(Normalised(chip_serial), Normalised(registry_serial));
  // The CA certificate in EF 000B is the one that signed it.
  EXPECT_EQ(Send(*chip, "00A4020C02000B"), kOk);
  const Bytes ca_der = ReadCurrentEf(*chip);
  p = ca_der.data();
  X509* ca_cert = d2i_X509(nullptr, &p, static_cast<long>(ca_der.size()));
  ASSERT_NE(ca_cert, nullptr) << "EF 000B is not a DER certificate";
  EXPECT_EQ(X509_verify(cert, X509_get0_pubkey(ca_cert)), 1);
  X509_free(ca_cert);
  X509_free(cert);
  // The PIN chosen at the counter opens the authentication key.
  EXPECT_EQ(Send(*chip, "00A4020C020018"), kOk);
  EXPECT_EQ(chip->Transmit(VerifyApdu(auth_pin)), kOk);

  // Address change: the text AP's basic data (EF 0002) hold the new
  // address, readable with the unchanged input-assist PIN.
  const std::string new_address = "東京都清瀬市元町一丁目";
  auto changed = service.ChangeAddress(clerk, r->id, new_address);
  ASSERT_TRUE(changed) << changed.error();
  chip = open_chip();
  ASSERT_TRUE(chip);
  EXPECT_EQ(Send(*chip, "00A4040C0AD3921000310001010408"), kOk);
  EXPECT_EQ(Send(*chip, "00A4020C020011"), kOk);
  EXPECT_EQ(chip->Transmit(VerifyApdu(input_assist_pin)), kOk);
  EXPECT_EQ(Send(*chip, "00A4020C020002"), kOk);
  const Bytes basic = ReadCurrentEf(*chip);
  EXPECT_TRUE(Contains(basic, new_address)) << ToHex(basic);
  EXPECT_FALSE(Contains(basic, draft.address));

  // A blocked authentication PIN (three wrong tries, written back to the
  // image by the card itself) is unblocked and set at the counter.
  {
    auto persisted = card::Card::Open(image_path, *key, rng);
    ASSERT_TRUE(persisted) << persisted.error();
    (*persisted)->PowerOn();
    EXPECT_EQ(Send(**persisted, "00A4040C0AD392F000260100000001"), kOk);
    EXPECT_EQ(Send(**persisted, "00A4020C020018"), kOk);
    for (int i = 0; i < 3; ++i) (*persisted)->Transmit(VerifyApdu("0000"));
    // A blocked key answers 69 84 even to the right value (card-apdu.md
    // §9, as the real card does).
    EXPECT_EQ((*persisted)->Transmit(VerifyApdu(auth_pin)),
              (Bytes{0x69, 0x84}));
  }
  const std::string new_pin = "4321";
  ASSERT_TRUE(service.ResetPassword(
      clerk, delivered->id, domain::PasswordKind::kAuthentication, new_pin));
  chip = open_chip();
  ASSERT_TRUE(chip);
  EXPECT_EQ(Send(*chip, "00A4040C0AD392F000260100000001"), kOk);
  EXPECT_EQ(Send(*chip, "00A4020C020018"), kOk);
  EXPECT_EQ(chip->Transmit(VerifyApdu(new_pin)), kOk);
}

// A resident with a delivered standard card, issued through the service
// over the real CA and PersoCardPort.
struct IssuedCard {
  pki::Sandbox& sandbox = pki::testing::SharedSandbox();
  std::unique_ptr<pki::SqliteCertificateStore> pki_store;
  FixedClock clock{pki::testing::FixtureNow()};
  OpenSslRng rng;
  std::unique_ptr<PkiCaPort> ca;
  std::unique_ptr<PersoCardPort> perso;
  std::unique_ptr<RegistryStore> store;
  std::unique_ptr<RegistryService> service;
  const Actor clerk{"clerk", Role::kCounterClerk, "test"};
  std::string resident_id, card_id;
  std::filesystem::path image;
  std::optional<card::StorageKey> key;
  const std::string old_address = "東京都清瀬市中里五丁目842番地";
  const std::string input_assist_pin = "9012";
  const std::string auth_pin = "1234";

  void Issue(std::string_view number) {
    auto opened = pki::SqliteCertificateStore::Open(sandbox.store_path());
    ASSERT_TRUE(opened) << opened.error();
    pki_store = std::move(*opened);
    ca = std::make_unique<PkiCaPort>(sandbox, *pki_store, rng);
    perso = std::make_unique<PersoCardPort>(sandbox, rng);
    const auto dir = pki::testing::TempDir("registry-issuer");
    auto s = RegistryStore::Open((dir / "registry.db").string(), clock);
    ASSERT_TRUE(s) << s.error();
    store = std::move(*s);
    service =
        std::make_unique<RegistryService>(*store, clock, rng, *ca, *perso);
    ASSERT_TRUE(service->PutMunicipality(
        clerk,
        {"13221", "清瀬市", "東京都", "Kiyose-shi", "Tokyo-to", 1000, 800}));
    Resident draft;
    draft.individual_number = std::string(number);
    draft.name = "番号　太郎";
    draft.date_of_birth = "1985-07-07";
    draft.sex = Sex::kMale;
    draft.address = old_address;
    draft.municipality_code = "13221";
    auto r = service->RegisterResident(clerk, draft);
    ASSERT_TRUE(r) << r.error();
    resident_id = r->id;
    auto app = service->Apply(clerk, {r->id, r->id});
    ASSERT_TRUE(app) << app.error();
    auto produced = service->Produce(clerk, app->id);
    ASSERT_TRUE(produced) << produced.error();
    card_id = produced->id;
    image = produced->chip_image_path;
    auto delivered = service->Deliver(
        clerk, card_id, r->id, {"ABC123", auth_pin, "5678", input_assist_pin});
    ASSERT_TRUE(delivered) << delivered.error();
    auto k = card::perso::LoadStorageKey(sandbox.dir());
    ASSERT_TRUE(k) << k.error();
    key = *k;
  }

  // A card in a reader: the image file opened as the card, powered on.
  std::unique_ptr<card::Card> Chip() {
    auto chip = card::Card::Open(image, *key, rng);
    EXPECT_TRUE(chip) << chip.error();
    if (!chip) return nullptr;
    (*chip)->PowerOn();
    return std::move(*chip);
  }

  // Text EF 0002 read with plain APDUs after VERIFY of the input-assist PIN.
  Bytes ReadBasicInfo() {
    auto chip = Chip();
    if (!chip) return {};
    EXPECT_EQ(Send(*chip, "00A4040C0AD3921000310001010408"), kOk);
    EXPECT_EQ(Send(*chip, "00A4020C020011"), kOk);
    EXPECT_EQ(chip->Transmit(VerifyApdu(input_assist_pin)), kOk);
    EXPECT_EQ(Send(*chip, "00A4020C020002"), kOk);
    return ReadCurrentEf(*chip);
  }

  // Blocks the authentication PIN with three wrong VERIFYs; the card writes
  // each try to its image.
  void BlockAuthPin() {
    auto chip = Chip();
    ASSERT_TRUE(chip);
    EXPECT_EQ(Send(*chip, "00A4040C0AD392F000260100000001"), kOk);
    for (int i = 0; i < 3; ++i) {
      EXPECT_EQ(Sw(Send(*chip, "002000980430303030")),
                (Bytes{0x63, static_cast<std::uint8_t>(0xC2 - i)}));
    }
    EXPECT_EQ(Send(*chip, "00200098"), (Bytes{0x63, 0xC0}));
  }

  // The retry counter as the card reports it (VERIFY without data, ISO/IEC
  // 7816-4 §11.5.6: 63 Cx) for the authentication PIN.
  Bytes AuthPinStatus() {
    auto chip = Chip();
    if (!chip) return {};
    EXPECT_EQ(Send(*chip, "00A4040C0AD392F000260100000001"), kOk);
    return Send(*chip, "00200098");
  }
};

TEST(PersoCardPort, AddressChangeAndPinResetGoThroughIssuerCommands) {
  IssuedCard c;
  ASSERT_NO_FATAL_FAILURE(c.Issue("234567890121"));
  struct stat st {};
  ASSERT_EQ(stat(c.perso->IssuerKeyPath(c.card_id).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);

  const std::string new_address = "東京都清瀬市竹丘三丁目1番";
  ASSERT_TRUE(c.service->ChangeAddress(c.clerk, c.resident_id, new_address));
  const Bytes basic = c.ReadBasicInfo();
  EXPECT_TRUE(Contains(basic, new_address)) << ToHex(basic);
  EXPECT_FALSE(Contains(basic, c.old_address));
  // The integrity record (EF 0003, DF32) covers the new EF 0002: its
  // SHA-256 (computed here with OpenSSL's EVP) is in the file.
  {
    auto chip = c.Chip();
    ASSERT_TRUE(chip);
    EXPECT_EQ(Send(*chip, "00A4040C0AD3921000310001010408"), kOk);
    EXPECT_EQ(Send(*chip, "00A4020C020011"), kOk);
    EXPECT_EQ(chip->Transmit(VerifyApdu(c.input_assist_pin)), kOk);
    EXPECT_EQ(Send(*chip, "00A4020C020003"), kOk);
    const Bytes integrity = ReadCurrentEf(*chip);
    // EF 0002 is FF 20 L { DF21 ... }: DF32 hashes from the DF22 tag to
    // the end of the object (card-apdu.md §8.3).
    ASSERT_GT(basic.size(), 4u);
    std::size_t header = basic[2] == 0x82 ? 5 : (basic[2] == 0x81 ? 4 : 3);
    const std::size_t length = basic[2] == 0x82
                                   ? (basic[3] << 8 | basic[4])
                                   : (basic[2] == 0x81 ? basic[3] : basic[2]);
    ASSERT_GE(basic.size(), header + length);
    // Skip the DF21 offsets TLV.
    const std::size_t df22 = header + 3 + basic[header + 2];
    Bytes digest(32);
    unsigned int n = 0;
    ASSERT_EQ(EVP_Digest(basic.data() + df22, header + length - df22,
                         digest.data(), &n, EVP_sha256(), nullptr),
              1);
    EXPECT_TRUE(std::search(integrity.begin(), integrity.end(), digest.begin(),
                            digest.end()) != integrity.end())
        << "EF 0003 does not hold SHA-256 of the new EF 0002";
  }

  // PIN reset at the counter: blocked (63 C0), then reset by the issuer
  // command: three tries again (63 C3), the new value opens (90 00), the
  // old one no longer does.
  ASSERT_NO_FATAL_FAILURE(c.BlockAuthPin());
  auto file = c.service->GetResident(c.clerk, c.resident_id);
  ASSERT_TRUE(file);
  ASSERT_TRUE(c.service->ResetPassword(
      c.clerk, c.card_id, domain::PasswordKind::kAuthentication, "8642"));
  EXPECT_EQ(c.AuthPinStatus(), (Bytes{0x63, 0xC3}));
  {
    auto chip = c.Chip();
    ASSERT_TRUE(chip);
    EXPECT_EQ(Send(*chip, "00A4040C0AD392F000260100000001"), kOk);
    EXPECT_EQ(Send(*chip, "002000980431323334"), (Bytes{0x63, 0xC2}));
    EXPECT_EQ(Send(*chip, "002000980438363432"), kOk);
  }

  // An image made before the registry kept issuer keys: the key is taken
  // from the image once, and the issuer commands still work.
  std::filesystem::remove(c.perso->IssuerKeyPath(c.card_id));
  ASSERT_TRUE(c.service->ChangeAddress(c.clerk, c.resident_id,
                                       "東京都清瀬市竹丘三丁目2番"));
  EXPECT_TRUE(Contains(c.ReadBasicInfo(), "竹丘三丁目2番"));
  EXPECT_TRUE(std::filesystem::exists(c.perso->IssuerKeyPath(c.card_id)));
}

TEST(PersoCardPort, TheCardRefusesAWrongIssuerKey) {
  IssuedCard c;
  ASSERT_NO_FATAL_FAILURE(c.Issue("345678901234"));
  ASSERT_NO_FATAL_FAILURE(c.BlockAuthPin());
  // The registry's key for this card replaced by another 32 bytes.
  ASSERT_TRUE(
      WriteFileAtomically(c.perso->IssuerKeyPath(c.card_id), Bytes(32, 0x5A)));
  auto before = ReadFileBytes(c.image);
  ASSERT_TRUE(before);

  auto changed = c.service->ChangeAddress(c.clerk, c.resident_id,
                                          "東京都清瀬市野塩一丁目");
  ASSERT_FALSE(changed);
  EXPECT_NE(changed.error().message().find("6300"), std::string::npos)
      << changed.error();
  auto reset = c.service->ResetPassword(
      c.clerk, c.card_id, domain::PasswordKind::kAuthentication, "8642");
  ASSERT_FALSE(reset);
  EXPECT_NE(reset.error().message().find("6300"), std::string::npos)
      << reset.error();

  // Nor at the CA: the signature certificate (an address change revokes
  // and re-issues it) is still unrevoked in the CA's store.
  auto file = c.service->GetResident(c.clerk, c.resident_id);
  ASSERT_TRUE(file) << file.error();
  int signatures = 0;
  for (const Certificate& cert : file->certificates) {
    if (cert.type != CertificateType::kSignature) continue;
    ++signatures;
    auto serial = pki::Serial::FromHex(cert.serial);
    ASSERT_TRUE(serial) << serial.error();
    auto record = c.pki_store->Find(*serial);
    ASSERT_TRUE(record && *record);
    EXPECT_FALSE((**record).revocation_reason.has_value()) << cert.serial;
  }
  EXPECT_EQ(signatures, 1);

  // Nothing changed on the chip: same image bytes, the old address, the
  // PIN still blocked.
  auto after = ReadFileBytes(c.image);
  ASSERT_TRUE(after);
  EXPECT_EQ(*before, *after);
  const Bytes basic = c.ReadBasicInfo();
  EXPECT_TRUE(Contains(basic, c.old_address));
  EXPECT_EQ(c.AuthPinStatus(), (Bytes{0x63, 0xC0}));
}

TEST(PersoCardPort, UnknownCardAndBadIdAreRefused) {
  OpenSslRng rng;
  PersoCardPort perso(pki::testing::SharedSandbox(), rng);
  Card c;
  c.id = "c-doesnotexist";
  auto key = perso.GenerateKey(c, CertificateType::kAuthentication);
  ASSERT_FALSE(key);
  EXPECT_TRUE(key.error().Is(RegistryErrc::kNotFound)) << key.error();
  c.id = "../escape";
  Resident r;
  auto produced = perso.Produce(c, r);
  ASSERT_FALSE(produced);
  EXPECT_TRUE(produced.error().Is(RegistryErrc::kInvalidInput));
}

}  // namespace
}  // namespace openmyna::registry
