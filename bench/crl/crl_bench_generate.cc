// Generates the CRL of one partition of a sandbox made by
// revocation_bench_setup, the way `openmyna serve` does:
//   crl_bench_generate DIR OUT.crl stream   WriteCrlFile straight from the
//                                           SQLite store (streamed, signed)
//   crl_bench_generate DIR OUT.crl publish  CrlPublisher::Publish: the same
//                                           plus the CRL linter, which
//                                           parses the whole CRL in memory
// Prints the entry count and size.
#include <cstdio>
#include <string>

#include "openmyna/base/clock.h"
#include "openmyna/pki/certificate_authority.h"
#include "openmyna/pki/revocation/crl_publisher.h"
#include "openmyna/pki/revocation/crl_writer.h"
#include "openmyna/pki/sandbox.h"

using namespace openmyna;
using namespace openmyna::pki;
using namespace openmyna::pki::revocation;

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr,
                 "usage: crl_bench_generate DIR OUT.crl stream|publish\n");
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  const std::string mode = argv[3];
  auto sandbox = Sandbox::Open(dir);
  if (!sandbox) {
    std::fprintf(stderr, "%s\n", sandbox.error().ToString().c_str());
    return 1;
  }
  auto store = sandbox->OpenStore();
  auto signer = sandbox->CaSigner(CaKind::kSignature, 1);
  if (!store || !signer) return 1;
  const CrlPartition partition{CaKind::kSignature, 1, "13221", "Tokyo-to",
                               "Kiyose-shi"};
  SystemClock clock;
  CrlSummary summary;
  if (mode == "publish") {
    CrlPublisherOptions options;
    options.directory = std::filesystem::path(argv[2]).parent_path() / "pub";
    options.base_url = sandbox->base_url();
    CrlPublisher publisher({{CaKind::kSignature, 1, signer->get()}}, **store,
                           clock, options);
    auto published = publisher.Publish(partition);
    if (!published) {
      std::fprintf(stderr, "%s\n", published.error().ToString().c_str());
      return 1;
    }
    summary = published->summary;
    std::filesystem::rename(published->path, argv[2]);
  } else {
    auto names = DistributionPointNames(partition, sandbox->base_url());
    if (!names) return 1;
    CrlParameters params;
    params.issuer = (*signer)->certificate();
    params.issuer_key_identifier = (*signer)->key_identifier();
    params.signing_key = (*signer)->openssl_private_key();
    params.crl_number = 1;
    params.this_update = clock.Now();
    params.next_update = params.this_update + std::chrono::hours(26);
    params.distribution_point = names->get();
    auto written = WriteCrlFile(
        params,
        [&](const std::function<bool(const RevokedEntry&)>& visit) {
          return (*store)->ForEachRevoked(partition, visit);
        },
        argv[2]);
    if (!written) {
      std::fprintf(stderr, "%s\n", written.error().ToString().c_str());
      return 1;
    }
    summary = *written;
  }
  std::printf("entries=%llu bytes=%llu\n",
              static_cast<unsigned long long>(summary.entries),
              static_cast<unsigned long long>(summary.der_bytes));
  return 0;
}
