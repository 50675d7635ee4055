// How long a revocation takes to reach the OCSP answers and the CRL of a
// running `openmyna serve` (issue 13 item 3: OCSP within 1 s, CRL within
// 5 s at p99 under load), and what finding it costs.
//
//   revocation_latency_probe DIR PORT SAMPLES
//
// DIR is a sandbox (bench/ocsp/revocation_bench_setup) served on PORT by
// another process. For each of SAMPLES good certificates of the signature
// CA (partition 13221) it revokes the certificate through its own store
// connection (as `openmyna ca revoke`, another process), takes the time
// after the commit, and polls over HTTP every 10 ms:
//   - GET /ocsp/sign/<base64 request> until OpenSSL reads "revoked";
//   - GET /crl/sign/g1/13221.crl (If-None-Match: 304s are cheap) until
//     OpenSSL finds the serial in the CRL.
// Prints the delays (p50, p99, max) and, as the baseline on the same data,
// the cost of one round of change detection: the store's change counter
// (one indexed MAX) beside the old way, a walk of every revoked entry of
// the partition (ForEachRevoked), medians of repeated runs.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "openmyna/pki/certificate_store.h"
#include "openmyna/pki/revocation/ocsp_responder.h"
#include "openmyna/pki/sandbox.h"
#include "openmyna/pki/signer.h"

using namespace openmyna;
using namespace openmyna::pki;
using Steady = std::chrono::steady_clock;

namespace {

struct HttpReply {
  int status = 0;
  std::string etag;
  std::string body;
};

// One HTTP/1.1 GET on a fresh connection (Connection: close).
HttpReply Get(int port, const std::string& path, const std::string& etag) {
  HttpReply reply;
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return reply;
  }
  std::string request =
      "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  if (!etag.empty()) request += "If-None-Match: " + etag + "\r\n";
  request += "\r\n";
  (void)!write(fd, request.data(), request.size());
  std::string raw;
  char buffer[65536];
  ssize_t n;
  while ((n = read(fd, buffer, sizeof buffer)) > 0) raw.append(buffer, n);
  close(fd);
  const auto end = raw.find("\r\n\r\n");
  if (end == std::string::npos || raw.size() < 12) return reply;
  reply.status = std::atoi(raw.c_str() + 9);
  const std::string head = raw.substr(0, end);
  const auto tag = head.find("\r\nETag: ");
  if (tag != std::string::npos) {
    const auto eol = head.find("\r\n", tag + 2);
    reply.etag = head.substr(tag + 8, eol - tag - 8);
  }
  reply.body = raw.substr(end + 4);
  return reply;
}

std::string GetPath(X509* issuer, const Serial& serial) {
  ASN1_INTEGER* number = ASN1_INTEGER_new();
  BIGNUM* bn = BN_bin2bn(serial.bytes.data(),
                         static_cast<int>(serial.bytes.size()), nullptr);
  BN_to_ASN1_INTEGER(bn, number);
  BN_free(bn);
  OCSP_CERTID* id = OCSP_cert_id_new(EVP_sha1(), X509_get_subject_name(issuer),
                                     X509_get0_pubkey_bitstr(issuer), number);
  ASN1_INTEGER_free(number);
  OCSP_REQUEST* request = OCSP_REQUEST_new();
  OCSP_request_add0_id(request, id);
  unsigned char* der = nullptr;
  const int n = i2d_OCSP_REQUEST(request, &der);
  OCSP_REQUEST_free(request);
  std::string path = "/ocsp/sign/" + revocation::EncodeOcspGetPath(ByteView(
                                         der, static_cast<std::size_t>(n)));
  OPENSSL_free(der);
  return path;
}

bool OcspSaysRevoked(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  OCSP_RESPONSE* response =
      d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(der.size()));
  if (response == nullptr) return false;
  OCSP_BASICRESP* basic = OCSP_response_get1_basic(response);
  bool revoked = false;
  if (basic != nullptr && OCSP_resp_count(basic) == 1) {
    int reason = -1;
    revoked =
        OCSP_single_get0_status(OCSP_resp_get0(basic, 0), &reason, nullptr,
                                nullptr, nullptr) == V_OCSP_CERTSTATUS_REVOKED;
  }
  OCSP_BASICRESP_free(basic);
  OCSP_RESPONSE_free(response);
  return revoked;
}

bool CrlLists(const std::string& der, const Serial& serial) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  X509_CRL* crl = d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size()));
  if (crl == nullptr) return false;
  ASN1_INTEGER* number = ASN1_INTEGER_new();
  BIGNUM* bn = BN_bin2bn(serial.bytes.data(),
                         static_cast<int>(serial.bytes.size()), nullptr);
  BN_to_ASN1_INTEGER(bn, number);
  BN_free(bn);
  X509_REVOKED* entry = nullptr;
  const bool found = X509_CRL_get0_by_serial(crl, &entry, number) == 1;
  ASN1_INTEGER_free(number);
  X509_CRL_free(crl);
  return found;
}

double Percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t k =
      std::min(v.size() - 1,
               static_cast<std::size_t>(q * static_cast<double>(v.size())));
  return v[k];
}

double Ms(Steady::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: revocation_latency_probe DIR PORT SAMPLES\n");
    return 2;
  }
  const int port = std::stoi(argv[2]);
  const int samples = std::stoi(argv[3]);
  auto sandbox = Sandbox::Open(argv[1]);
  if (!sandbox) {
    std::fprintf(stderr, "%s\n", sandbox.error().ToString().c_str());
    return 1;
  }
  auto store = sandbox->OpenStore();
  auto ca = sandbox->CaSigner(CaKind::kSignature, 1);
  if (!store || !ca) return 1;
  X509* issuer = (*ca)->certificate();
  std::vector<Serial> good;
  (void)(*store)->ForEachStatus(CaKind::kSignature, [&](const auto& e) {
    if (e.status.kind == CertificateStatus::Kind::kGood)
      good.push_back(e.serial);
    return static_cast<int>(good.size()) < samples;
  });
  CrlPartition partition;
  partition.ca = CaKind::kSignature;
  partition.generation = 1;
  partition.municipality_code = "13221";

  // The baseline: one round of change detection, old and new.
  std::vector<double> counter_ms, walk_ms;
  std::uint64_t entries = 0;
  for (int i = 0; i < 200; ++i) {
    const auto t = Steady::now();
    (void)(*store)->RevocationSequence();
    counter_ms.push_back(Ms(Steady::now() - t));
  }
  for (int i = 0; i < 5; ++i) {
    entries = 0;
    const auto t = Steady::now();
    (void)(*store)->ForEachRevoked(partition, [&](const RevokedEntry&) {
      ++entries;
      return true;
    });
    walk_ms.push_back(Ms(Steady::now() - t));
  }

  const std::string crl_path = "/crl/sign/g1/13221.crl";
  HttpReply crl = Get(port, crl_path, "");
  std::vector<double> ocsp_delays, crl_delays;
  int timeouts = 0;
  for (const Serial& serial : good) {
    const std::string ocsp_path = GetPath(issuer, serial);
    if (!(*store)->Revoke(serial, RevocationReason::kKeyCompromise,
                          std::chrono::floor<std::chrono::seconds>(
                              std::chrono::system_clock::now()) -
                              std::chrono::seconds(1))) {
      continue;
    }
    const auto t0 = Steady::now();
    std::optional<double> ocsp_at, crl_at;
    while ((!ocsp_at || !crl_at) &&
           Steady::now() - t0 < std::chrono::seconds(60)) {
      if (!ocsp_at) {
        const HttpReply r = Get(port, ocsp_path, "");
        if (r.status == 200 && OcspSaysRevoked(r.body)) {
          ocsp_at = Ms(Steady::now() - t0);
        }
      }
      if (!crl_at) {
        HttpReply r = Get(port, crl_path, crl.etag);
        if (r.status == 200) {
          crl = std::move(r);
          if (CrlLists(crl.body, serial)) crl_at = Ms(Steady::now() - t0);
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (!ocsp_at || !crl_at) ++timeouts;
    if (ocsp_at) ocsp_delays.push_back(*ocsp_at);
    if (crl_at) crl_delays.push_back(*crl_at);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::printf(
      "revocation -> OCSP answer: n=%zu p50_ms=%.0f p99_ms=%.0f max_ms=%.0f\n",
      ocsp_delays.size(), Percentile(ocsp_delays, 0.5),
      Percentile(ocsp_delays, 0.99), Percentile(ocsp_delays, 1.0));
  std::printf(
      "revocation -> CRL: n=%zu p50_ms=%.0f p99_ms=%.0f max_ms=%.0f "
      "(CRL of %zu bytes)\n",
      crl_delays.size(), Percentile(crl_delays, 0.5),
      Percentile(crl_delays, 0.99), Percentile(crl_delays, 1.0),
      crl.body.size());
  std::printf("timeouts=%d\n", timeouts);
  const double counter = Percentile(counter_ms, 0.5);
  const double walk = Percentile(walk_ms, 0.5);
  std::printf(
      "change detection per round: counter %.3f ms, walk of %llu revoked "
      "entries (old way) %.1f ms: ratio %.0fx\n",
      counter, static_cast<unsigned long long>(entries), walk,
      counter > 0 ? walk / counter : 0.0);
  return timeouts == 0 ? 0 : 1;
}
