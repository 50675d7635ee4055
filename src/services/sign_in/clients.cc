#include "openmyna/sign_in/clients.h"

#include <algorithm>
#include <mutex>

#include "file_stamp.h"
#include "openmyna/base/file_io.h"
#include "openmyna/sign_in/errors.h"
#include "openmyna/sign_in/jose.h"

namespace openmyna::sign_in {
namespace {

using json = nlohmann::json;

bool ValidClientId(std::string_view id) {
  return !id.empty() && id.size() <= 255 &&
         std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                  (c >= 'A' && c <= 'Z');
         });
}

Client FromJson(const json& j) {
  Client c;
  c.client_id = j.value("client_id", "");
  c.name = j.value("name", "");
  c.redirect_uris = j.value("redirect_uris", std::vector<std::string>{});
  if (j.contains("jwks") && j["jwks"].contains("keys")) {
    for (const json& k : j["jwks"]["keys"]) {
      c.keys.push_back(k);
      auto key = KeyFromJwk(k);
      auto ready = key ? JwsKey::Make(std::move(*key))
                       : Result<std::shared_ptr<const JwsKey>>(nullptr);
      c.made_keys.push_back(ready ? *ready : nullptr);
    }
  }
  c.test_cards = j.value("test_cards", false);
  c.first_party = j.value("first_party", false);
  return c;
}

Status Save(const std::filesystem::path& file,
            const std::vector<Client>& clients) {
  json all = json::array();
  for (const Client& c : clients) all.push_back(ToJson(c));
  OPENMYNA_RETURN_IF_ERROR(EnsurePrivateDirectory(file.parent_path()));
  return WriteFileAtomically(
      file, json{{"format", 1}, {"clients", all}}.dump(2) + "\n");
}

}  // namespace

json ToJson(const Client& c) {
  json j = {{"client_id", c.client_id},
            {"name", c.name},
            {"redirect_uris", c.redirect_uris},
            {"jwks", {{"keys", c.keys}}},
            {"test_cards", c.test_cards}};
  if (c.first_party) j["first_party"] = true;
  return j;
}

struct ClientStore::Cache {
  std::mutex mutex;
  std::optional<FileStamp> stamp;  // of the file `clients` was parsed from
  std::shared_ptr<const std::vector<Client>> clients;
};

ClientStore::ClientStore(std::filesystem::path data_dir)
    : file_(data_dir / "sign_in" / "clients.json"),
      cache_(std::make_shared<Cache>()) {}

Result<std::shared_ptr<const std::vector<Client>>> ClientStore::Snapshot()
    const {
  const std::optional<FileStamp> before = StampOf(file_);
  {
    std::lock_guard lock(cache_->mutex);
    if (before && cache_->stamp == before) return cache_->clients;
  }
  auto text = ReadFileText(file_);
  if (!text) {
    if (text.error().code_name() == "not_found") {
      return std::make_shared<const std::vector<Client>>();
    }
    return Unexpected(text.error());
  }
  const json doc = json::parse(*text, nullptr, false);
  if (!doc.is_object() || !doc.contains("clients") ||
      !doc["clients"].is_array()) {
    return Fail(SignInErrc::kIo, file_.string() + " is not a client list");
  }
  auto out = std::make_shared<std::vector<Client>>();
  for (const json& j : doc["clients"]) out->push_back(FromJson(j));
  // Kept only when the file did not change while it was read.
  if (before && StampOf(file_) == before) {
    std::lock_guard lock(cache_->mutex);
    cache_->stamp = before;
    cache_->clients = out;
  }
  return std::shared_ptr<const std::vector<Client>>(std::move(out));
}

Result<std::vector<Client>> ClientStore::List() const {
  OPENMYNA_ASSIGN_OR_RETURN(auto all, Snapshot());
  return *all;
}

Result<Client> ClientStore::Find(std::string_view client_id) const {
  OPENMYNA_ASSIGN_OR_RETURN(auto found, Shared(client_id));
  return *found;
}

Result<std::shared_ptr<const Client>> ClientStore::Shared(
    std::string_view client_id) const {
  OPENMYNA_ASSIGN_OR_RETURN(auto all, Snapshot());
  for (const Client& c : *all) {
    // Shares the ownership of the whole parsed list.
    if (c.client_id == client_id) return std::shared_ptr<const Client>(all, &c);
  }
  return Fail(SignInErrc::kNotFound, "no client " + std::string(client_id));
}

Result<Client> ClientStore::Add(Client client, Rng& rng) {
  OPENMYNA_ASSIGN_OR_RETURN(std::vector<Client> all, List());
  if (client.client_id.empty()) {
    client.client_id = "RP";
    for (int i = 0; i < 16; ++i) {
      client.client_id += static_cast<char>('0' + rng.UniformBelow(10));
    }
  }
  if (!ValidClientId(client.client_id)) {
    return Fail(SignInErrc::kInvalid, "client_id must be [0-9a-zA-Z]{1,255}");
  }
  for (const Client& c : all) {
    if (c.client_id == client.client_id) {
      return Fail(SignInErrc::kInvalid, "client " + c.client_id + " exists");
    }
  }
  if (client.redirect_uris.empty()) {
    return Fail(SignInErrc::kInvalid, "a client needs a redirect URI");
  }
  for (const std::string& uri : client.redirect_uris) {
    if (uri.size() > 255 ||
        (uri.rfind("https://", 0) != 0 &&
         uri.rfind("http://127.0.0.1", 0) != 0 &&
         uri.rfind("http://localhost", 0) != 0) ||
        uri.find('#') != std::string::npos) {
      return Fail(SignInErrc::kInvalid,
                  "redirect URI " + uri +
                      ": https:// (or http:// on loopback), at most 255 "
                      "characters, no fragment");
    }
  }
  if (client.keys.empty()) {
    return Fail(SignInErrc::kInvalid, "a client needs a public key (JWKS)");
  }
  for (json& key : client.keys) {
    if (key.contains("d") || key.contains("p")) {
      return Fail(SignInErrc::kInvalid,
                  "the JWKS holds a private key: give the public one");
    }
    OPENMYNA_RETURN_IF_ERROR(KeyFromJwk(key));
    if (!key.contains("kid")) {
      OPENMYNA_ASSIGN_OR_RETURN(std::string kid, JwkThumbprint(key));
      key["kid"] = kid;
    }
  }
  all.push_back(client);
  OPENMYNA_RETURN_IF_ERROR(Save(file_, all));
  return client;
}

Status ClientStore::Remove(std::string_view client_id) {
  OPENMYNA_ASSIGN_OR_RETURN(std::vector<Client> all, List());
  const auto before = all.size();
  std::erase_if(all, [&](const Client& c) { return c.client_id == client_id; });
  if (all.size() == before) {
    return Fail(SignInErrc::kNotFound, "no client " + std::string(client_id));
  }
  return Save(file_, all);
}

}  // namespace openmyna::sign_in
