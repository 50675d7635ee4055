// The municipalities' inbox of online applications (ぴったりサービス, issue
// 10 item 6) as part of the registry API: a counter clerk, authenticated as
// for the rest of /v1/ (HTTP Basic credential of `openmyna init`; purpose in
// X-Purpose), lists, opens, accepts or rejects. Rules are in
// registry::OnlineApplications; errors are RFC 9457 problem documents.
//
//   GET  /v1/inbox/{municipality}?state=submitted|accepted|rejected
//   GET  /v1/online-applications/{id}              (audited: a read)
//   POST /v1/online-applications/{id}/accept       {}
//   POST /v1/online-applications/{id}/reject       {"reason": "..."}
#pragma once

#include "openmyna/base/result.h"
#include "openmyna/http/router.h"
#include "openmyna/registry/online_applications.h"
#include "openmyna/registry/store.h"

namespace openmyna::services {

// Adds the routes (longer prefixes than the registry API's /v1/*, so both
// can share one router). `store` (for credentials) and `applications` are
// borrowed.
Status AddApplicationInbox(http::Router& router, registry::RegistryStore& store,
                           registry::OnlineApplications& applications);

}  // namespace openmyna::services
