// The provider's cache of parsed card certificates: pki::CertificateCache
// (openmyna/pki/certificate_cache.h), shared with the eligibility service.
#pragma once

#include "openmyna/pki/certificate_cache.h"

namespace openmyna::sign_in {

using CertificateCache = pki::CertificateCache;

}  // namespace openmyna::sign_in
