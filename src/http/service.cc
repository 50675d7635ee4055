#include "openmyna/http/service.h"

#include <algorithm>
#include <mutex>

namespace openmyna::http {
namespace {

std::vector<RegisteredService>& Registry() {
  static std::vector<RegisteredService> services;
  return services;
}
std::mutex& RegistryMutex() {
  static std::mutex mutex;
  return mutex;
}

}  // namespace

ServiceRegistration::ServiceRegistration(std::string name, std::string summary,
                                         ServiceFactory make) {
  std::lock_guard lock(RegistryMutex());
  Registry().push_back({std::move(name), std::move(summary), make});
}

std::vector<RegisteredService> RegisteredServices() {
  std::lock_guard lock(RegistryMutex());
  std::vector<RegisteredService> out = Registry();
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

}  // namespace openmyna::http
