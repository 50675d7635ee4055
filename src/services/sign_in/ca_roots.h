// The sandbox CA roots the provider verifies certificates against, parsed
// once and kept while sandbox.json and the CA's bundle are unchanged (a
// `ca rollover` rewrites both: the next request sees the new generation).
// Private to the sign_in library; thread-safe.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "file_stamp.h"
#include "openmyna/base/result.h"
#include "openmyna/pki/names.h"
#include "openmyna/pki/openssl_types.h"

namespace openmyna::sign_in {

struct CaRoots {
  std::string base_url;             // sandbox.json's (OCSP URLs hang off it)
  std::vector<pki::X509Ptr> roots;  // every generation, oldest first
  std::vector<X509*> pointers;      // the same, for pki::VerifyCertificate
};

class CaRootsCache {
 public:
  explicit CaRootsCache(std::filesystem::path data_dir)
      : data_dir_(std::move(data_dir)) {}
  // The roots of `kind`; errors of pki::Sandbox (Open, Roots).
  Result<std::shared_ptr<const CaRoots>> Get(pki::CaKind kind);

 private:
  struct Entry {
    std::optional<FileStamp> sandbox_json, bundle;
    std::shared_ptr<const CaRoots> roots;
  };
  std::filesystem::path data_dir_;
  std::mutex mutex_;
  Entry entries_[2];  // by kind: 0 signature, 1 authentication
};

}  // namespace openmyna::sign_in
