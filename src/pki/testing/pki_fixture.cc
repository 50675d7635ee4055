#include "testing/pki_fixture.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/rsa.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>

namespace openmyna::pki::testing {
namespace {

// Without gtest (benches use the fixture too): a fixture that cannot be
// made ends the binary, saying what failed.
void Require(bool ok, std::string_view what) {
  if (ok) return;
  std::fprintf(stderr, "pki fixture: %.*s\n", static_cast<int>(what.size()),
               what.data());
  std::abort();
}

// The folder of every fixture of this test binary, removed at exit. The
// path is never destroyed, so the exit handler can still read it.
const std::filesystem::path& Root() {
  static const std::filesystem::path* root = [] {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "openmyna-pki-XXXXXX")
            .string();
    const char* made = mkdtemp(pattern.data());
    Require(made != nullptr, "mkdtemp");
    auto* path = new std::filesystem::path(pattern);
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(Root(), ec);
    });
    return path;
  }();
  return *root;
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
    if (!outcome) Require(false, outcome.error().ToString());
    return new Sandbox(std::move(outcome->sandbox));
  }();
  return *sandbox;
}

EVP_PKEY* SubjectKey(int index) {
  static std::array<EVP_PKEY*, 4> keys{};
  if (keys[static_cast<std::size_t>(index)] == nullptr) {
    keys[static_cast<std::size_t>(index)] = EVP_RSA_gen(2048);
    Require(keys[static_cast<std::size_t>(index)] != nullptr, "EVP_RSA_gen");
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
  Require(cert != nullptr, "ParseDer: not a DER certificate");
  return cert;
}

}  // namespace openmyna::pki::testing

namespace openmyna::pki::testing {

X509CrlPtr BuildCrl(Signer& signer, const CrlPartition* partition,
                    const std::vector<CrlEntry>& entries, TimePoint this_update,
                    TimePoint next_update) {
  X509CrlPtr crl(X509_CRL_new());
  X509_CRL_set_version(crl.get(), X509_CRL_VERSION_2);
  X509_CRL_set_issuer_name(crl.get(),
                           X509_get_subject_name(signer.certificate()));
  ASN1_TIME* t = ASN1_TIME_new();
  ASN1_TIME_set(t, std::chrono::system_clock::to_time_t(this_update));
  X509_CRL_set1_lastUpdate(crl.get(), t);
  ASN1_TIME_set(t, std::chrono::system_clock::to_time_t(next_update));
  X509_CRL_set1_nextUpdate(crl.get(), t);
  for (const CrlEntry& e : entries) {
    X509_REVOKED* r = X509_REVOKED_new();
    BIGNUM* bn =
        BN_bin2bn(e.serial.data(), static_cast<int>(e.serial.size()), nullptr);
    ASN1_INTEGER* s = BN_to_ASN1_INTEGER(bn, nullptr);
    BN_free(bn);
    X509_REVOKED_set_serialNumber(r, s);
    ASN1_INTEGER_free(s);
    ASN1_TIME_set(t, std::chrono::system_clock::to_time_t(e.when));
    X509_REVOKED_set_revocationDate(r, t);
    if (e.reason >= 0) {
      ASN1_ENUMERATED* en = ASN1_ENUMERATED_new();
      ASN1_ENUMERATED_set(en, e.reason);
      X509_REVOKED_add1_ext_i2d(r, NID_crl_reason, en, 0, 0);
      ASN1_ENUMERATED_free(en);
    }
    X509_CRL_add0_revoked(crl.get(), r);
  }
  ASN1_TIME_free(t);
  X509_CRL_sort(crl.get());
  ASN1_INTEGER* n = ASN1_INTEGER_new();
  ASN1_INTEGER_set(n, 1);
  X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, n, 0, 0);
  ASN1_INTEGER_free(n);
  AUTHORITY_KEYID* aki = AUTHORITY_KEYID_new();
  aki->keyid = ASN1_OCTET_STRING_new();
  ASN1_OCTET_STRING_set(aki->keyid, signer.key_identifier().data(),
                        static_cast<int>(signer.key_identifier().size()));
  X509_CRL_add1_ext_i2d(crl.get(), NID_authority_key_identifier, aki, 0, 0);
  AUTHORITY_KEYID_free(aki);
  if (partition != nullptr) {
    ISSUING_DIST_POINT* idp = ISSUING_DIST_POINT_new();
    idp->distpoint = DIST_POINT_NAME_new();
    idp->distpoint->type = 0;
    idp->distpoint->name.fullname =
        DistributionPointNames(*partition, "http://127.0.0.1:8390")
            .value()
            .release();
    idp->onlyuser = 0xFF;
    X509_CRL_add1_ext_i2d(crl.get(), NID_issuing_distribution_point, idp, 1, 0);
    ISSUING_DIST_POINT_free(idp);
  }
  Require(
      X509_CRL_sign(crl.get(), signer.openssl_private_key(), EVP_sha256()) > 0,
      "X509_CRL_sign");
  return crl;
}

Bytes CrlDer(X509_CRL* crl) {
  unsigned char* data = nullptr;
  const int length = i2d_X509_CRL(crl, &data);
  Bytes out(data, data + length);
  OPENSSL_free(data);
  return out;
}

int FreeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  Require(fd >= 0, "socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof addr;
  Require(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0,
          "bind");
  Require(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) == 0,
          "getsockname");
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace openmyna::pki::testing
