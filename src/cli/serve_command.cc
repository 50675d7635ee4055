// `openmyna serve [--only ocsp,crl] [--port N] [--address A] [--threads N]
// [--now YYYY-MM-DDTHH:MM:SSZ] [--municipality CODE]`:
// runs the chosen HTTP services in one process (architecture.md §5) until
// SIGINT/SIGTERM. Services are named in a registry (http/service.h); each
// `*_command.cc` registers its own ("ocsp" and "crl" in
// revocation_command.cc). `--set NAME=VALUE` passes a setting to the
// services (http::ServiceContext::settings; each service documents its own).
//
// --now (for tests and demos) runs every service on an OffsetClock that
// starts at the given UTC instant and then moves on at normal speed, so that
// renewal windows, the 90-day presentation rule or the night hotline can be
// tried (architecture.md §6, "the sandbox can run at a chosen date").
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cli/command_registry.h"
#include "cli/context.h"
#include "cli/index_page.h"
#include "openmyna/base/clock.h"
#include "openmyna/http/server.h"
#include "openmyna/http/service.h"
#include "openmyna/pki/names.h"
#include "openmyna/pki/sandbox.h"
#include "openmyna/pki/tls.h"

namespace openmyna::cli {
namespace {

struct ServeOptions {
  std::string only;
  std::string address = "127.0.0.1";
  int port = -1;
  int tls_port = -1;  // -1: the HTTP port + 1 for the sandbox's port, else 0
  bool no_tls = false;
  int threads = 2;
  std::string now;                    // "" = the system clock
  std::vector<std::string> settings;  // NAME=VALUE
  std::string municipality;           // = --set municipality=CODE
};

// The port of the sandbox's base URL ("http://127.0.0.1:8390" -> 8390).
int SandboxPort(const std::filesystem::path& dir) {
  auto sandbox = pki::Sandbox::Open(dir);
  if (!sandbox) return pki::kDefaultServePort;
  const std::string& url = sandbox->base_url();
  const auto colon = url.rfind(':');
  if (colon == std::string::npos || colon < 6) return pki::kDefaultServePort;
  try {
    return std::stoi(url.substr(colon + 1));
  } catch (...) {
    return pki::kDefaultServePort;
  }
}

void RunServe(const ServeOptions& options, Context& context) {
  const auto registered = http::RegisteredServices();
  std::vector<http::RegisteredService> chosen;
  if (options.only.empty()) {
    chosen = registered;
  } else {
    std::set<std::string> names;
    std::stringstream list(options.only);
    for (std::string name; std::getline(list, name, ',');) {
      if (!name.empty()) names.insert(name);
    }
    for (const std::string& name : names) {
      bool found = false;
      for (const auto& service : registered) {
        if (service.name == name) {
          chosen.push_back(service);
          found = true;
        }
      }
      if (!found) {
        std::string known;
        for (const auto& service : registered) known += " " + service.name;
        context.BadInput(
            "--only", "unknown service '" + name + "' (known:" + known + ")");
        return;
      }
    }
  }
  if (chosen.empty()) {
    context.BadInput("--only", "no service chosen");
    return;
  }
  static const SystemClock kClock;
  std::optional<OffsetClock> shifted;
  if (!options.now.empty()) {
    const auto start = ParseUtcInstant(options.now);
    if (!start) {
      context.BadInput("--now", "expected YYYY-MM-DDTHH:MM:SSZ (UTC)");
      return;
    }
    shifted.emplace(OffsetClock::StartingAt(*start));
  }
  http::PublicUrls urls;
  http::ServiceContext service_context;
  service_context.data_dir = context.DataDir();
  service_context.urls = &urls;
  service_context.clock =
      shifted ? static_cast<const Clock*>(&*shifted) : &kClock;
  if (!options.municipality.empty()) {
    service_context.settings["municipality"] = options.municipality;
  }
  // What --only named: a service that is one part of a set-up spread over
  // processes (konbini's "centre" and "issuer") runs only when named, and
  // its factory returns no service otherwise.
  service_context.settings["serve.only"] = options.only;
  for (const std::string& setting : options.settings) {
    const auto equals = setting.find('=');
    if (equals == std::string::npos || equals == 0) {
      context.BadInput("--set", "expected NAME=VALUE, got '" + setting + "'");
      return;
    }
    service_context.settings[setting.substr(0, equals)] =
        setting.substr(equals + 1);
  }
  http::Router router;
  std::vector<std::unique_ptr<http::Service>> services;
  std::string names;
  std::vector<std::string> running;
  for (const auto& entry : chosen) {
    auto service = entry.make(service_context, router);
    if (!service) {
      context.Failed(service.error().WithContext("service " + entry.name));
      return;
    }
    if (*service == nullptr) continue;  // runs only when --only names it
    services.push_back(std::move(*service));
    names += (names.empty() ? "" : ",") + entry.name;
    running.push_back(entry.name);
  }
  // The base URL in a browser: the running services' pages (a service
  // that serves / itself keeps it).
  (void)AddIndexPage(router, running);
  for (auto& service : services) {
    if (Status started = service->Start(); !started) {
      for (auto& s : services) s->Stop();
      context.Failed(started.error());
      return;
    }
  }
  http::ServerOptions server_options;
  // A konbini PDF uploaded to /verify/ is a few hundred kB.
  server_options.max_body_bytes = 2 * 1024 * 1024;
  server_options.address = options.address;
  server_options.port = static_cast<std::uint16_t>(
      options.port >= 0 ? options.port : SandboxPort(context.DataDir()));
  server_options.threads = options.threads;
  server_options.clock = service_context.clock;  // Date header, RFC 9110 §6.6.1
  // HTTPS beside HTTP (OCSP and CRLs stay reachable over HTTP, as the
  // certificates' AIA and CDP URLs say).
  const pki::TlsFiles tls = pki::TlsFilesOf(context.DataDir());
  std::error_code exists_ec;
  const bool have_tls =
      !options.no_tls &&
      std::filesystem::exists(tls.server_chain_pem, exists_ec) &&
      std::filesystem::exists(tls.server_key, exists_ec);
  if (have_tls) {
    http::TlsOptions tls_options;
    tls_options.certificate_chain_pem = tls.server_chain_pem;
    tls_options.private_key_pem = tls.server_key;
    int tls_port = options.tls_port;
    if (tls_port < 0) {
      tls_port = options.port < 0 && server_options.port != 0 &&
                         server_options.port < 65535
                     ? server_options.port + 1
                     : 0;
    }
    tls_options.port = static_cast<std::uint16_t>(tls_port);
    server_options.tls = tls_options;
  } else if (!options.no_tls) {
    std::fprintf(stderr,
                 "openmyna serve: no TLS files in %s (run openmyna init): "
                 "HTTP only\n",
                 (context.DataDir() / "tls").c_str());
  }
  http::Server server(server_options, std::move(router));
  server.StopOnSignals();
  if (Status started = server.Start(); !started) {
    for (auto& s : services) s->Stop();
    context.Failed(started.error());
    return;
  }
  const std::string host = options.address.find(':') != std::string::npos
                               ? "[" + options.address + "]"
                               : options.address;
  const std::string http_url =
      "http://" + host + ":" + std::to_string(server.port());
  const std::string https_url =
      have_tls ? "https://" + host + ":" + std::to_string(server.tls_port())
               : std::string();
  urls.Set(http_url, https_url);
  std::printf("openmyna serve: %s on http://%s:%u (Ctrl-C stops)\n",
              names.c_str(), options.address.c_str(), server.port());
  if (have_tls) {
    std::printf("openmyna serve: HTTPS on %s (TLS root: %s)\n",
                https_url.c_str(), tls.root_pem.c_str());
  }
  std::fflush(stdout);
  server.Wait();
  for (auto& service : services) service->Stop();
  context.SetExitCode(kExitOk);
}

void AddServe(CLI::App& app, Context& context) {
  auto options = std::make_shared<ServeOptions>();
  CLI::App* serve = app.add_subcommand(
      "serve", "Run the HTTP services (all by default; --only picks some)");
  // One line per service under the options (the subcommand's line in
  // `openmyna --help` stays one line).
  std::string services = "Services (--only NAME,NAME...):\n";
  for (const auto& service : http::RegisteredServices()) {
    services += "  " + service.name + ": " + service.summary + "\n";
  }
  serve->footer(services);
  serve->add_option("--only", options->only,
                    "Comma-separated services to run (default: all)");
  serve
      ->add_option("--port", options->port,
                   "TCP port (default: the port of the sandbox base URL, "
                   "else 8390; 0 picks a free one)")
      ->check(CLI::Range(0, 65535));
  serve
      ->add_option("--tls-port", options->tls_port,
                   "HTTPS port (default: the HTTP port + 1 when that is the "
                   "sandbox's, else one from the kernel; 0 picks a free one)")
      ->check(CLI::Range(0, 65535));
  serve->add_flag("--no-tls", options->no_tls,
                  "Serve plain HTTP only (no HTTPS listener)");
  serve->add_option("--address", options->address,
                    "Listen address (default 127.0.0.1)");
  serve->add_option("--threads", options->threads, "Worker threads")
      ->check(CLI::Range(1, 256));
  serve->add_option("--now", options->now,
                    "Test/demo clock: run as if it were this UTC instant "
                    "(YYYY-MM-DDTHH:MM:SSZ), then move on in real time");
  serve->add_option("--municipality", options->municipality,
                    "The municipality (code) a per-municipality service "
                    "serves, e.g. --only issuer --municipality 20218 "
                    "(the same as --set municipality=CODE)");
  serve->add_option("--set", options->settings,
                    "A service setting NAME=VALUE (repeatable), e.g. "
                    "revocation.cache-max-age=60 (see docs/cli.md)");
  serve->callback([options, &context] { RunServe(*options, context); });
}

const CommandGroup kGroup{"serve", 90, &AddServe};

}  // namespace
}  // namespace openmyna::cli
