// The verification page at <base>/verify/ (issue 11 item 5, docs/konbini.md
// §5): anyone uploads a konbini PDF or pastes a page's 2D code and sees the
// verdict beside the signed fields, and whether the municipality's issuance
// ledger has the issuance (the online check). Japanese first, English
// switch (src/web). Server-rendered; no script.
#pragma once

#include <filesystem>
#include <string>

#include "openmyna/base/result.h"
#include "openmyna/http/router.h"
#include "openmyna/registry/store.h"

namespace openmyna::konbini {

struct VerifyPageOptions {
  std::string base_path;           // "" or "/konbini": routes at base/verify/
  std::filesystem::path data_dir;  // DIR/konbini holds the trusted keys
  // The registry, for the ledger check (nullptr: none). Borrowed.
  registry::RegistryStore* store = nullptr;
};

// Adds GET and POST <base>/verify/ and the static files. The options'
// borrowed store must outlive the router.
Status AddVerifyPage(http::Router& router, const VerifyPageOptions& options);

// The parts of a multipart/form-data body (RFC 7578): name -> content of
// the first part of each name. kInvalidInput when malformed.
Result<std::map<std::string, std::string>> ParseMultipart(
    std::string_view content_type, std::string_view body);

}  // namespace openmyna::konbini
