// The HTTP side of OCSP and CRLs on a real sandbox (made by the pki
// ceremony, as `openmyna init`): routes, caching headers (RFC 5019 §6.2,
// RFC 9111), conditional requests answered 304, and a revocation through
// another store connection changing the answer and its validators. The
// answers are judged by OpenSSL's OCSP and CRL code, not by ours.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>

#include "openmyna/base/rng.h"
#include "openmyna/pki/certificate_authority.h"
#include "openmyna/pki/names.h"
#include "openmyna/pki/sandbox.h"
#include "openmyna/services/http_caching.h"
#include "openmyna/services/revocation.h"
#include "testing/pki_fixture.h"

namespace openmyna::services {
namespace {

using namespace std::chrono_literals;
namespace pt = pki::testing;

std::string HeaderOf(const http::Response& response, const std::string& name) {
  for (const auto& h : response.headers) {
    if (h.name == name) return h.value;
  }
  return {};
}

// RFC 6960 Appendix A.1: base64 (OpenSSL's encoder), then url-encoded.
std::string Base64Url(const Bytes& der) {
  std::string b64(4 * ((der.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()),
                                der.data(), static_cast<int>(der.size()));
  b64.resize(static_cast<std::size_t>(n));
  std::string out;
  for (char c : b64) {
    if (c == '+') {
      out += "%2B";
    } else if (c == '/') {
      out += "%2F";
    } else if (c == '=') {
      out += "%3D";
    } else {
      out += c;
    }
  }
  return out;
}

class RevocationServiceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = pt::TempDir("revocation-service");
    clock_ = new FixedClock(pt::FixtureNow());
    pki::SandboxOptions options;
    auto outcome = pki::Sandbox::Init(dir_, options, *clock_, rng_);
    ASSERT_TRUE(outcome) << outcome.error();
    sandbox_ = new pki::Sandbox(std::move(outcome->sandbox));
    auto store = sandbox_->OpenStore();
    ASSERT_TRUE(store) << store.error();
    pki::CertificateAuthority ca(*sandbox_, **store, rng_);
    for (int i = 0; i < 2; ++i) {
      auto issued = ca.Issue(pt::SignatureRequest(i));
      ASSERT_TRUE(issued) << issued.error();
      serials_.push_back(issued->serial);
      leaves_.push_back(pt::ParseDer(issued->der));
    }
  }
  static void TearDownTestSuite() {
    delete sandbox_;
    delete clock_;
  }

  void SetUp() override {
    clock_->Set(pt::FixtureNow() + 1h);
    RevocationServiceOptions options;
    options.warm_ocsp = false;
    options.cache_max_age = 60s;
    options.max_ocsp_request_bytes = 1024;
    auto service = RevocationService::Open(dir_, *clock_, options);
    ASSERT_TRUE(service) << service.error();
    service_ = std::move(*service);
    ASSERT_TRUE(service_->AddRoutes(router_));
    ASSERT_TRUE(service_->SyncNow());  // publishes the CRLs
  }

  static X509* Root() {
    static pki::X509Ptr root = [] {
      auto signer = sandbox_->CaSigner(pki::CaKind::kSignature, 1);
      EXPECT_TRUE(signer);
      return pki::X509Ptr(X509_dup((*signer)->certificate()));
    }();
    return root.get();
  }

  static Bytes OcspRequest(int leaf) {
    OCSP_REQUEST* request = OCSP_REQUEST_new();
    OCSP_request_add0_id(
        request, OCSP_cert_to_id(EVP_sha1(), leaves_[leaf].get(), Root()));
    unsigned char* out = nullptr;
    const int n = i2d_OCSP_REQUEST(request, &out);
    Bytes der(out, out + n);
    OPENSSL_free(out);
    OCSP_REQUEST_free(request);
    return der;
  }

  http::Response Dispatch(std::string method, std::string path,
                          std::vector<http::Header> headers = {},
                          std::string body = {}) {
    http::Request request;
    request.method = std::move(method);
    request.path = request.target = std::move(path);
    request.headers = std::move(headers);
    request.body = std::move(body);
    return router_.Dispatch(request);
  }
  http::Response GetOcsp(int leaf, std::vector<http::Header> headers = {}) {
    return Dispatch("GET", "/ocsp/sign/" + Base64Url(OcspRequest(leaf)),
                    std::move(headers));
  }

  // OpenSSL's reading of a response: status and thisUpdate as an HTTP date.
  struct ReadOut {
    int status = -1;
    std::string this_update;
  };
  static ReadOut Read(const std::string& der, int leaf) {
    ReadOut out;
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    OCSP_RESPONSE* response =
        d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(der.size()));
    if (response == nullptr) return out;
    OCSP_BASICRESP* basic = OCSP_response_get1_basic(response);
    OCSP_CERTID* id = OCSP_cert_to_id(EVP_sha1(), leaves_[leaf].get(), Root());
    ASN1_GENERALIZEDTIME *rev = nullptr, *thisupd = nullptr, *next = nullptr;
    int reason = -1;
    if (basic && OCSP_resp_find_status(basic, id, &out.status, &reason, &rev,
                                       &thisupd, &next) == 1) {
      std::tm tm{};
      ASN1_TIME_to_tm(thisupd, &tm);
      char buffer[40];
      std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S GMT", &tm);
      out.this_update = buffer;
    }
    OCSP_CERTID_free(id);
    OCSP_BASICRESP_free(basic);
    OCSP_RESPONSE_free(response);
    return out;
  }

  static inline std::filesystem::path dir_;
  static inline FixedClock* clock_ = nullptr;
  static inline OpenSslRng rng_;
  static inline pki::Sandbox* sandbox_ = nullptr;
  static inline std::vector<pki::Serial> serials_;
  static inline std::vector<pki::X509Ptr> leaves_;
  http::Router router_;
  std::unique_ptr<RevocationService> service_;
};

TEST_F(RevocationServiceTest, OcspGetCarriesCachingHeadersAndAnswers304) {
  const http::Response first = GetOcsp(0);
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(first.content_type, "application/ocsp-response");
  const ReadOut read = Read(first.body, 0);
  EXPECT_EQ(read.status, V_OCSP_CERTSTATUS_GOOD);
  // RFC 5019 §6.2: Last-Modified is when the response was produced.
  EXPECT_EQ(HeaderOf(first, "Last-Modified"), read.this_update);
  EXPECT_EQ(HeaderOf(first, "Cache-Control"),
            "max-age=60, public, no-transform, must-revalidate");
  EXPECT_EQ(HeaderOf(first, "Expires"), FormatHttpDate(clock_->Now() + 60s));
  const std::string etag = HeaderOf(first, "ETag");
  ASSERT_FALSE(etag.empty());
  // The same bytes again (from the pre-signed cache), the same validators.
  const http::Response again = GetOcsp(0);
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(HeaderOf(again, "ETag"), etag);
  // Conditional requests: 304 without a body, with the validators.
  const http::Response by_tag = GetOcsp(0, {{"If-None-Match", etag}});
  EXPECT_EQ(by_tag.status, 304);
  EXPECT_TRUE(by_tag.body.empty());
  EXPECT_EQ(HeaderOf(by_tag, "ETag"), etag);
  EXPECT_FALSE(HeaderOf(by_tag, "Cache-Control").empty());
  const http::Response by_date =
      GetOcsp(0, {{"If-Modified-Since", HeaderOf(first, "Last-Modified")}});
  EXPECT_EQ(by_date.status, 304);
  EXPECT_EQ(GetOcsp(0, {{"If-None-Match", "\"other\""}}).status, 200);
  // POST answers are not for caches (RFC 5019 §5): no freshness headers.
  const Bytes request = OcspRequest(0);
  const http::Response post = Dispatch(
      "POST", "/ocsp/sign", {}, std::string(request.begin(), request.end()));
  EXPECT_EQ(post.status, 200);
  EXPECT_EQ(Read(post.body, 0).status, V_OCSP_CERTSTATUS_GOOD);
  EXPECT_TRUE(HeaderOf(post, "Cache-Control").empty());
}

TEST_F(RevocationServiceTest, MaxAgeNeverReachesBeyondNextUpdate) {
  ASSERT_EQ(GetOcsp(1).status, 200);  // signed now: nextUpdate now + 24 h
  clock_->Advance(24h - 25s);
  const http::Response late = GetOcsp(1);
  EXPECT_EQ(Read(late.body, 1).status, V_OCSP_CERTSTATUS_GOOD);
  EXPECT_EQ(HeaderOf(late, "Cache-Control"),
            "max-age=25, public, no-transform, must-revalidate");
}

TEST_F(RevocationServiceTest, ErrorsAreNotStoredAndLimitsHold) {
  const http::Response malformed = Dispatch("GET", "/ocsp/sign/not*base64");
  EXPECT_EQ(malformed.status, 200);
  EXPECT_EQ(malformed.body, std::string("\x30\x03\x0a\x01\x01", 5));
  EXPECT_EQ(HeaderOf(malformed, "Cache-Control"), "no-store");
  EXPECT_EQ(Dispatch("POST", "/ocsp/sign", {}, std::string(1025, '0')).status,
            413);
  EXPECT_EQ(Dispatch("GET", "/ocsp/auth/" + std::string(4097, 'A')).status,
            414);
  EXPECT_EQ(Dispatch("GET", "/crl/sign/g1/99999.crl").status, 404);
}

// Runs last in the suite (name order is declaration order): it revokes.
TEST_F(RevocationServiceTest, ZRevocationChangesAnswerValidatorsAndCrl) {
  const std::string crl_path =
      pki::CrlPath(pki::CaKind::kSignature, 1, "13221");
  const http::Response crl = Dispatch("GET", crl_path);
  ASSERT_EQ(crl.status, 200);
  EXPECT_EQ(crl.content_type, "application/pkix-crl");
  const auto* p = reinterpret_cast<const unsigned char*>(crl.body.data());
  X509_CRL* parsed =
      d2i_X509_CRL(nullptr, &p, static_cast<long>(crl.body.size()));
  ASSERT_NE(parsed, nullptr);
  std::tm tm{};
  ASN1_TIME_to_tm(X509_CRL_get0_lastUpdate(parsed), &tm);
  char last_update[40];
  std::strftime(last_update, sizeof last_update, "%a, %d %b %Y %H:%M:%S GMT",
                &tm);
  EXPECT_EQ(X509_CRL_get_REVOKED(parsed), nullptr);  // no entry yet
  X509_CRL_free(parsed);
  EXPECT_EQ(HeaderOf(crl, "Last-Modified"), last_update);
  EXPECT_EQ(HeaderOf(crl, "Cache-Control"),
            "max-age=60, public, no-transform, must-revalidate");
  const std::string crl_tag = HeaderOf(crl, "ETag");
  EXPECT_EQ(Dispatch("GET", crl_path, {{"If-None-Match", crl_tag}}).status,
            304);

  const http::Response good = GetOcsp(0);
  const std::string ocsp_tag = HeaderOf(good, "ETag");
  clock_->Advance(5s);
  // Revoked through another connection to the store (as `ca revoke`).
  auto store = sandbox_->OpenStore();
  ASSERT_TRUE(store);
  ASSERT_TRUE((*store)->Revoke(
      serials_[0], pki::RevocationReason::kKeyCompromise, clock_->Now()));
  ASSERT_TRUE(service_->SyncNow());
  const http::Response revoked = GetOcsp(0, {{"If-None-Match", ocsp_tag}});
  EXPECT_EQ(revoked.status, 200);  // the cache's copy is no longer current
  EXPECT_EQ(Read(revoked.body, 0).status, V_OCSP_CERTSTATUS_REVOKED);
  EXPECT_NE(HeaderOf(revoked, "ETag"), ocsp_tag);
  // Served from the cache of signed answers (signed by the sync, not live).
  EXPECT_EQ(service_->ocsp()->stats().live_signatures, 1u);

  const http::Response new_crl =
      Dispatch("GET", crl_path, {{"If-None-Match", crl_tag}});
  ASSERT_EQ(new_crl.status, 200);
  EXPECT_NE(HeaderOf(new_crl, "ETag"), crl_tag);
  p = reinterpret_cast<const unsigned char*>(new_crl.body.data());
  parsed = d2i_X509_CRL(nullptr, &p, static_cast<long>(new_crl.body.size()));
  ASSERT_NE(parsed, nullptr);
  ASSERT_EQ(sk_X509_REVOKED_num(X509_CRL_get_REVOKED(parsed)), 1);
  const ASN1_INTEGER* serial = X509_REVOKED_get0_serialNumber(
      sk_X509_REVOKED_value(X509_CRL_get_REVOKED(parsed), 0));
  EXPECT_EQ(ASN1_INTEGER_cmp(serial, X509_get0_serialNumber(leaves_[0].get())),
            0);
  X509_CRL_free(parsed);
}

}  // namespace
}  // namespace openmyna::services
