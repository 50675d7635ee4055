#include "testing/pki_fixture.h"

#include <gtest/gtest.h>
#include <openssl/rsa.h>
#include <unistd.h>

#include <array>
#include <cstdlib>

namespace openmyna::pki::testing {
namespace {

std::filesystem::path Root() {
  static const std::filesystem::path root = [] {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "openmyna-pki-XXXXXX")
            .string();
    const char* made = mkdtemp(pattern.data());
    EXPECT_NE(made, nullptr);
    std::filesystem::path path = pattern;
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(Root(), ec);
    });
    return path;
  }();
  return root;
}

}  // namespace

TimePoint FixtureNow() {
  using namespace std::chrono;
  return sys_days(year(2026) / 11 / 25) + hours(3);
}

std::filesystem::path TempDir(const std::string& name) {
  const auto path = Root() / name;
  std::filesystem::remove_all(path);
  std::filesystem::create_directories(path);
  return path;
}

Sandbox& SharedSandbox() {
  static Sandbox* sandbox = [] {
    FixedClock clock(FixtureNow());
    DeterministicRng rng(7);
    auto outcome = Sandbox::Init(TempDir("sandbox"), {}, clock, rng);
    if (!outcome) {
      ADD_FAILURE() << outcome.error();
      std::abort();
    }
    return new Sandbox(std::move(outcome->sandbox));
  }();
  return *sandbox;
}

EVP_PKEY* SubjectKey(int index) {
  static std::array<EVP_PKEY*, 4> keys{};
  if (keys[static_cast<std::size_t>(index)] == nullptr) {
    keys[static_cast<std::size_t>(index)] = EVP_RSA_gen(2048);
  }
  return keys[static_cast<std::size_t>(index)];
}

Bytes SubjectSpki(int index) {
  unsigned char* data = nullptr;
  const int length = i2d_PUBKEY(SubjectKey(index), &data);
  Bytes out(data, data + length);
  OPENSSL_free(data);
  return out;
}

IssueRequest AuthenticationRequest(int key_index) {
  using namespace std::chrono;
  IssueRequest r;
  r.kind = CertificateKind::kAuthentication;
  r.subject_public_key_info = SubjectSpki(key_index);
  r.municipality = {"13221", "Tokyo-to", "Kiyose-shi"};
  r.not_before = FixtureNow();
  r.not_after_date = year(2031) / 1 / 2;
  return r;
}

IssueRequest SignatureRequest(int key_index) {
  IssueRequest r = AuthenticationRequest(key_index);
  r.kind = CertificateKind::kSignature;
  r.personal.name = "清瀬　花子";  // surname, U+3000, given name
  r.personal.sex = SanSex::kFemale;
  r.personal.date_of_birth = "419900102";  // jpki.md §3.3 worked example
  r.personal.address = "東京都清瀬市中里五丁目８４２番地";
  return r;
}

X509Ptr ParseDer(const Bytes& der) {
  const unsigned char* p = der.data();
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  EXPECT_TRUE(cert);
  return cert;
}

}  // namespace openmyna::pki::testing
