// The responder judged by OpenSSL's OCSP client code (in process): status,
// reason, time, signature, malformed/unauthorized, nonce policy, cache
// behaviour, the change counter. Over HTTP (`openssl ocsp`, curl, nginx):
// services/revocation and tests/ocsp.
#include "openmyna/pki/revocation/ocsp_responder.h"

#include <gtest/gtest.h>
#include <openssl/ocsp.h>

#include "ocsp_request_shape.h"
#include "testing/test_pki.h"

namespace openmyna::pki::revocation {
namespace {

using namespace std::chrono_literals;
namespace ts = test_support;

struct Parsed {
  int response_status = -1;
  bool verified = false;
  int cert_status = -99;
  int reason = -99;
  std::string revocation_time;
  std::string this_update;
  std::string next_update;
  int nonce_check = -99;  // OCSP_check_nonce: 1 equal, -1 only in request
  std::string raw;
};

std::string TimeText(const ASN1_GENERALIZEDTIME* t) {
  if (t == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(t)),
                     static_cast<std::size_t>(ASN1_STRING_length(t)));
}

class OcspResponderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    now_ = std::chrono::floor<std::chrono::seconds>(
        std::chrono::system_clock::now());
    clock_ = std::make_unique<FixedClock>(now_);
    ca_ = ts::MakeCa("OCSP test CA", now_, 0);
    other_ = ts::MakeCa("Some other CA", now_, 2);
    signer_ = std::make_unique<ts::TestSigner>(ca_.ocsp_key.get(),
                                               ca_.ocsp_cert.get(), Bytes{});
    for (const char* serial : {"1001", "1002", "1003"}) {
      leaves_[serial] = ts::IssueLeaf(ca_, serial, now_);
      CertificateRecord record;
      record.serial = ts::SerialOf(serial);
      record.partition.ca = CaKind::kSignature;
      record.partition.generation = 1;
      record.partition.municipality_code = "13221";
      ASSERT_TRUE(store_.Put(record));
    }
    revoked_at_ = now_ - 90min;
    ASSERT_TRUE(store_.Revoke(ts::SerialOf("1002"),
                              RevocationReason::kKeyCompromise, revoked_at_));
    leaves_["9999"] = ts::IssueLeaf(ca_, "9999", now_);  // not in the store
    responder_ = MakeResponder({});
  }

  std::unique_ptr<OcspResponder> MakeResponder(OcspOptions options) {
    OcspIssuer issuer;
    issuer.ca = CaKind::kSignature;
    issuer.generation = 1;
    issuer.ca_certificate = ca_.cert.get();
    issuer.responder = signer_.get();
    options.validity = 24h;
    options.refresh_before = 6h;
    return std::make_unique<OcspResponder>(std::vector<OcspIssuer>{issuer},
                                           store_, *clock_, options);
  }

  // An OCSPRequest made by OpenSSL's client API.
  Bytes Request(const std::string& serial, bool nonce = false,
                const EVP_MD* md = EVP_sha1(), X509* issuer = nullptr) {
    OCSP_REQUEST* request = OCSP_REQUEST_new();
    OCSP_CERTID* id = OCSP_cert_to_id(md, leaves_.at(serial).get(),
                                      issuer ? issuer : ca_.cert.get());
    OCSP_request_add0_id(request, id);
    if (nonce) OCSP_request_add1_nonce(request, nullptr, -1);
    unsigned char* out = nullptr;
    const int n = i2d_OCSP_REQUEST(request, &out);
    Bytes der(out, out + n);
    OPENSSL_free(out);
    OCSP_REQUEST_free(request);
    return der;
  }

  Parsed Parse(const std::string& der, const std::string& serial,
               const Bytes& request_der = {}, const EVP_MD* md = EVP_sha1()) {
    Parsed parsed;
    parsed.raw = der;
    const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
    OCSP_RESPONSE* response =
        d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(der.size()));
    if (response == nullptr) return parsed;
    parsed.response_status = OCSP_response_status(response);
    OCSP_BASICRESP* basic = OCSP_response_get1_basic(response);
    if (basic != nullptr) {
      X509_STORE* trust = X509_STORE_new();
      X509_STORE_add_cert(trust, ca_.cert.get());
      parsed.verified = OCSP_basic_verify(basic, nullptr, trust, 0) == 1;
      X509_STORE_free(trust);
      OCSP_CERTID* id =
          OCSP_cert_to_id(md, leaves_.at(serial).get(), ca_.cert.get());
      ASN1_GENERALIZEDTIME *rev = nullptr, *thisupd = nullptr,
                           *nextupd = nullptr;
      if (OCSP_resp_find_status(basic, id, &parsed.cert_status, &parsed.reason,
                                &rev, &thisupd, &nextupd) == 1) {
        parsed.revocation_time = TimeText(rev);
        parsed.this_update = TimeText(thisupd);
        parsed.next_update = TimeText(nextupd);
      }
      OCSP_CERTID_free(id);
      if (!request_der.empty()) {
        const unsigned char* q = request_der.data();
        OCSP_REQUEST* request = d2i_OCSP_REQUEST(
            nullptr, &q, static_cast<long>(request_der.size()));
        parsed.nonce_check = OCSP_check_nonce(request, basic);
        OCSP_REQUEST_free(request);
      }
      OCSP_BASICRESP_free(basic);
    }
    OCSP_RESPONSE_free(response);
    return parsed;
  }

  Parsed Ask(const std::string& serial, bool nonce = false) {
    const Bytes request = Request(serial, nonce);
    return Parse(*responder_->Respond(request), serial, request);
  }

  static std::string Generalized(TimePoint t) {
    const std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y%m%d%H%M%SZ", &tm);
    return buffer;
  }

  TimePoint now_;
  TimePoint revoked_at_;
  std::unique_ptr<FixedClock> clock_;
  ts::TestCa ca_;
  ts::TestCa other_;
  std::unique_ptr<ts::TestSigner> signer_;
  ts::MemoryStore store_;
  std::map<std::string, X509Ptr> leaves_;
  std::unique_ptr<OcspResponder> responder_;
};

TEST_F(OcspResponderTest, GoodRevokedUnknownWithVerifiedSignature) {
  Parsed good = Ask("1001");
  EXPECT_EQ(good.response_status, OCSP_RESPONSE_STATUS_SUCCESSFUL);
  EXPECT_TRUE(good.verified);
  EXPECT_EQ(good.cert_status, V_OCSP_CERTSTATUS_GOOD);
  EXPECT_EQ(good.this_update, Generalized(now_));
  EXPECT_EQ(good.next_update, Generalized(now_ + 24h));

  Parsed revoked = Ask("1002");
  EXPECT_TRUE(revoked.verified);
  EXPECT_EQ(revoked.cert_status, V_OCSP_CERTSTATUS_REVOKED);
  EXPECT_EQ(revoked.reason, OCSP_REVOKED_STATUS_KEYCOMPROMISE);
  EXPECT_EQ(revoked.revocation_time, Generalized(revoked_at_));

  Parsed unknown = Ask("9999");
  EXPECT_TRUE(unknown.verified);
  EXPECT_EQ(unknown.cert_status, V_OCSP_CERTSTATUS_UNKNOWN);
}

TEST_F(OcspResponderTest, Sha256CertIdsAreAnsweredToo) {
  const Bytes request = Request("1002", false, EVP_sha256());
  Parsed parsed =
      Parse(*responder_->Respond(request), "1002", request, EVP_sha256());
  EXPECT_TRUE(parsed.verified);
  EXPECT_EQ(parsed.cert_status, V_OCSP_CERTSTATUS_REVOKED);
}

TEST_F(OcspResponderTest, GarbageIsMalformedRequest) {
  for (const std::string& garbage :
       {std::string(), std::string("hello"), std::string("\x30\x00", 2),
        std::string("\x30\x03\x02\x01\x05", 5)}) {
    const auto* data = reinterpret_cast<const std::uint8_t*>(garbage.data());
    Parsed parsed =
        Parse(*responder_->Respond(ByteView(data, garbage.size())), "1001");
    EXPECT_EQ(parsed.response_status, OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
  }
  // Trailing bytes after a valid request are malformed as well.
  Bytes request = Request("1001");
  request.push_back(0);
  EXPECT_EQ(Parse(*responder_->Respond(request), "1001").response_status,
            OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
  EXPECT_EQ(responder_->stats().malformed, 5u);
}

TEST_F(OcspResponderTest, ForeignIssuerIsUnauthorized) {
  leaves_["1001x"] = ts::IssueLeaf(other_, "1001", now_);
  const Bytes request = Request("1001x", false, EVP_sha1(), other_.cert.get());
  EXPECT_EQ(Parse(*responder_->Respond(request), "1001x").response_status,
            OCSP_RESPONSE_STATUS_UNAUTHORIZED);
}

TEST_F(OcspResponderTest, SecondRequestIsServedFromTheCache) {
  const Bytes request = Request("1001");
  const auto first = responder_->Respond(request);
  const auto second = responder_->Respond(request);
  EXPECT_EQ(*first, *second);
  const OcspStats stats = responder_->stats();
  EXPECT_EQ(stats.live_signatures, 1u);
  EXPECT_EQ(stats.cache_hits, 1u);
}

TEST_F(OcspResponderTest, NonceIgnoredByDefaultAndAnsweredFromCache) {
  Ask("1001");
  Parsed with_nonce = Ask("1001", /*nonce=*/true);
  EXPECT_TRUE(with_nonce.verified);
  EXPECT_EQ(with_nonce.cert_status, V_OCSP_CERTSTATUS_GOOD);
  EXPECT_EQ(with_nonce.nonce_check, -1);  // nonce in request only
  EXPECT_EQ(responder_->stats().cache_hits, 1u);
}

TEST_F(OcspResponderTest, NonceEchoPolicySignsLive) {
  OcspOptions options;
  options.nonce = NoncePolicy::kEcho;
  responder_ = MakeResponder(options);
  Parsed a = Ask("1001", true);
  Parsed b = Ask("1001", true);
  EXPECT_TRUE(a.verified);
  EXPECT_EQ(a.nonce_check, 1);
  EXPECT_EQ(b.nonce_check, 1);
  EXPECT_NE(a.raw, b.raw);
  EXPECT_EQ(responder_->stats().live_signatures, 2u);
  EXPECT_EQ(responder_->stats().cache_hits, 0u);
}

TEST_F(OcspResponderTest, RevocationReachesCachedResponses) {
  EXPECT_EQ(Ask("1001").cert_status, V_OCSP_CERTSTATUS_GOOD);
  EXPECT_EQ(Ask("1003").cert_status, V_OCSP_CERTSTATUS_GOOD);
  // Revoked through the store by someone else: SyncRevocations notices.
  ASSERT_TRUE(store_.Revoke(ts::SerialOf("1001"),
                            RevocationReason::kCertificateHold, now_));
  auto changed = responder_->SyncRevocations();
  ASSERT_TRUE(changed);
  EXPECT_EQ(*changed, 1u);
  Parsed held = Ask("1001");
  EXPECT_EQ(held.cert_status, V_OCSP_CERTSTATUS_REVOKED);
  EXPECT_EQ(held.reason, OCSP_REVOKED_STATUS_CERTIFICATEHOLD);
  // Revoked in process: Invalidate drops the cached "good".
  ASSERT_TRUE(store_.Revoke(ts::SerialOf("1003"),
                            RevocationReason::kAffiliationChanged, now_));
  responder_->Invalidate(ts::SerialOf("1003"));
  Parsed changed_address = Ask("1003");
  EXPECT_EQ(changed_address.cert_status, V_OCSP_CERTSTATUS_REVOKED);
  EXPECT_EQ(changed_address.reason, OCSP_REVOKED_STATUS_AFFILIATIONCHANGED);
}

TEST_F(OcspResponderTest, RefreshResignsBeforeNextUpdateAndStaleIsNeverServed) {
  Ask("1001");
  clock_->Advance(17h);  // 7 h left > 6 h: not yet due
  EXPECT_EQ(responder_->Refresh(), 0u);
  clock_->Advance(2h);  // 5 h left: due
  EXPECT_EQ(responder_->Refresh(), 1u);
  Parsed refreshed = Ask("1001");
  EXPECT_EQ(refreshed.this_update, Generalized(now_ + 19h));
  // Without Refresh, an entry past its nextUpdate is re-signed on request.
  clock_->Advance(25h);
  Parsed late = Ask("1001");
  EXPECT_EQ(late.this_update, Generalized(now_ + 44h));
}

// The fast path recognises exactly the shape OpenSSL's client makes
// without a nonce; with a nonce (an extension) or a second CertID it
// declines, and the general path answers.
TEST_F(OcspResponderTest, SimpleRequestShapeIsWhatOpensslSendsWithoutNonce) {
  const Bytes plain = Request("1002");
  auto simple = internal::ParseSimpleOcspRequest(plain);
  ASSERT_TRUE(simple);
  // The serial, as OpenSSL parses the same request.
  const unsigned char* p = plain.data();
  OCSP_REQUEST* request =
      d2i_OCSP_REQUEST(nullptr, &p, static_cast<long>(plain.size()));
  ASSERT_NE(request, nullptr);
  ASN1_INTEGER* serial = nullptr;
  OCSP_id_get0_info(nullptr, nullptr, nullptr, &serial,
                    OCSP_onereq_get0_id(OCSP_request_onereq_get0(request, 0)));
  EXPECT_EQ(Bytes(simple->serial.begin(), simple->serial.end()),
            Bytes(ASN1_STRING_get0_data(serial),
                  ASN1_STRING_get0_data(serial) + ASN1_STRING_length(serial)));
  OCSP_REQUEST_free(request);
  EXPECT_FALSE(internal::ParseSimpleOcspRequest(Request("1002", true)));
  Bytes truncated = plain;
  truncated.pop_back();
  EXPECT_FALSE(internal::ParseSimpleOcspRequest(truncated));
  Bytes trailing = plain;
  trailing.push_back(0);
  EXPECT_FALSE(internal::ParseSimpleOcspRequest(trailing));
}

TEST_F(OcspResponderTest, WarmPresignsEveryCertificate) {
  auto warmed = responder_->Warm();
  ASSERT_TRUE(warmed);
  EXPECT_EQ(*warmed, 3u);
  EXPECT_EQ(Ask("1002").cert_status, V_OCSP_CERTSTATUS_REVOKED);
  EXPECT_EQ(Ask("1001").cert_status, V_OCSP_CERTSTATUS_GOOD);
  EXPECT_EQ(responder_->stats().live_signatures, 0u);
  EXPECT_EQ(responder_->stats().cache_hits, 2u);
}

TEST(OcspGetPathTest, DecodesRfc6960AppendixAForm) {
  EXPECT_EQ(DecodeOcspGetPath("MEIw"), (Bytes{0x30, 0x42, 0x30}));
  EXPECT_EQ(DecodeOcspGetPath("MA%3D%3D"), (Bytes{0x30}));
  EXPECT_EQ(DecodeOcspGetPath("MAA%3D"), (Bytes{0x30, 0x00}));
  EXPECT_EQ(DecodeOcspGetPath("+/8="), (Bytes{0xfb, 0xff}));
  EXPECT_FALSE(DecodeOcspGetPath(""));
  EXPECT_FALSE(DecodeOcspGetPath("MEI"));
  EXPECT_FALSE(DecodeOcspGetPath("ME=w"));
  EXPECT_FALSE(DecodeOcspGetPath("M*Iw"));
  EXPECT_FALSE(DecodeOcspGetPath("%zz%3D"));
}

// RFC 4648 §10's vectors, then the three characters a path cannot carry
// as they are (RFC 3986 §2.1: %2B, %2F, %3D).
TEST(OcspGetPathTest, EncodesRfc6960AppendixAForm) {
  auto bytes = [](std::string_view s) { return Bytes(s.begin(), s.end()); };
  EXPECT_EQ(EncodeOcspGetPath(bytes("f")), "Zg%3D%3D");
  EXPECT_EQ(EncodeOcspGetPath(bytes("fo")), "Zm8%3D");
  EXPECT_EQ(EncodeOcspGetPath(bytes("foo")), "Zm9v");
  EXPECT_EQ(EncodeOcspGetPath(bytes("foobar")), "Zm9vYmFy");
  EXPECT_EQ(EncodeOcspGetPath(Bytes{0xfb, 0xff}), "%2B%2F8%3D");
  const Bytes der{0x30, 0x42, 0x30, 0x40, 0xfb, 0xef, 0xff};
  EXPECT_EQ(DecodeOcspGetPath(EncodeOcspGetPath(der)), der);
}

}  // namespace
}  // namespace openmyna::pki::revocation
