// Certificates issued per second by openmyna::pki::CertificateAuthority
// (validate, build, lint, sign, store in SQLite) beside a plain-OpenSSL
// baseline in the same process: X509_sign (EVP, sha256WithRSA) over the
// same certificates' contents with the same CA key. Prints both rates and
// their ratio; never asserts a time.
//
//   openmyna_pki_issue_bench [COUNT [ROUNDS]]   (default 300 x 3)
// Each round issues COUNT certificates, then re-signs the same COUNT with
// the baseline; the rounds alternate; median and best are printed.
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "openmyna/base/clock.h"
#include "openmyna/base/rng.h"
#include "openmyna/pki/certificate_authority.h"
#include "openmyna/pki/sandbox.h"

using namespace openmyna;
using namespace std::chrono;

int main(int argc, char** argv) {
  const int count = argc > 1 ? std::atoi(argv[1]) : 300;
  const int rounds = argc > 2 ? std::max(1, std::atoi(argv[2])) : 3;
  std::string pattern =
      (std::filesystem::temp_directory_path() / "pki-bench-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) return 3;
  const std::filesystem::path dir = pattern;
  SystemClock clock;
  OpenSslRng rng;
  auto init = pki::Sandbox::Init(dir, {}, clock, rng);
  if (!init) {
    std::fprintf(stderr, "%s\n", init.error().ToString().c_str());
    return 3;
  }
  auto store = init->sandbox.OpenStore().value();
  pki::CertificateAuthority ca(init->sandbox, *store, rng);

  EVP_PKEY* subject = EVP_RSA_gen(2048);
  unsigned char* spki_data = nullptr;
  const int spki_length = i2d_PUBKEY(subject, &spki_data);
  pki::IssueRequest request;
  request.kind = pki::CertificateKind::kSignature;
  request.subject_public_key_info.assign(spki_data, spki_data + spki_length);
  OPENSSL_free(spki_data);
  request.municipality = {"13221", "Tokyo-to", "Kiyose-shi"};
  request.personal.name = "清瀬　花子";
  request.personal.sex = pki::SanSex::kFemale;
  request.personal.date_of_birth = "419900102";
  request.personal.address = "東京都清瀬市中里五丁目８４２番地";
  request.not_after_date =
      year_month_day(floor<days>(clock.Now()) + days(365 * 5));

  auto signer = init->sandbox.CaSigner(pki::CaKind::kSignature, 1).value();
  // Rounds alternate ours and the baseline so that a load change on a
  // shared machine hits both sides alike.
  std::vector<double> ours_rates, base_rates;
  for (int round = 0; round < rounds; ++round) {
    std::vector<Bytes> issued;
    const auto t0 = steady_clock::now();
    for (int i = 0; i < count; ++i) {
      request.not_before = clock.Now();
      auto cert = ca.Issue(request);
      if (!cert) {
        std::fprintf(stderr, "%s\n", cert.error().ToString().c_str());
        return 3;
      }
      issued.push_back(std::move(cert->der));
    }
    const double ours = duration<double>(steady_clock::now() - t0).count();

    // Baseline: the same certificates re-signed with plain EVP (X509_sign)
    // and encoded (i2d_X509), as OpenSSL alone would make them.
    std::vector<X509*> certs;
    for (const Bytes& der : issued) {
      const unsigned char* p = der.data();
      certs.push_back(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
    }
    const auto t1 = steady_clock::now();
    for (X509* cert : certs) {
      if (X509_sign(cert, signer->openssl_private_key(), EVP_sha256()) <= 0) {
        return 3;
      }
      unsigned char* out = nullptr;
      const int length = i2d_X509(cert, &out);
      OPENSSL_free(out);
      if (length <= 0) return 3;
    }
    const double base = duration<double>(steady_clock::now() - t1).count();
    for (X509* cert : certs) X509_free(cert);
    ours_rates.push_back(count / ours);
    base_rates.push_back(count / base);
    std::printf("round %d: openmyna %8.1f certs/s, X509_sign %8.1f certs/s\n",
                round + 1, ours_rates.back(), base_rates.back());
  }
  EVP_PKEY_free(subject);
  std::filesystem::remove_all(dir);

  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2]
                        : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
  };
  auto best = [](const std::vector<double>& v) {
    return *std::max_element(v.begin(), v.end());
  };
  std::printf(
      "certificates: %d signature certificates (RSA-2048, SHA-256) "
      "x %d rounds\n",
      count, rounds);
  std::printf(
      "openmyna CA.Issue (validate+lint+sign+store): median %8.1f, "
      "best %8.1f certs/s\n",
      median(ours_rates), best(ours_rates));
  std::printf(
      "baseline X509_sign (sign+encode only):        median %8.1f, "
      "best %8.1f certs/s\n",
      median(base_rates), best(base_rates));
  std::printf(
      "ratio openmyna/baseline: median %.2f, best %.2f (goal: close "
      "to 1)\n",
      median(ours_rates) / median(base_rates),
      best(ours_rates) / best(base_rates));
  return 0;
}
