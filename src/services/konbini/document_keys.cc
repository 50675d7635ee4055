#include "openmyna/services/konbini/document_keys.h"

#include "openmyna/base/file_io.h"
#include "openmyna/services/konbini/errors.h"

namespace openmyna::konbini {
namespace {

std::filesystem::path KeyDir(const std::filesystem::path& dir) {
  return dir / "konbini";
}

}  // namespace

std::filesystem::path DocumentPublicKeyPath(const std::filesystem::path& dir,
                                            std::string_view code) {
  return KeyDir(dir) / (std::string(code) + ".document-key.pub.pem");
}

Result<std::shared_ptr<DocumentSigner>> LoadOrCreateDocumentSigner(
    const std::filesystem::path& data_dir, const std::string& code) {
  const auto private_path = KeyDir(data_dir) / (code + ".document-key.pem");
  const std::string key_id = "document-" + code;
  if (auto pem = ReadFileText(private_path)) {
    return DocumentSigner::FromPem(key_id, *pem);
  }
  OPENMYNA_RETURN_IF_ERROR(EnsurePrivateDirectory(KeyDir(data_dir)));
  OPENMYNA_ASSIGN_OR_RETURN(auto signer, DocumentSigner::Generate(key_id));
  OPENMYNA_RETURN_IF_ERROR(
      WriteFileAtomically(private_path, signer->PrivateKeyPem()));
  OPENMYNA_RETURN_IF_ERROR(WriteFileAtomically(
      DocumentPublicKeyPath(data_dir, code), signer->PublicKeyPem(),
      std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
          std::filesystem::perms::group_read |
          std::filesystem::perms::others_read));
  return signer;
}

}  // namespace openmyna::konbini
