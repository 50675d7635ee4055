// The municipalities' sandbox document-signing keys on disk:
// DIR/konbini/<code>.document-key.pem (private, 0600, made on first use)
// and DIR/konbini/<code>.document-key.pub.pem (public, 0644), the key a
// recipient uses to verify a document (docs/konbini.md).
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "openmyna/base/result.h"
#include "openmyna/services/konbini/document.h"

namespace openmyna::konbini {

std::filesystem::path DocumentPublicKeyPath(const std::filesystem::path& dir,
                                            std::string_view code);

// Loads the municipality's key, or makes and stores it.
Result<std::shared_ptr<DocumentSigner>> LoadOrCreateDocumentSigner(
    const std::filesystem::path& data_dir, const std::string& code);

}  // namespace openmyna::konbini
