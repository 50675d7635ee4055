#include "testing/ocsp_server.h"

#include <utility>

#include "openmyna/http/router.h"

namespace openmyna::pki::testing {

OcspAnswerServer::OcspAnswerServer() {
  http::Router router;
  // RFC 6960 Appendix A.1: a POSTed OCSPRequest, answered with
  // application/ocsp-response.
  (void)router.Add("POST", "/ocsp/auth", [this](const http::Request&) {
    std::lock_guard lock(mutex_);
    ++asked_;
    http::Response r;
    r.content_type = "application/ocsp-response";
    r.body.assign(answer_.begin(), answer_.end());
    return r;
  });
  server_ =
      std::make_unique<http::Server>(http::ServerOptions{}, std::move(router));
}

OcspAnswerServer::~OcspAnswerServer() { server_->Stop(); }

Status OcspAnswerServer::Start() { return server_->Start(); }

std::string OcspAnswerServer::url() const {
  return "http://127.0.0.1:" + std::to_string(server_->port()) + "/ocsp/auth";
}

void OcspAnswerServer::Answer(Bytes der) {
  std::lock_guard lock(mutex_);
  answer_ = std::move(der);
}

}  // namespace openmyna::pki::testing
