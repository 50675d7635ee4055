// The card holder's side shared by `openmyna sign --card` and `openmyna app
// sign`: the PIN from exactly one source, and a PC/SC session on the
// JPKI-AP with a careful login (openmyna/card/client). PINs never come from
// the command line (docs/cli.md).
#pragma once

#include <memory>
#include <string>

#include "cli/context.h"
#include "openmyna/card/client/jpki_client.h"
#include "openmyna/card/client/pcsc_reader.h"

namespace openmyna::cli {

struct CardOptions {
  std::string reader;    // --reader: a name or part of one ("" = first)
  std::string pin_env;   // --pin-env VAR
  std::string pin_file;  // --pin-file F
  bool short_apdus = false;
};

// The PIN from --pin-env, --pin-file or a prompt without echo on a
// terminal; false (exit 2 reported on `context`) otherwise.
bool ReadPin(const CardOptions& options, card::client::JpkiKey key,
             Context& context, std::string& pin);

// The JPKI-AP of the card in the reader, logged in with `key`'s PIN. Open()
// reports every failure on `context` (malformed PIN: exit 2, nothing sent;
// wrong PIN with the tries left, blocked PIN never sent, no reader or card:
// exit 3) and returns nullptr. The destructor logs out
// (JpkiClient::Logout: pcscd does not reset the card between clients).
class CardSession {
 public:
  // `blocked`, when given, is set when the PIN was found blocked.
  static std::unique_ptr<CardSession> Open(const CardOptions& options,
                                           card::client::JpkiKey key,
                                           Context& context,
                                           bool* blocked = nullptr);
  ~CardSession();

  card::client::JpkiClient& jpki() { return *jpki_; }
  card::client::JpkiKey key() const { return key_; }

 private:
  CardSession() = default;
  std::unique_ptr<card::client::PcscCard> reader_;
  std::unique_ptr<card::client::JpkiClient> jpki_;
  card::client::JpkiKey key_ = card::client::JpkiKey::kSignature;
};

}  // namespace openmyna::cli
