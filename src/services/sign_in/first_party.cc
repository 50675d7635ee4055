#include "openmyna/sign_in/first_party.h"

#include "openmyna/sign_in/errors.h"

namespace openmyna::sign_in {

Status RegisterFirstPartyClient(const std::filesystem::path& data_dir,
                                Client client, Rng& rng) {
  client.first_party = true;
  ClientStore store(data_dir);
  if (auto existing = store.Find(client.client_id); existing) {
    if (existing->first_party && existing->name == client.name &&
        existing->redirect_uris == client.redirect_uris &&
        existing->keys == client.keys) {
      return Ok();
    }
    OPENMYNA_RETURN_IF_ERROR(store.Remove(client.client_id));
  } else if (!existing.error().Is(SignInErrc::kNotFound)) {
    return Unexpected(existing.error());
  }
  OPENMYNA_RETURN_IF_ERROR(store.Add(std::move(client), rng));
  return Ok();
}

FirstPartySubjects& FirstPartySubjects::Instance() {
  static FirstPartySubjects table;
  return table;
}

void FirstPartySubjects::Remember(std::string client_id, std::string sub,
                                  std::string resident_id, TimePoint now,
                                  TimePoint until) {
  std::lock_guard lock(mutex_);
  std::erase_if(entries_, [&](const auto& e) { return e.second.until < now; });
  entries_[{std::move(client_id), std::move(sub)}] = {std::move(resident_id),
                                                      until};
}

Result<std::string> FirstPartySubjects::ResidentOf(std::string_view client_id,
                                                   std::string_view sub,
                                                   TimePoint now) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find({std::string(client_id), std::string(sub)});
  if (it == entries_.end() || it->second.until < now) {
    return Fail(SignInErrc::kNotFound,
                "no ID token of this provider for this first-party subject");
  }
  std::string resident = std::move(it->second.resident_id);
  entries_.erase(it);
  return resident;
}

}  // namespace openmyna::sign_in
