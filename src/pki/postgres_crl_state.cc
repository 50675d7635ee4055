// The CRLs of the PostgreSQL certificate store (docs/scale.md §3): the last
// CRL of each partition kept in pki_crl_state, so that several publishers
// (nodes) number and serve the same CRLs.
#include <string>
#include <utility>

#include "internal/openssl_util.h"
#include "internal/postgres_store.h"
#include "openmyna/pki/errors.h"

namespace openmyna::pki {

using internal::FromUnix;
using internal::PgParams;
using internal::PgResult;
using internal::ToUnix;

// The partition's row is locked (SELECT … FOR UPDATE on a second
// connection, so that `publish` may use the store meanwhile) from before
// `publish` reads the last CRL until its successor is committed: two nodes
// never number two CRLs alike (RFC 5280 §5.2.3).
Result<std::optional<SharedCrl>> PostgresCertificateStore::PublishShared(
    const std::string& url_path, const SharedCrlBuilder& publish) {
  std::lock_guard lock(impl_->crl_mutex);
  internal::PgConnection& crl = impl_->crl;
  if (!impl_->crl_open) {
    OPENMYNA_RETURN_IF_ERROR(crl.Open(impl_->url));
    impl_->crl_open = true;
  }
  crl.Heal();
  OPENMYNA_RETURN_IF_ERROR(crl.Exec("begin", "BEGIN"));
  auto body = [&]() -> Result<std::optional<SharedCrl>> {
    // The row exists before it is locked (a first publication included).
    OPENMYNA_RETURN_IF_ERROR(
        crl.Run("crl state",
                "INSERT INTO pki_crl_state VALUES ($1, 0, 0, 0, ''::bytea) "
                "ON CONFLICT DO NOTHING",
                std::move(PgParams().Text(url_path))));
    OPENMYNA_ASSIGN_OR_RETURN(
        PgResult res,
        crl.Run("crl state",
                "SELECT crl_number, sequence, this_update, der FROM "
                "pki_crl_state WHERE url_path = $1 FOR UPDATE",
                std::move(PgParams().Text(url_path))));
    std::optional<SharedCrl> current;
    if (res.rows() == 1 && res.integer(0, 0) > 0) {
      current = SharedCrl{static_cast<std::uint64_t>(res.integer(0, 0)),
                          static_cast<std::uint64_t>(res.integer(0, 1)),
                          FromUnix(res.integer(0, 2)), res.bytea(0, 3)};
    }
    OPENMYNA_ASSIGN_OR_RETURN(std::optional<SharedCrl> next, publish(current));
    if (!next) return current;
    if (current && next->crl_number <= current->crl_number) {
      return Fail(PkiErrc::kStore, "CRL number " +
                                       std::to_string(next->crl_number) +
                                       " is not above the published " +
                                       std::to_string(current->crl_number));
    }
    OPENMYNA_RETURN_IF_ERROR(
        crl.Run("crl state",
                "UPDATE pki_crl_state SET crl_number = $2, sequence = $3, "
                "this_update = $4, der = $5 WHERE url_path = $1",
                std::move(PgParams()
                              .Text(url_path)
                              .Int(static_cast<std::int64_t>(next->crl_number))
                              .Int(static_cast<std::int64_t>(next->sequence))
                              .Int(ToUnix(next->this_update))
                              .Binary(next->der))));
    return next;
  };
  auto result = body();
  if (!result) {
    (void)crl.Rollback();
    return result;
  }
  OPENMYNA_RETURN_IF_ERROR(crl.Exec("commit", "COMMIT"));
  return result;
}

}  // namespace openmyna::pki
