// Builds the data both revocation benchmarks share, for OpenMyna and for the
// OpenSSL baseline alike:
//   revocation_bench_setup DIR COUNT REVOKED_PERCENT REQUESTS
// - DIR: a fresh sandbox (pki ceremony) whose store holds COUNT
//   signature-CA certificates of one municipality (13221), random 16-byte
//   serials, REVOKED_PERCENT of them revoked (keyCompromise);
// - DIR/bench/index.txt: the same population as an `openssl ca` database
//   (V/R lines, same serials, same revocation times and reasons);
// - DIR/bench/openssl.cnf: an `openssl ca` configuration on the sandbox's
//   signature CA key (for -gencrl);
// - DIR/bench/requests.bin: REQUESTS DER OCSPRequests (SHA-1 CertID, no
//   nonce, as `openssl ocsp` sends), serials drawn from the population,
//   each prefixed by its 4-byte big-endian length.
// Only store records are written (a 2-byte placeholder instead of the
// certificate DER): neither responder reads certificates, only serial,
// status, reason and time.
#include <openssl/ocsp.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "openmyna/base/bytes.h"
#include "openmyna/base/clock.h"
#include "openmyna/base/rng.h"
#include "openmyna/pki/certificate_store.h"
#include "openmyna/pki/sandbox.h"

using namespace openmyna;
using namespace openmyna::pki;

namespace {

std::string Asn1Time(TimePoint t) {  // YYMMDDHHMMSSZ for index.txt
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buffer[32];
  // UTCTime's two-digit year (RFC 5280 §4.1.2.5.1): the last two of %Y.
  std::strftime(buffer, sizeof buffer, "%Y%m%d%H%M%SZ", &tm);
  return buffer + 2;
}

int Die(const std::string& what) {
  std::fprintf(stderr, "revocation_bench_setup: %s\n", what.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    return Die("usage: DIR COUNT REVOKED_PERCENT REQUESTS");
  }
  const std::filesystem::path dir = argv[1];
  const long count = std::stol(argv[2]);
  const int revoked_percent = std::stoi(argv[3]);
  const long requests = std::stol(argv[4]);
  SystemClock clock;
  OpenSslRng rng;
  auto outcome = Sandbox::Init(dir, {}, clock, rng);
  if (!outcome) return Die(outcome.error().ToString());
  Sandbox& sandbox = outcome->sandbox;
  auto store = sandbox.OpenStore();
  if (!store) return Die(store.error().ToString());
  std::filesystem::create_directories(dir / "bench");

  const TimePoint now = std::chrono::floor<std::chrono::seconds>(clock.Now());
  const TimePoint not_after = now + std::chrono::hours(24 * 365 * 4);
  const TimePoint revoked_at = now - std::chrono::hours(1);
  std::ofstream index(dir / "bench" / "index.txt");
  std::vector<Bytes> serials;
  serials.reserve(static_cast<std::size_t>(count));
  std::vector<CertificateRecord> batch;
  std::mt19937_64 pick(42);
  for (long i = 0; i < count; ++i) {
    CertificateRecord record;
    record.serial.bytes = rng.Bytes(16);
    record.serial.bytes[0] = static_cast<std::uint8_t>(
        (record.serial.bytes[0] & 0x7f) | 0x10);  // positive, 16 octets
    record.partition = {CaKind::kSignature, 1, "13221", "Tokyo-to",
                        "Kiyose-shi"};
    record.subject_cn = "BENCH" + std::to_string(i);
    record.not_before = now;
    record.not_after = not_after;
    record.der = {0x30, 0x00};  // placeholder: no responder reads it
    const bool revoked = static_cast<int>(pick() % 100) < revoked_percent;
    if (revoked) {
      record.revocation_reason = RevocationReason::kKeyCompromise;
      record.revocation_time = revoked_at;
    }
    const std::string hex = ToHex(record.serial.bytes, '\0', true);
    index << (revoked ? "R\t" : "V\t") << Asn1Time(not_after) << "\t"
          << (revoked ? Asn1Time(revoked_at) + ",keyCompromise" : "") << "\t"
          << hex << "\tunknown\t/CN=BENCH" << i << "\n";
    serials.push_back(record.serial.bytes);
    batch.push_back(std::move(record));
    if (batch.size() == 20'000 || i + 1 == count) {
      if (Status s = (*store)->PutMany(batch); !s) {
        return Die(s.error().ToString());
      }
      batch.clear();
    }
  }
  index.close();

  const CaGeneration& g = sandbox.current(CaKind::kSignature);
  std::ofstream cnf(dir / "bench" / "openssl.cnf");
  cnf << "[ ca ]\ndefault_ca = bench\n[ bench ]\n"
      << "database = " << (dir / "bench" / "index.txt").string() << "\n"
      << "crlnumber = " << (dir / "bench" / "crlnumber").string() << "\n"
      << "certificate = " << g.certificate_pem.string() << "\n"
      << "private_key = " << g.key_pem.string() << "\n"
      << "default_md = sha256\ndefault_crl_hours = 26\n"
      << "crl_extensions = crl_ext\n"
      << "[ crl_ext ]\nauthorityKeyIdentifier = keyid:always\n";
  cnf.close();
  std::ofstream(dir / "bench" / "crlnumber") << "01\n";
  std::ofstream(dir / "bench" / "index.txt.attr") << "unique_subject = no\n";

  // OCSP requests as `openssl ocsp -issuer CA -serial S -no_nonce` makes.
  auto roots = sandbox.Roots(CaKind::kSignature);
  if (!roots) return Die(roots.error().ToString());
  X509* ca = roots->back().get();
  std::ofstream out(dir / "bench" / "requests.bin", std::ios::binary);
  for (long i = 0; i < requests; ++i) {
    const Bytes& serial = serials[pick() % serials.size()];
    BIGNUM* bn =
        BN_bin2bn(serial.data(), static_cast<int>(serial.size()), nullptr);
    ASN1_INTEGER* number = BN_to_ASN1_INTEGER(bn, nullptr);
    OCSP_REQUEST* request = OCSP_REQUEST_new();
    OCSP_request_add0_id(request,
                         OCSP_cert_id_new(EVP_sha1(), X509_get_subject_name(ca),
                                          X509_get0_pubkey_bitstr(ca), number));
    unsigned char* der = nullptr;
    const int n = i2d_OCSP_REQUEST(request, &der);
    const unsigned char length[4] = {static_cast<unsigned char>(n >> 24),
                                     static_cast<unsigned char>(n >> 16),
                                     static_cast<unsigned char>(n >> 8),
                                     static_cast<unsigned char>(n)};
    out.write(reinterpret_cast<const char*>(length), 4);
    out.write(reinterpret_cast<const char*>(der), n);
    OPENSSL_free(der);
    OCSP_REQUEST_free(request);
    ASN1_INTEGER_free(number);
    BN_free(bn);
  }
  std::printf("sandbox %s: %ld certificates (%d%% revoked), %ld requests\n",
              dir.c_str(), count, revoked_percent, requests);
  return 0;
}
