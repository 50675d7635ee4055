// The demo relying party at <base>/demo-rp/ (docs/sign-in.md, "The demo
// relying party"): GET /demo-rp/ (a button, or the claims of the signed-in
// visitor), GET /demo-rp/login (to the provider's authorization endpoint
// with state, nonce and PKCE S256), GET /demo-rp/callback (the code
// exchanged at the token endpoint over HTTPS with private_key_jwt, the ID
// token verified with the provider's JWKS, UserInfo read), POST
// /demo-rp/logout, and the signing demo: POST /demo-rp/sign (a document
// to sign through the signing API: sign transaction, authorization with
// scope "sign", the result's JWE opened and its signature and certificate
// checked; sign_demo.h), shown on /demo-rp/. Its client, "OpenMynaDemoRP", is
// registered in DIR/sign_in/clients.json on first use with the redirect URI of
// the listening HTTPS port; its P-256 key is DIR/sign_in/keys/OpenMynaDemoRP.
// jwk.json (0600). Visitors' states and claims live in memory. Thread-safe.
#pragma once

#include <filesystem>
#include <memory>

#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/base/rng.h"
#include "openmyna/http/router.h"
#include "openmyna/http/service.h"
#include "openmyna/pki/verifier.h"

namespace openmyna::demo_rp {

inline constexpr std::string_view kClientId = "OpenMynaDemoRP";
inline constexpr std::string_view kBasePath = "/demo-rp";

struct DemoRpOptions {
  std::filesystem::path data_dir;
  const Clock* clock = nullptr;            // borrowed
  const http::PublicUrls* urls = nullptr;  // borrowed
  Rng* rng = nullptr;                      // borrowed
  // How the signing demo asks OCSP about the signer's certificate (empty:
  // HTTP POST to the sandbox's responder).
  pki::OcspTransport ocsp_transport;
};

class DemoRp {
 public:
  static Result<std::unique_ptr<DemoRp>> Open(DemoRpOptions options);
  ~DemoRp();
  Status AddRoutes(http::Router& router);

  struct Impl;

 private:
  explicit DemoRp(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace openmyna::demo_rp
