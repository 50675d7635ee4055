#include "openmyna/card/issuer_auth.h"

#include "kernel/crypto.h"

namespace openmyna::card {

Bytes IssuerAuthResponse(ByteView issuer_key, ByteView challenge) {
  Bytes message;
  message.reserve(kIssuerAuthLabel.size() + challenge.size());
  message.assign(kIssuerAuthLabel.begin(), kIssuerAuthLabel.end());
  Append(message, challenge);
  return crypto::HmacSha256(issuer_key, message);
}

}  // namespace openmyna::card
