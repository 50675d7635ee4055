#include "cli/command_registry.h"

#include <algorithm>

namespace openmyna::cli {
namespace {

std::vector<RegisteredGroup>& Groups() {
  static std::vector<RegisteredGroup> groups;
  return groups;
}

}  // namespace

CommandGroup::CommandGroup(std::string name, int order, AddCommandsFn add) {
  Groups().push_back({std::move(name), order, add});
}

std::vector<RegisteredGroup> RegisteredGroups() {
  auto groups = Groups();
  std::stable_sort(
      groups.begin(), groups.end(),
      [](const auto& a, const auto& b) { return a.order < b.order; });
  return groups;
}

}  // namespace openmyna::cli
