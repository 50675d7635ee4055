// Named services that `openmyna serve` can run in one process
// (architecture.md §5: "one process can run every service or a chosen
// subset"). A service adds its routes to the shared Router and may run
// background work between Start() and Stop().
//
// Adding a service needs no edit of existing files: put a
// `src/cli/<something>_command.cc` (globbed into the binary) that defines
//
//   namespace {
//   openmyna::http::ServiceRegistration kMine{
//       "registry", "the registry API", &MakeRegistryService};
//   }
//
// and `openmyna serve --only registry` runs it.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/http/router.h"

namespace openmyna::http {

// What every service is given. Borrowed; lives until the services stop.
struct ServiceContext {
  std::filesystem::path data_dir;  // the sandbox folder (--data)
  const Clock* clock = nullptr;    // never null when passed to a factory
};

class Service {
 public:
  virtual ~Service() = default;
  // Called once after every service has added its routes and before the
  // server accepts connections.
  virtual Status Start() { return Ok(); }
  // Called once after the server has stopped; must end background work.
  virtual void Stop() {}
};

// Creates the service and registers its routes on `router`.
using ServiceFactory = Result<std::unique_ptr<Service>> (*)(
    const ServiceContext& context, Router& router);

// A static object of this type registers a service at program start.
struct ServiceRegistration {
  ServiceRegistration(std::string name, std::string summary,
                      ServiceFactory make);
};

struct RegisteredService {
  std::string name;     // "ocsp", "crl", ...: what --only names
  std::string summary;  // one line for --help
  ServiceFactory make;
};

// Every registered service, sorted by name.
std::vector<RegisteredService> RegisteredServices();

}  // namespace openmyna::http
