// Registered relying parties (clients) of the OpenID provider, kept in
// DIR/sign_in/clients.json so that `openmyna rp add` works while `serve`
// runs (the provider re-reads the file when it changes). Only public keys
// are stored: clients authenticate with private_key_jwt (RFC 7523 §2.2,
// OIDC Core §9).
#pragma once

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "openmyna/base/result.h"
#include "openmyna/base/rng.h"
#include "openmyna/pki/openssl_types.h"
#include "openmyna/sign_in/jws_key.h"

namespace openmyna::sign_in {

struct Client {
  std::string client_id;  // [0-9a-zA-Z]{1,255} (the national API's rule)
  std::string name;       // shown to the card holder
  std::vector<std::string> redirect_uris;  // exact match (OAuth 2.1 §4.1.1)
  std::vector<nlohmann::json> keys;        // public JWKs (RS256 or ES256)
  // keys[i] made ready for verification (KeyFromJwk, jws_key.h) once when
  // ClientStore reads the file, shared by copies; null where a JWK makes no
  // key. Empty for a Client made otherwise (VerifyJws then makes the keys).
  std::vector<std::shared_ptr<const JwsKey>> made_keys;
  bool test_cards = false;  // the test-card substitute page (issue 9 item 4)
  // Run by the provider's operator (the Myna Portal): see first_party.h.
  bool first_party = false;
};

// List() and Find() keep the parsed file while it is unchanged (same
// inode, size and times: one stat(2) per call instead of a read and a JSON
// parse); copies of a store share that cache. Thread-safe.
class ClientStore {
 public:
  explicit ClientStore(std::filesystem::path data_dir);

  Result<std::vector<Client>> List() const;
  // kNotFound when no client has that id.
  Result<Client> Find(std::string_view client_id) const;
  // The same client without a copy: it keeps the list it was read from
  // alive (a later `rp add` or `rp remove` makes a new list).
  Result<std::shared_ptr<const Client>> Shared(
      std::string_view client_id) const;
  // Assigns client_id ("RP" + 16 random digits) when empty; kInvalid for a
  // bad id, a duplicate, no redirect URI or no key.
  Result<Client> Add(Client client, Rng& rng);
  // kNotFound when absent.
  Status Remove(std::string_view client_id);

  const std::filesystem::path& file() const { return file_; }

  struct Cache;

 private:
  // The parsed file (kept while its stamp is unchanged).
  Result<std::shared_ptr<const std::vector<Client>>> Snapshot() const;

  std::filesystem::path file_;
  std::shared_ptr<Cache> cache_;
};

nlohmann::json ToJson(const Client& client);

}  // namespace openmyna::sign_in
