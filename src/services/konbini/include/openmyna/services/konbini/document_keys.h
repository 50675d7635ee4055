// The municipalities' sandbox document-signing keys on disk:
// DIR/konbini/<code>.document-key.pem (private, 0600, made on first use)
// and DIR/konbini/<code>.document-key.pub.pem (public, 0644), the key a
// recipient uses to verify a document (docs/konbini.md); and the sandbox
// document CA (DIR/konbini/document-ca.pem, its key 0600) that certifies
// each municipality's key for the PDF signature
// (DIR/konbini/<code>.document-cert.pem).
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/pki/openssl_types.h"
#include "openmyna/services/konbini/document.h"

namespace openmyna::konbini {

// Runs `make` holding an exclusive flock(2) on DIR/konbini/keys.lock, so
// that processes sharing the folder make each key file once.
Status WithKeyDirLock(const std::filesystem::path& data_dir,
                      const std::function<Status()>& make);

std::filesystem::path DocumentPublicKeyPath(const std::filesystem::path& dir,
                                            std::string_view code);

// Loads the municipality's key, or makes and stores it.
Result<std::shared_ptr<DocumentSigner>> LoadOrCreateDocumentSigner(
    const std::filesystem::path& data_dir, const std::string& code);

std::filesystem::path DocumentCaPath(const std::filesystem::path& dir);

// The municipality's document-signing certificate (RSA, 5 years, keyUsage
// digitalSignature + nonRepudiation, CN "<code> document signing
// (SANDBOX)"), issued by the sandbox document CA; both made on first use.
Result<pki::X509Ptr> LoadOrCreateDocumentCertificate(
    const std::filesystem::path& data_dir, const std::string& code,
    const DocumentSigner& signer, const Clock& clock);

}  // namespace openmyna::konbini
