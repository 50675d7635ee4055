// The card-face data (text AP 券面事項入力補助AP and face AP 券面AP) a
// municipal terminal writes after a change of name or address
// (internal to the registry; PersoCardPort::RewriteTextData sends them with
// the issuer's UPDATE BINARY). The files are built for the card's EXISTING
// on-card keys (their public halves, as EF 0006/0007 publish them), so the
// card's private keys are never touched, and signed by the sandbox data
// issuer (card/perso's DIR/card-data-issuer.key, key IDs 9000033/9000023
// group 001 as card/perso writes them at issuance).
#pragma once

#include <filesystem>
#include <string_view>
#include <vector>

#include "openmyna/base/bytes.h"
#include "openmyna/base/result.h"
#include "openmyna/card/faces/personalize.h"
#include "openmyna/card/image.h"

namespace openmyna::registry {

struct CardFaceFile {
  std::string_view app;  // "text" | "face"
  card::Fid fid;
  Bytes contents;
};

// Text EF 0001-0008 and face EF 0001-0006 (card-apdu.md §5, §6, §8) for
// `profile` (its issuers and PIN are ignored) on the chip `image`. Errors:
// kUnavailable naming the step (no data issuer key, keys not generated,
// a builder's refusal).
Result<std::vector<CardFaceFile>> BuildCardFaceFiles(
    const card::CardImage& image, const card::faces::CardFacesProfile& profile,
    const std::filesystem::path& data_dir);

}  // namespace openmyna::registry
