#include "ca_roots.h"

#include "openmyna/pki/sandbox.h"

namespace openmyna::sign_in {

Result<std::shared_ptr<const CaRoots>> CaRootsCache::Get(pki::CaKind kind) {
  const auto sandbox_json = StampOf(data_dir_ / "sandbox.json");
  const auto bundle = StampOf(
      data_dir_ / "ca" / (std::string(pki::CaKindName(kind)) + "-ca-all.pem"));
  Entry& entry = entries_[kind == pki::CaKind::kSignature ? 0 : 1];
  {
    std::lock_guard lock(mutex_);
    if (entry.roots && sandbox_json && bundle &&
        entry.sandbox_json == sandbox_json && entry.bundle == bundle) {
      return entry.roots;
    }
  }
  OPENMYNA_ASSIGN_OR_RETURN(pki::Sandbox sandbox,
                            pki::Sandbox::Open(data_dir_));
  OPENMYNA_ASSIGN_OR_RETURN(std::vector<pki::X509Ptr> roots,
                            sandbox.Roots(kind));
  auto fresh = std::make_shared<CaRoots>();
  fresh->base_url = sandbox.base_url();
  fresh->roots = std::move(roots);
  for (auto& r : fresh->roots) fresh->pointers.push_back(r.get());
  std::lock_guard lock(mutex_);
  entry = {sandbox_json, bundle, fresh};
  return std::shared_ptr<const CaRoots>(fresh);
}

}  // namespace openmyna::sign_in
