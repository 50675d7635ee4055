// A loopback OCSP responder for relying-party tests (testing only, target
// openmyna_pki_ocsp_testing): an http::Server on a kernel-chosen port that
// answers every POST to /ocsp/auth with the DER the test set (e.g. a
// pki::testing::OcspResponse), and counts the requests.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "openmyna/base/bytes.h"
#include "openmyna/base/result.h"
#include "openmyna/http/server.h"

namespace openmyna::pki::testing {

class OcspAnswerServer {
 public:
  OcspAnswerServer();
  ~OcspAnswerServer();
  Status Start();
  // "http://127.0.0.1:PORT/ocsp/auth" once started.
  std::string url() const;
  // What the next requests are answered with (an OCSPResponse, DER).
  void Answer(Bytes der);
  int asked() const { return asked_.load(); }

 private:
  std::mutex mutex_;
  Bytes answer_;
  std::atomic<int> asked_{0};
  std::unique_ptr<http::Server> server_;
};

}  // namespace openmyna::pki::testing
