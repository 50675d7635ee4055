// Fuzz target for the DER the pki library parses from outside: certificates
// and CRLs (DER or PEM), CMS SignedData, and the linter and verifier run
// over whatever parses. Must never crash, leak or hang.
#include <cstddef>
#include <cstdint>

#include "openmyna/pki/cms.h"
#include "openmyna/pki/linter.h"
#include "openmyna/pki/verifier.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  using namespace openmyna;
  using namespace openmyna::pki;
  const ByteView input(data, size);
  if (auto cert = ParseCertificate(input)) {
    for (auto profile :
         {CertificateProfile::kSignatureEndEntity,
          CertificateProfile::kAuthenticationEndEntity,
          CertificateProfile::kRoot, CertificateProfile::kOcspResponder}) {
      (void)LintCertificate(cert->get(), {profile, cert->get()});
    }
    (void)VerifyCertificate(cert->get(), {cert->get()}, VerifyOptions{});
  }
  if (auto crl = ParseCrl(input)) {
    CrlLintContext context;
    (void)LintCrl(crl->get(), context);
  }
  (void)VerifyDetached(input, ByteView(), {}, VerifyOptions{});
  return 0;
}
