// Fuzz target: everything the OCSP responder parses from the network —
// the GET path (percent-decoding + base64, RFC 6960 Appendix A.1) and the
// DER OCSPRequest (d2i_OCSP_REQUEST, CertID matching, nonce), through
// OcspResponder::Respond with a small in-memory store.
//
// Input: byte 0 selects the path (even: POST body = the rest; odd: GET
// path segment = the rest). Every answer must be a DER OCSPResponse that
// OpenSSL parses back.
//
// With OPENMYNA_FUZZ_WRITE_SEEDS=<dir> set, the first call writes seed
// requests (good, revoked, unknown, nonce, SHA-256, two certificates, GET
// forms) into <dir>: that is how ocsp_corpus/ was made.
#include <openssl/ocsp.h>
#include <openssl/pem.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>

#include "openmyna/pki/revocation/ocsp_responder.h"
#include "testing/test_pki.h"

namespace {

using namespace openmyna;
using namespace openmyna::pki;
using namespace openmyna::pki::revocation;
namespace ts = test_support;

// Fixed test-only keys (generated for this fuzzer; they protect nothing),
// so that seeds written once keep naming the same issuer.
constexpr const char* kCaKey =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQClKmTT5M5Um7g0\n"
    "lR51DR9VmuLM3nD8fqLyyfbQJdlURav5sPp0M2szp1QoSI6GlEh9Wphy9PVh4bVB\n"
    "YdAr/8kOvDrvTdFrvg6+ssGRfcOOO/PpYd/41o/A26xT0shnnP9cJkCg9b0bubgs\n"
    "1AjT5fNWvOFCuWXbvAJfe6ipGeme4YAAN1lHg0aLGWynOdwQKYe7z49W/S5mK1M2\n"
    "bAsCbXeJA0YxpLkqp73IWWyVnOygylHSVDi/OM5L+l43AWyQ4Q28fWlnp3WabiMm\n"
    "Gkzr5WenZ+sP8y+DkC7aiokQhmM0r8jcvKccf/Fgpbdtpk7J+QfqtdpJs43P8MMX\n"
    "rPGZMv0FAgMBAAECggEADa6eXaNFqGKh9tEnjcDBiMDk6t2+dFw1OXGbnZCVGVMQ\n"
    "NQYBKWEdD1FcOl4QWHuuKZw4psU+Epa1Ai6NJSfySuMy6qICqC89X3TFbj0B1yWG\n"
    "Rh4ShLWZgPtxohwC9/pceRC+J9dTjBltdWE3Pf59kwDglDtxgatocup2hVOdM8kO\n"
    "NE8ieJ3OLtq5PmCjK2ECrtjUY51r6QAywubAr5Gh6J8NnenNCH121KSYAmxshO8+\n"
    "eIWHxDOo4ikzxSdWm0ifBttJ6bmZ1qHrV1Ll4CPpUbbUrcorTkgE/g6JSEG3x20+\n"
    "dl2Z4ivzVtdtJvsxk5jV3ZCeMR2HGYbbVQVOjyM6PQKBgQDgN08VYP4I9pxy+f9T\n"
    "lCjUMePBm/lde+EM6URvN1j94UI9FdHVspVonE4ElqHCeHtgk3iumyeYwBYduCNw\n"
    "CvDXG/n7JrzIbv8OU1QcMvkiC7SvI/YRX6LtrVnexHhJm9b+QmjLkiryb0PgN5+8\n"
    "pWdkgDIJfbc6a7gYoyxZJts1bwKBgQC8lCxFnBkgH+1u8b/P7BRoqiZ/26eOyP6C\n"
    "Uu4xund5+TDr09jJDIlhwdVWN9QfrB2NhogoTwEsN+fu5u5oSc5XkLOuJZcXuiJE\n"
    "uHNs46eYARMUeMBIyyrTNZsTgf/blR7eJKC1Bq917DTPCL3JIm1zBFsuIKP+75Bh\n"
    "FsbgAXdCywKBgQCB5KjlGsawzKXAGkKn2cp5e9mVXVXuqYisYSsrPyZIFkq4dr6U\n"
    "jZvu+bZdBCL8Na5MOcMNbIdY/9cQKpAlJcF27Rc6P6vYdi0+0FmG6KTZ62wmlq/E\n"
    "SuJpzSamXq3M/wJjVHe/j5Nf1cO9zpu0vyIR4A6c3v7aUnNZmpZjo5YU8wKBgQCS\n"
    "QqIrwyxBnEG9QMcybrpNi1qc5DKLLh0n20ZfT26HLdzhq8eB97U+GuZqHpbpkcbC\n"
    "E8va55vTPfEne/kA7e2aQOL7eLA9eOJHRoBPviooXPz9bcJFMz6d3f/PG47kMj5k\n"
    "sSfr/6lq3q7+vJrmO0uEX6aQmkRX4Fqs0sugxcJIDQKBgBkGZwp+mncCvmjvapD3\n"
    "RKX5Q1DZZtQqLTiCiglDzurz6pbcW6ir3JBWvMm/SS7DjKPyR5Qtr2ExpdiJHOsc\n"
    "T0jLzckS396rnITBs2hBLqjSJNXXgz4qD+jUItllMqpVpwKF/xP8VYiAa6Rk8ELE\n"
    "I5guhECiYbLo8k8AWtwQwzyd\n"
    "-----END PRIVATE KEY-----\n";
constexpr const char* kOcspKey =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDk3dVkms/79JOJ\n"
    "DRGtp9a63otYXIRKAmTff7EFaGgnliLqGUbCE4WcdRxLgcY0pmeh6siXtlTgo764\n"
    "PnaynXm+IlrlVem+EqHTPVRcq3mEvkRwHK2F+o97L8zp62zXrlP6NEygvc81sHY3\n"
    "n3z+5zhhPp+DrqfKry8lBErkJjigbI7I7qazIcfPCxQ4LVAdDXZEIrw7ow1LjPy+\n"
    "M0mHWJE1ZvdJlFhEBbEpeT4bun/IQ2kodSiSaiklfpzDbuUkrsvMoOQ83t5qHIzR\n"
    "MJdUls866tv6hyWrGqPYoq/hI9fDfwOQuo3d/FQUDMRgfVQ4vYd18Rzd01M6bzdn\n"
    "wF+Jt5StAgMBAAECggEAFQUv4oHajOpZe5q07zVtYjPq6fZzWwXNxH5KoLPGby5Z\n"
    "rhUcu9oFqUlTTDcS4IaRGZzCCDchpBE+BNeN2NlgU1996DbkFUZKUSe+nhVMv62n\n"
    "BQIJSPcqovaQtEJgeI3FHkOb7x6Hz8dRkEnIdfQAKGRTS8molRPSeWyjwUEmbctm\n"
    "MInA7dafC1xmMXnDpH7b0I/Waf3TZOOqGEXCH2QG3lWctXt+fBgWMxoJHuT86NYY\n"
    "ovaF4GCC5593huFGEnotbNfTDc57PhIXaWePYXFNX4Zy7Y2LinDUzFCofReTcjL+\n"
    "9AZlRF4JhoBGal+DYziVYYWx9dgU+CZc+jmqh2xr0QKBgQD8PIfAUZCRJimiH9xg\n"
    "bN/fXBBuDGir44OGEHdRpuNWXJVnOW6iFoZQbWVzY6uPVatenVZ183Fax79X+7UY\n"
    "n4rBnuQg5IcDxxvgSxIIW8RC1hvsNCI3l7bU6Fp6W/WlhaPahQado90r/2UDaZzD\n"
    "GsRBd/eXEJYHLmJBcdKWhgwlfQKBgQDoSAl71BErsAnr6CcJ+2n61auzySqmMJti\n"
    "q73YFEDdOPrxW4i756jwTExDNcXm5X0x9K8KnskIXyf2CAeA7ucej3YPm1kYkbMs\n"
    "ij75w+V+KgSUcPZ8VEvitXxkL77BPN6m5wF4HEuKma1RcZ9YqK02461aDsbWStUU\n"
    "0ASHLzOS8QKBgQC1eRs2C7jWJT3I7eFQ4qQDACq18mmQWYTz/H7MGSTwqnW3KYPm\n"
    "TAxgawSViz0QR9Oeo9Zj0D1a0eFhfK/jQk3DVfzNiX12A1eT/I7BwrwmVgMK4stH\n"
    "cfjRn0YRSH4ok0i63ABRhGaI1Bup498sI+LVM2nHnuBB1GZOrYSUVWcBxQKBgQDC\n"
    "fgcK2z/hX85+7G07y3sq35yctnVyoEKLdRhKBHNniN1+GNG93LS1OH2mzTC/LCsP\n"
    "GD003E2iJ+MS/BgkWmXFTgRh/wa0LtNjGQKwKdpQMKiTDp8k7YR4+NOGJABKV0hr\n"
    "YgP16WNLU3AvQL9XAi2/RxaQ0MynBBO1EJSqCNjbUQKBgDnlZGycfrlPKpA8qS36\n"
    "CVonkTUBfY2h9Y9vjJTrF5q5uw1I7xtSHSMoTqO6WR71nxDc4pfyDuBD2lXAj+Pr\n"
    "vGq1OBSSekrbpeJ6BNN0t9MeBLEmTEDLj5RHKivR4QNANJLh/QoUEzjDng4S7Zkx\n"
    "juNOy5ubKMRmFQ+qW4rz7CMS\n"
    "-----END PRIVATE KEY-----\n";

EvpPkeyPtr LoadKey(const char* pem) {
  BIO* bio = BIO_new_mem_buf(pem, -1);
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  return key;
}

struct Fixture {
  Fixture()
      : now(std::chrono::sys_days{std::chrono::year{2026} / 11 / 25}),
        clock(now),
        ca(ts::MakeCaWithKeys("Fuzz CA", now, LoadKey(kCaKey),
                              LoadKey(kOcspKey))),
        signer(ca.ocsp_key.get(), ca.ocsp_cert.get(), Bytes{}) {
    for (const char* serial : {"1001", "1002"}) {
      CertificateRecord record;
      record.serial = ts::SerialOf(serial);
      record.partition.municipality_code = "13221";
      (void)store.Put(record);
    }
    (void)store.Revoke(ts::SerialOf("1002"), RevocationReason::kKeyCompromise,
                       now - std::chrono::hours(1));
    OcspIssuer issuer{CaKind::kSignature, 1, ca.cert.get(), &signer};
    responder = std::make_unique<OcspResponder>(std::vector<OcspIssuer>{issuer},
                                                store, clock);
  }
  TimePoint now;
  FixedClock clock;
  ts::TestCa ca;
  ts::TestSigner signer;
  ts::MemoryStore store;
  std::unique_ptr<OcspResponder> responder;
};

Fixture& GetFixture() {
  static Fixture* fixture = new Fixture();
  return *fixture;
}

std::string Request(Fixture& f, std::initializer_list<const char*> serials,
                    bool nonce, const EVP_MD* md) {
  OCSP_REQUEST* request = OCSP_REQUEST_new();
  for (const char* serial : serials) {
    X509Ptr leaf = ts::IssueLeaf(f.ca, serial, f.now);
    OCSP_request_add0_id(request,
                         OCSP_cert_to_id(md, leaf.get(), f.ca.cert.get()));
  }
  if (nonce) OCSP_request_add1_nonce(request, nullptr, -1);
  unsigned char* out = nullptr;
  const int n = i2d_OCSP_REQUEST(request, &out);
  std::string der(reinterpret_cast<char*>(out), static_cast<std::size_t>(n));
  OPENSSL_free(out);
  OCSP_REQUEST_free(request);
  return der;
}

void WriteSeeds(Fixture& f, const std::string& dir) {
  auto write = [&](const std::string& name, char mode,
                   const std::string& body) {
    std::ofstream(dir + "/" + name, std::ios::binary) << mode << body;
  };
  const std::string good = Request(f, {"1001"}, false, EVP_sha1());
  write("post-good", 0, good);
  write("post-revoked", 0, Request(f, {"1002"}, false, EVP_sha1()));
  write("post-unknown", 0, Request(f, {"77"}, false, EVP_sha1()));
  write("post-nonce", 0, Request(f, {"1001"}, true, EVP_sha1()));
  write("post-sha256", 0, Request(f, {"1002"}, false, EVP_sha256()));
  write("post-two", 0, Request(f, {"1001", "1002"}, true, EVP_sha1()));
  write("get-good", 1, EncodeOcspGetPath(ToBytes(good)));
  write("get-plain", 1, "MEIwQDA+MDwwOjAJBgUrDgMCGgUABBQ=");
  write("garbage", 0, "\x30\x80\x00\x00");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  Fixture& f = GetFixture();
  static bool seeded = [&f] {
    if (const char* dir = std::getenv("OPENMYNA_FUZZ_WRITE_SEEDS")) {
      WriteSeeds(f, dir);
    }
    return true;
  }();
  (void)seeded;
  if (size == 0) return 0;
  OcspResponseDer answer;
  if (data[0] % 2 == 0) {
    answer = f.responder->Respond(ByteView(data + 1, size - 1));
  } else {
    const std::string_view segment(reinterpret_cast<const char*>(data + 1),
                                   size - 1);
    const auto der = DecodeOcspGetPath(segment);
    answer = f.responder->Respond(der ? ByteView(*der) : ByteView());
  }
  const unsigned char* p =
      reinterpret_cast<const unsigned char*>(answer->data());
  OCSP_RESPONSE* parsed =
      d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(answer->size()));
  if (parsed == nullptr) std::abort();  // we must always answer valid DER
  OCSP_RESPONSE_free(parsed);
  return 0;
}
