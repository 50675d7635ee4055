#include "cli/card_session.h"

#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "openmyna/base/file_io.h"

namespace openmyna::cli {
namespace {

using card::client::JpkiKey;
using card::client::PinStatus;

// Reads a line from the terminal on stdin with echo off (termios), the
// prompt on stderr. Echo is restored before returning.
bool PromptWithoutEcho(const std::string& prompt, std::string& out) {
  termios saved{};
  if (tcgetattr(STDIN_FILENO, &saved) != 0) return false;
  termios quiet = saved;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  quiet.c_lflag |= ECHONL;
  std::fprintf(stderr, "%s", prompt.c_str());
  std::fflush(stderr);
  if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) != 0) return false;
  const bool ok = static_cast<bool>(std::getline(std::cin, out));
  tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
  return ok;
}

std::string TriesText(const PinStatus& status) {
  if (status.tries_left < 0) return "the card keeps no count of tries";
  return status.tries_left == 1
             ? "1 try left"
             : std::to_string(status.tries_left) + " tries left";
}

}  // namespace

bool ReadPin(const CardOptions& o, JpkiKey key, Context& context,
             std::string& pin) {
  if (!o.pin_env.empty() && !o.pin_file.empty()) {
    context.BadInput("--pin-env", "give --pin-env or --pin-file, not both");
    return false;
  }
  if (!o.pin_env.empty()) {
    const char* value = std::getenv(o.pin_env.c_str());
    if (value == nullptr || *value == '\0') {
      context.BadInput("--pin-env",
                       "environment variable " + o.pin_env + " is not set");
      return false;
    }
    pin = value;
    return true;
  }
  if (!o.pin_file.empty()) {
    auto text = ReadFileText(o.pin_file);
    if (!text) {
      context.BadInput("--pin-file", text.error().message());
      return false;
    }
    pin = *text;
    SecureWipe(*text);
    // The first line, without its line break.
    if (auto end = pin.find_first_of("\r\n"); end != std::string::npos) {
      pin.resize(end);
    }
    return true;
  }
  if (isatty(STDIN_FILENO) == 0) {
    context.BadInput("--pin-env",
                     "no PIN source: stdin is not a terminal to prompt on; "
                     "use --pin-env VAR or --pin-file FILE");
    return false;
  }
  const std::string prompt =
      key == JpkiKey::kSignature
          ? "Signature password (署名用パスワード, 6-16 A-Z 0-9): "
          : "Authentication PIN (利用者証明用暗証番号, 4 digits): ";
  if (!PromptWithoutEcho(prompt, pin)) {
    context.BadInput("--pin-env", "could not read the PIN from the terminal");
    return false;
  }
  return true;
}

std::unique_ptr<CardSession> CardSession::Open(const CardOptions& o,
                                               JpkiKey key, Context& context,
                                               bool* blocked) {
  std::string pin;
  if (!ReadPin(o, key, context, pin)) return nullptr;
  auto normalized = card::client::NormalizePin(key, pin);
  SecureWipe(pin);
  if (!normalized) {
    context.BadInput(o.pin_file.empty() ? "--pin-env" : "--pin-file",
                     normalized.error().message());
    return nullptr;
  }
  std::unique_ptr<CardSession> session(new CardSession());
  session->key_ = key;
  auto reader = card::client::PcscCard::Connect(o.reader);
  if (!reader) {
    SecureWipe(*normalized);
    context.Failed(reader.error());
    return nullptr;
  }
  session->reader_ = std::move(*reader);
  session->jpki_ = std::make_unique<card::client::JpkiClient>(
      *session->reader_,
      card::client::JpkiClientOptions{.extended_length = !o.short_apdus});
  if (auto selected = session->jpki_->SelectAp(); !selected) {
    SecureWipe(*normalized);
    context.Failed(selected.error());
    return nullptr;
  }
  auto status = session->jpki_->Login(key, *normalized);
  SecureWipe(*normalized);
  if (!status) {
    context.Failed(status.error());
    return nullptr;
  }
  const std::string pin_name(card::client::PinName(key));
  if (status->state == PinStatus::State::kBlocked) {
    if (blocked != nullptr) *blocked = true;
    std::fprintf(stderr,
                 "openmyna: the %s is blocked (no tries left); it can be "
                 "reset only at the municipal office\n",
                 pin_name.c_str());
    context.SetExitCode(kExitFailed);
    return nullptr;
  }
  if (status->state == PinStatus::State::kTriesLeft) {
    std::fprintf(stderr, "openmyna: wrong %s: %s\n", pin_name.c_str(),
                 TriesText(*status).c_str());
    context.SetExitCode(kExitFailed);
    return nullptr;
  }
  return session;
}

CardSession::~CardSession() {
  // Log out whatever happened (JpkiClient::Logout): pcscd does not reset
  // the card between clients.
  if (jpki_) (void)jpki_->Logout();
}

}  // namespace openmyna::cli
