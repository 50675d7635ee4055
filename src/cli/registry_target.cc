#include "cli/registry_target.h"

#include <cstdlib>
#include <system_error>

#include "openmyna/base/errors.h"
#include "openmyna/registry/sql.h"

namespace openmyna::cli {

Result<std::string> ExistingRegistryTarget(
    std::string_view flag, const std::filesystem::path& data_dir) {
  const char* env = std::getenv("OPENMYNA_REGISTRY_DB");
  const bool in_folder = flag.empty() && (env == nullptr || *env == '\0');
  std::error_code error;
  if (in_folder && !std::filesystem::exists(data_dir / "registry.db", error)) {
    return Fail(BaseErrc::kNotFound,
                "no registry in " + data_dir.string() +
                    " (no registry.db there): run `openmyna init` first, or "
                    "give --data the folder of your sandbox");
  }
  return registry::RegistryDatabaseTarget(flag, data_dir);
}

}  // namespace openmyna::cli
