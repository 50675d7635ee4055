// `openmyna up [--data DIR] [--port N] [--vpcd HOST:PORT] [--no-pcscd]
// [--now YYYY-MM-DDTHH:MM:SSZ]`: the main job. Creates the sandbox if absent
// (CAs, registry database, sample municipalities and residents, API credentials
// (from init), a sample card), then runs the services and plugs the card into
// PC/SC until Ctrl-C, and stops everything it started, by PID.
//
// It holds no business rule: every step is one of the other commands of this
// binary (init, db migrate, db seed --sample-card, serve, card plug), run
// as a child process of the same executable, so `up` does exactly what a user
// could do by hand. Each step is idempotent, so `up` is too.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "cli/command_registry.h"
#include "cli/context.h"
#include "openmyna/base/errors.h"
#include "openmyna/base/file_io.h"

extern char** environ;

namespace openmyna::cli {
namespace {
namespace fs = std::filesystem;

// The card `up` plugs: issued by `db seed --sample-card` through the
// registry to the first sample resident, described in DIR/sample-card.json.
struct SampleCard {
  std::string id;
  std::string resident_id;
  std::string image;
  std::string authentication;  // passwords
  std::string signature;
  std::string juki;
  std::string input_assist;
};

Result<SampleCard> ReadSampleCard(const fs::path& file) {
  OPENMYNA_ASSIGN_OR_RETURN(std::string text, ReadFileText(file));
  const auto doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.contains("image") ||
      !doc.contains("passwords")) {
    return Fail(BaseErrc::kIo, file.string() + " is not a sample card file");
  }
  const auto& p = doc["passwords"];
  return SampleCard{doc.value("card_id", ""),   doc.value("resident_id", ""),
                    doc.value("image", ""),     p.value("authentication", ""),
                    p.value("signature", ""),   p.value("juki", ""),
                    p.value("input_assist", "")};
}

struct UpOptions {
  int port = -1;
  std::string vpcd = "127.0.0.1:35963";
  bool no_pcscd = false;
  std::string now;  // serve --now: the services' clock starts there
};

volatile sig_atomic_t g_stop = 0;
void OnSignal(int) { g_stop = 1; }

std::string SelfPath() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("openmyna") : self.string();
}

// Starts `argv` as a child; stdout goes to `stdout_path` (created 0600) when
// given. Returns the PID or -1.
pid_t Spawn(const std::vector<std::string>& args,
            const std::string& stdout_path = "",
            const std::string& stderr_path = "") {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (!stdout_path.empty()) {
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO,
                                     stdout_path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
  }
  if (!stderr_path.empty()) {
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO,
                                     stderr_path.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0600);
  }
  pid_t pid = -1;
  const int rc =
      posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

// Runs a step to completion; true when it exited 0.
bool RunStep(const std::string& title, const std::vector<std::string>& args,
             const std::string& stdout_path = "") {
  std::printf("==> %s\n", title.c_str());
  std::fflush(stdout);
  const pid_t pid = Spawn(args, stdout_path);
  if (pid < 0) return false;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

bool Alive(pid_t pid) { return pid > 0 && kill(pid, 0) == 0; }

// A child `up` started. An exited child stays a zombie until reaped, and
// kill(pid, 0) succeeds on a zombie: Running() reaps it (waitpid WNOHANG),
// and a reaped child is never signalled again (its pid may be reused).
struct Child {
  pid_t pid = -1;
  bool reaped = false;

  bool Running() {
    if (pid <= 0 || reaped) return false;
    if (waitpid(pid, nullptr, WNOHANG) == pid) reaped = true;
    return !reaped;
  }

  // TERM, wait up to 5 s, then KILL (pcsc-testing.md §4).
  void Stop() {
    if (!Running()) return;
    kill(pid, SIGTERM);
    for (int i = 0; i < 50; ++i) {
      if (!Running()) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    reaped = true;
  }
};

// The last non-empty line of a child's log (its one-line error), or "".
std::string LastLine(const std::string& path) {
  std::ifstream in(path);
  std::string line, last;
  while (std::getline(in, line)) {
    if (!line.empty()) last = line;
  }
  return last;
}

// True once something accepts a TCP connection on 127.0.0.1:port.
bool Listening(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok =
      connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  close(fd);
  return ok;
}

bool PcscdRunning() {
  std::ifstream pid_file("/run/pcscd/pcscd.pid");
  std::string text;
  std::getline(pid_file, text, '\0');  // the file holds "<pid>\n\0"
  try {
    return fs::exists("/run/pcscd/pcscd.comm") && Alive(std::stoi(text));
  } catch (...) {
    return false;
  }
}

void RunUp(const UpOptions& options, Context& context) {
  if (!options.now.empty() && !ParseUtcInstant(options.now)) {
    return context.BadInput("--now", "expected YYYY-MM-DDTHH:MM:SSZ (UTC)");
  }
  const fs::path dir = context.DataDir();
  const std::string self = SelfPath();
  const std::string data = dir.string();
  if (auto made = EnsurePrivateDirectory(dir); !made) {
    return context.Failed(made.error());
  }
  const auto step = [&](const std::string& title, std::vector<std::string> args,
                        const std::string& out = "") {
    args.insert(args.begin(), {self, "--data", data});
    if (!RunStep(title, args, out)) {
      std::fprintf(stderr, "openmyna up: step failed: %s\n", title.c_str());
      context.SetExitCode(kExitFailed);
      return false;
    }
    return true;
  };
  std::vector<std::string> init = {"init"};
  if (options.port >= 0) {
    init.insert(init.end(), {"--base-url", "http://127.0.0.1:" +
                                               std::to_string(options.port)});
  }
  if (!step("sandbox CAs and API credentials (openmyna init)", init)) return;
  if (!step("registry database (openmyna db migrate)", {"db", "migrate"})) {
    return;
  }
  // `openmyna init` made the API credentials (DIR/credentials.txt).
  const fs::path credentials = dir / "credentials.txt";
  if (!step("the sample card of 千曲 太郎, issued through the registry "
            "(openmyna db seed --sample-card)",
            {"db", "seed", "--sample-card"})) {
    return;
  }
  auto sample = ReadSampleCard(dir / "sample-card.json");
  if (!sample) return context.Failed(sample.error());
  const fs::path card = sample->image;

  std::string base_url = "http://127.0.0.1:8390";
  if (std::ifstream sandbox(dir / "sandbox.json"); sandbox) {
    std::string text((std::istreambuf_iterator<char>(sandbox)),
                     std::istreambuf_iterator<char>());
    if (auto at = text.find("http://"); at != std::string::npos) {
      base_url = text.substr(at, text.find('"', at) - at);
    }
  }
  const auto colon = base_url.rfind(':');
  const int base_port = colon > 6 ? std::atoi(base_url.c_str() + colon + 1) : 0;
  const int http_port = options.port > 0 ? options.port : base_port;
  // Another `up` or serve on these ports would answer in place of ours.
  for (const int port : {http_port, http_port + 1}) {
    if (http_port > 0 && Listening(port)) {
      std::fprintf(stderr,
                   "openmyna up: port %d of 127.0.0.1 is in use (another "
                   "`openmyna up` or serve?): stop it, or choose --port N "
                   "(HTTP on N, HTTPS on N+1)\n",
                   port);
      return context.SetExitCode(kExitFailed);
    }
  }

  struct sigaction action {};
  action.sa_handler = OnSignal;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);

  Child pcscd;
  if (!options.no_pcscd && !PcscdRunning()) {
    std::printf("==> starting pcscd (log: %s/pcscd.log)\n", data.c_str());
    fs::create_directories("/run/pcscd");
    pcscd.pid = Spawn({"/usr/sbin/pcscd", "--foreground"}, data + "/pcscd.log",
                      data + "/pcscd.log");
    for (int i = 0; i < 100 && !fs::exists("/run/pcscd/pcscd.comm"); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  std::vector<std::string> serve = {self, "--data", data, "serve"};
  if (options.port >= 0) {
    serve.insert(serve.end(), {"--port", std::to_string(options.port)});
    if (options.port > 0 && options.port < 65535) {
      serve.insert(serve.end(),
                   {"--tls-port", std::to_string(options.port + 1)});
    }
  }
  if (!options.now.empty()) serve.insert(serve.end(), {"--now", options.now});
  const std::string serve_log = data + "/serve.log";
  const std::string card_log = data + "/card.log";
  std::printf("==> starting services (log: %s)\n", serve_log.c_str());
  std::fflush(stdout);
  Child server{Spawn(serve, serve_log, serve_log)};
  // The services are up when their HTTP port accepts a connection; a serve
  // that exits first (a port in use, a bad setting) is reported with its
  // one-line error instead of a sandbox said to be up.
  const int tries = http_port > 0 ? 1200 : 10;  // 120 s, else 1 s
  for (int i = 0; i < tries && !g_stop && server.Running() &&
                  !(http_port > 0 && Listening(http_port));
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (!server.Running()) {
    std::fprintf(stderr, "openmyna up: the services did not start: %s (%s)\n",
                 LastLine(serve_log).c_str(), serve_log.c_str());
    pcscd.Stop();
    return context.SetExitCode(kExitFailed);
  }
  std::printf("==> plugging the sample card into PC/SC (log: %s)\n",
              card_log.c_str());
  Child plug{Spawn({self, "--data", data, "card", "plug", "--image",
                    card.string(), "--vpcd", options.vpcd},
                   card_log, card_log)};
  std::this_thread::sleep_for(std::chrono::seconds(1));

  // Where serve listens: --port, else the sandbox's base URL. The
  // certificates name the base URL `init` was given (OCSP, CRLs).
  const std::string http_url =
      http_port > 0 ? "http://127.0.0.1:" + std::to_string(http_port)
                    : base_url;
  if (http_port != base_port) {
    std::printf(
        "\nNote: this sandbox's certificates name %s for OCSP and CRLs "
        "(`openmyna init --base-url`); the services now listen on %s, so a "
        "relying party that follows them finds nothing there. Run `up` "
        "without --port (or with that port) to serve where they point.\n",
        base_url.c_str(), http_url.c_str());
  }
  // HTTPS listens on the HTTP port + 1 (serve's default).
  std::string https_url = "(see serve.log)";
  if (http_port > 0 && http_port < 65535) {
    https_url = "https://127.0.0.1:" + std::to_string(http_port + 1);
  }
  std::printf(
      "\nOpenMyna sandbox is up (NOT the real JPKI). Data: %s\n"
      "  services      %s  (OCSP /ocsp/sign /ocsp/auth, CRLs /crl/..., "
      "registry API, %s/openapi.json)\n"
      "  HTTPS         %s (TLS root: %s/tls/root.pem; curl --cacert)\n"
      "  credentials   %s (HTTP Basic, one per role)\n"
      "  CA roots      %s/ca/\n"
      "  sample card   %s\n"
      "                card %s of resident %s (千曲 太郎), issued by the "
      "registry\n"
      "                passwords: authentication %s, signature %s, juki %s, "
      "input assist %s\n"
      "                (also in %s/sample-card.json, 0600)\n\n"
      "Try:\n"
      "  opensc-tool --reader 0 --name             # -> jpki\n"
      "  pkcs15-tool --reader 0 --dump\n"
      "  echo hello > msg.txt && pkcs11-tool --slot-index 0 --login --pin "
      "%s --sign --id 01 -m SHA256-RSA-PKCS -i msg.txt -o msg.sig\n"
      "  %s --data %s card show --image %s\n\n"
      "Sign in with My Number Card, end to end (demo relying party):\n"
      "  1. open %s/demo-rp/ in a browser (trust the TLS root above, or "
      "accept the warning) and click マイナンバーカードでサインイン\n"
      "  2. OPENMYNA_PIN=%s OPENMYNA_IA_PIN=%s %s --data %s app login "
      "'<the link or QR text on that page>' --pin-env OPENMYNA_PIN "
      "--input-assist-pin-env OPENMYNA_IA_PIN\n"
      "  3. the page goes back to the demo relying party, which shows what it "
      "received\n\n",
      data.c_str(), http_url.c_str(), http_url.c_str(), https_url.c_str(),
      data.c_str(), credentials.string().c_str(), data.c_str(),
      card.string().c_str(), sample->id.c_str(), sample->resident_id.c_str(),
      sample->authentication.c_str(), sample->signature.c_str(),
      sample->juki.c_str(), sample->input_assist.c_str(), data.c_str(),
      sample->authentication.c_str(), self.c_str(), data.c_str(),
      card.string().c_str(), https_url.c_str(), sample->authentication.c_str(),
      sample->input_assist.c_str(), self.c_str(), data.c_str());
  // Convenience-store certificates (docs/konbini.md): the touch screen and
  // the scripted kiosk, on the services' clock.
  const std::string now_arg =
      options.now.empty() ? "" : " --now " + options.now;
  std::printf(
      "Convenience-store certificates (コンビニ交付), 06:30-23:00 JST%s:\n"
      "  touch screen  %s/kiosk/ (the sample card is in this machine's "
      "reader; PIN %s)\n"
      "  scripted      OPENMYNA_PIN=%s %s --data %s kiosk --pin-env "
      "OPENMYNA_PIN --municipality 20218 --certificate juminhyo --out "
      "juminhyo.pdf%s\n"
      "  verify        %s/verify/ or %s --data %s verify document "
      "juminhyo.pdf\n"
      "  (the sample card's mapping is dated yesterday, so it works at "
      "once; any other card is used from the day after its issue)\n\n",
      options.now.empty() ? "" : (", clock from " + options.now).c_str(),
      https_url.c_str(), sample->authentication.c_str(),
      sample->authentication.c_str(), self.c_str(), data.c_str(),
      now_arg.c_str(), https_url.c_str(), self.c_str(), data.c_str());
  // The resident's portal and the clinic's reader (docs/portal.md,
  // docs/insurance.md), both with the sample card in this machine's reader.
  std::printf(
      "Myna Portal (マイナポータル):\n"
      "  %s/portal/ (log in with the sample card in the reader, PIN %s, or "
      "by its QR code with `app login` as above)\n\n"
      "Health insurance at a clinic (マイナ保険証の受付):\n"
      "  reader screen %s/clinic/ (the face-recognition reader; the sample "
      "card is in this machine's reader)\n"
      "  scripted      OPENMYNA_PIN=%s %s --data %s clinic reader --pin-env "
      "OPENMYNA_PIN --consent drug\n\n"
      "Ctrl-C stops everything this command started.\n",
      https_url.c_str(), sample->authentication.c_str(), https_url.c_str(),
      sample->authentication.c_str(), self.c_str(), data.c_str());
  std::fflush(stdout);

  while (!g_stop) {
    const bool serving = server.Running();
    if (!serving || !plug.Running()) {
      const std::string& log = serving ? card_log : serve_log;
      std::fprintf(stderr, "openmyna up: %s stopped: %s (%s)\n",
                   serving ? "the card plug" : "the services",
                   LastLine(log).c_str(), log.c_str());
      context.SetExitCode(kExitFailed);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  std::printf("\nstopping...\n");
  plug.Stop();
  server.Stop();
  pcscd.Stop();
  std::printf("stopped\n");
}

void AddUp(CLI::App& app, Context& context) {
  auto options = std::make_shared<UpOptions>();
  CLI::App* up = app.add_subcommand(
      "up",
      "The whole sandbox on this machine: CAs, registry with sample "
      "residents, services, and a sample card plugged into PC/SC");
  up->add_option("--port", options->port,
                 "HTTP port of the services, HTTPS on the next one (default: "
                 "the sandbox's, 8390)")
      ->check(CLI::Range(1, 65534));
  up->add_option("--vpcd", options->vpcd, "vpcd address of the reader slot");
  up->add_flag("--no-pcscd", options->no_pcscd,
               "Do not start pcscd when it is not running");
  up->add_option("--now", options->now,
                 "Run the services on a clock starting at this UTC instant "
                 "(YYYY-MM-DDTHH:MM:SSZ), as `serve --now`: e.g. to try the "
                 "kiosk at any hour");
  up->callback([options, &context] { RunUp(*options, context); });
}

const CommandGroup kUpGroup{"up", 0, &AddUp};

}  // namespace
}  // namespace openmyna::cli
