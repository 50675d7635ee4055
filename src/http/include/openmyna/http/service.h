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
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/http/router.h"

namespace openmyna::http {

// The base URLs the server answers on ("http://127.0.0.1:8390",
// "https://127.0.0.1:8391"), known only once it listens (a port may come
// from the kernel): set by `serve` before it announces them, read by
// handlers (an OpenID provider's issuer). Thread-safe.
class PublicUrls {
 public:
  void Set(std::string http, std::string https) {
    std::lock_guard lock(mutex_);
    http_ = std::move(http);
    https_ = std::move(https);
  }
  std::string Http() const {
    std::lock_guard lock(mutex_);
    return http_;
  }
  // Empty when the server does not listen with TLS.
  std::string Https() const {
    std::lock_guard lock(mutex_);
    return https_;
  }

 private:
  mutable std::mutex mutex_;
  std::string http_;
  std::string https_;
};

// What every service is given. Borrowed; lives until the services stop.
struct ServiceContext {
  std::filesystem::path data_dir;    // the sandbox folder (--data)
  const Clock* clock = nullptr;      // never null when passed to a factory
  const PublicUrls* urls = nullptr;  // never null when passed to a factory
  // `serve --set NAME=VALUE` settings; each service reads the names it
  // documents (e.g. "revocation.cache-max-age") and refuses bad values.
  std::map<std::string, std::string> settings;
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
