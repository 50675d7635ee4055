// The certificate issuance centre (証明書交付センター, konbini.md §1.1-1.3):
// opens a session for a kiosk with a fresh request id and a challenge,
// authenticates the card (the 利用者証明用 certificate: the card's signature
// over the challenge, chain, validity and revocation), maps the certificate
// to the resident, routes the holder's request to an issuer instance of the
// chosen municipality with a deadline, and hands the signed document back
// for this session only.
//
// What makes the 2023 incidents impossible here (konbini.md §4):
//  - request ids are 128 random bits, never derived from the clock, so two
//    requests at the same instant never share an id or any state;
//  - a session's state is keyed by its request id alone; a document is
//    accepted only when its signed request id and subject are the session's
//    (otherwise issuance halts: the kill switch);
//  - a stage that misses its deadline aborts the WHOLE session: the late
//    answer is dropped, nothing of it can be fetched or printed;
//  - several issuer instances per municipality share nothing but the
//    registry (the multi-server topology is the only topology);
//  - a session left without a step for `session_timeout` (a kiosk that
//    vanished mid-way) is ended whole, whatever step it was at: nothing of
//    it can be fetched, printed or finished afterwards, and a late step is
//    told so;
//  - a session is bound to the kiosk that opened it: another kiosk that
//    presents its request id is refused exactly as for an unknown id.
//
// In place of a certificate, the authenticated holder may file the
// 利用登録申請 of their registered domicile (ApplyRegistration): the
// registry takes the card's authentication certificate as the applicant's
// proof only because the card signed this session's fresh challenge.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "openmyna/base/bytes.h"
#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/base/rng.h"
#include "openmyna/registry/store.h"
#include "openmyna/services/konbini/issuer.h"

namespace openmyna::registry {
class OnlineApplications;
}  // namespace openmyna::registry

namespace openmyna::konbini {

// Checks the card's authentication certificate and its signature over the
// challenge (RSASSA-PKCS1-v1_5 SHA-256): chain to the sandbox
// authentication roots, validity at `at`, revocation. Returns the serial
// (lower-case hex, as the registry stores it).
class CardVerifier {
 public:
  virtual ~CardVerifier() = default;
  virtual Result<std::string> Verify(ByteView certificate_der,
                                     ByteView challenge, ByteView signature,
                                     TimePoint at) = 0;
};

struct CentreOptions {
  // How long the centre waits for an issuer before it aborts the session.
  std::chrono::milliseconds issuer_deadline{10'000};
  // How long Finish waits for the print confirmation (a single ledger
  // update) before it tells the kiosk that nothing was printed (kTimeout);
  // the document is then void (docs/konbini.md, "Print confirmation").
  // Each void the centre sends (a single ledger update too) is given as
  // long; one not done by then is left to the issuers' sweep.
  std::chrono::milliseconds confirm_deadline{5'000};
  // A session with no step for this long is ended (the kiosk vanished or
  // was left): the same 180 s as the kiosk screen's reset (kiosk_page.h).
  std::chrono::seconds session_timeout{180};
  // Certificate → resident mapping: by default usable from the day after
  // the certificate was issued (konbini.md §1.3, "next day"); true: at once.
  bool immediate_mapping = false;
  // The hours of the service (the guidebook: every day 06:30-23:00).
  domain::ServiceWindow hours = domain::kKonbiniHours;
  std::vector<domain::Maintenance> maintenance;
};

struct SessionStart {
  std::string request_id;
  Bytes challenge;  // 32 random bytes for the card to sign
};

// What the centre established about the holder.
struct Authenticated {
  std::string request_id;
  std::string resident_id;
  std::string certificate_serial;
  std::string municipality_code;  // of residence
};

// The 利用登録申請 as the holder fills it in at the kiosk (the fields of
// registry::OnlineApplicationKind::kKonbiniRegistration, docs/portal.md).
struct RegistrationForm {
  std::string domicile_municipality;  // 本籍地: local government code
  std::string domicile;               // 本籍, as the holder writes it
  std::string head_of_family;         // 筆頭者
};

// The application as the domicile's inbox received it.
struct RegistrationReceipt {
  std::string application_id;     // "oa-..."
  std::string municipality_code;  // the domicile's inbox
};

// What a kiosk talks to: the centre in process (Centre) or over HTTP
// (centre_http.h). The same four steps either way.
class CentrePort {
 public:
  virtual ~CentrePort() = default;
  virtual Result<SessionStart> Begin() = 0;
  virtual Result<Authenticated> Authenticate(std::string_view request_id,
                                             ByteView certificate_der,
                                             ByteView signature) = 0;
  virtual Result<SignedDocument> Request(std::string_view request_id,
                                         const std::string& municipality_code,
                                         const IssueRequest& choice) = 0;
  // Ends the session to print. Ok when it was still open and its document
  // (if any) is confirmed printed in the ledger: a kiosk prints only then;
  // kNoSession when it had already ended (timed out, aborted); another
  // error when the confirmation failed (nothing may be printed).
  virtual Status Finish(std::string_view request_id) = 0;
  // The authenticated holder's 利用登録申請 instead of a certificate; the
  // session then takes no request and is ended by the kiosk.
  virtual Result<RegistrationReceipt> ApplyRegistration(
      std::string_view request_id, const RegistrationForm& form);
  // Ends the session WITHOUT printing (cancelled, underpaid, a document
  // the kiosk refused): a document fetched in it is void in its ledger.
  // Default: Finish (a port that keeps no ledger).
  virtual Status Cancel(std::string_view request_id) {
    return Finish(request_id);
  }
};

class WorkerThreads;  // worker_threads.h

class Centre final : public CentrePort {
 public:
  // Borrowed references must outlive the centre.
  Centre(registry::RegistryStore& store, const Clock& clock, Rng& rng,
         CardVerifier& verifier, CentreOptions options = {});
  // Waits for the issuer calls still running (their answers are dropped).
  ~Centre();
  Centre(const Centre&) = delete;
  Centre& operator=(const Centre&) = delete;

  // Adds an issuer instance for a municipality (several per municipality
  // are used in turn; an instance that answers kUnreachable — nothing was
  // sent to it — is passed over for the next one within the deadline).
  void AddIssuer(const std::string& municipality_code,
                 std::shared_ptr<IssuerPort> issuer);

  // The steps as the kiosk `kiosk` takes them (the enrolled kiosk id of
  // the centre's HTTP API, centre_http.h). A session belongs to the kiosk
  // that began it: any other kiosk presenting its request id gets the
  // refusal of an unknown id (kNoSession, same text), and the session is
  // neither touched nor ended by it. The CentrePort steps below are the
  // in-process kiosk's (id "").
  //
  // A new session: request id and challenge. Refused outside the hours.
  Result<SessionStart> Begin(std::string_view kiosk);
  // The card's answer: certificate (DER) and signature over the challenge.
  // On success the card may be released (konbini.md §1.3).
  Result<Authenticated> Authenticate(std::string_view kiosk,
                                     std::string_view request_id,
                                     ByteView certificate_der,
                                     ByteView signature);
  // The holder's choice, routed to an instance of `municipality_code`
  // within the deadline. The document is checked against the session
  // (request id, subject, municipality, certificate) before it is returned.
  // A refusal (kRefused, kInvalidInput) lets the holder choose again; any
  // other failure of the issuer ends the session.
  Result<SignedDocument> Request(std::string_view kiosk,
                                 std::string_view request_id,
                                 const std::string& municipality_code,
                                 const IssueRequest& choice);
  // The kiosk prints: the session ends and is wiped, and the document it
  // fetched is confirmed printed at an issuer instance of its municipality
  // (IssuerPort::Confirm) before Ok; when no instance confirms, the
  // document is voided and kUnavailable says that nothing may be printed;
  // when none has answered within confirm_deadline, kTimeout says so at
  // once and the document is voided (by the issuers' sweep if no instance
  // can be reached).
  Status Finish(std::string_view kiosk, std::string_view request_id);
  // The kiosk gives up without printing: the session ends and is wiped.
  Status Cancel(std::string_view kiosk, std::string_view request_id);
  // The 利用登録申請 of the holder this session authenticated (the card
  // signed its challenge): registry::OnlineApplications::SubmitAtKiosk
  // with the holder's resident id and authentication certificate, never
  // the caller's. Refused (kRefused, the kiosk's text) when the domicile is
  // the municipality of residence or the registry refuses; kNoSession
  // unless the session is authenticated and has neither a document nor an
  // application. Audited on the resident's trail as the kiosk's act.
  Result<RegistrationReceipt> ApplyRegistration(std::string_view kiosk,
                                                std::string_view request_id,
                                                const RegistrationForm& form);

  Result<SessionStart> Begin() override { return Begin(""); }
  Result<Authenticated> Authenticate(std::string_view request_id,
                                     ByteView certificate_der,
                                     ByteView signature) override {
    return Authenticate("", request_id, certificate_der, signature);
  }
  Result<SignedDocument> Request(std::string_view request_id,
                                 const std::string& municipality_code,
                                 const IssueRequest& choice) override {
    return Request("", request_id, municipality_code, choice);
  }
  Status Finish(std::string_view request_id) override {
    return Finish("", request_id);
  }
  Status Cancel(std::string_view request_id) override {
    return Cancel("", request_id);
  }
  Result<RegistrationReceipt> ApplyRegistration(
      std::string_view request_id, const RegistrationForm& form) override {
    return ApplyRegistration("", request_id, form);
  }

  // Sessions open now (for tests and monitoring); ends the timed-out ones
  // first.
  std::size_t OpenSessions() const;
  // True once a binding violation halted issuance (konbini.md §4, Shingu's
  // instant-stop rule). Every later Request is refused.
  bool Halted() const { return halted_.load(); }

 private:
  enum class SessionState {
    kOpen,
    kAuthenticated,
    kRequesting,
    kFetched,
    kApplied,  // a 利用登録申請 was filed: nothing more but the end
    kAborted
  };
  struct Session;
  struct LockedSession;
  struct InFlight;
  // The open session of `kiosk` (its last step now); kNoSession, saying
  // whether it timed out, when that kiosk has none of that id.
  Result<std::shared_ptr<Session>> Find(std::string_view kiosk,
                                        std::string_view request_id) const;
  // The open session of `kiosk`, its mutex held (Find's refusals); with
  // `state`, kNoSession saying `refusal` when it is in another state.
  Result<LockedSession> LockedSessionIn(std::string_view kiosk,
                                        std::string_view request_id,
                                        std::optional<SessionState> state,
                                        std::string_view refusal = {}) const;
  // Ends the session; false when it was not open.
  bool Abort(std::string_view request_id);
  // Takes out every session without a step for session_timeout (the
  // caller holds mutex_, and Ends them after releasing it: lock order).
  std::vector<std::shared_ptr<Session>> TakeStaleLocked(TimePoint now) const;
  Error NoSessionLocked(std::string_view kiosk,
                        std::string_view request_id) const;
  // Ends the sessions TakeStaleLocked took; a document handed out in one
  // is voided (timed out).
  void EndStale(const std::vector<std::shared_ptr<Session>>& stale) const;
  // The municipality's instances, starting with the next in turn; a new
  // document takes its turn (the round robin), a void or a confirmation
  // (any instance serves it: they share the ledger) does not.
  std::vector<std::shared_ptr<IssuerPort>> InstancesOf(
      const std::string& municipality_code, bool take_turn = false) const;
  // Voids a handed-out document in its ledger on a thread of its own
  // (counted in calls_: the destructor waits for it), within
  // confirm_deadline.
  void VoidLater(const std::string& municipality_code,
                 VoidRequest request) const;
  // The same, asking the instances in the order given.
  void VoidLater(std::vector<std::shared_ptr<IssuerPort>> order,
                 VoidRequest request) const;

  registry::RegistryStore& store_;
  const Clock& clock_;
  Rng& rng_;
  CardVerifier& verifier_;
  CentreOptions options_;
  mutable std::mutex mutex_;
  // mutable: a const look-up also ends the timed-out sessions.
  mutable std::map<std::string, std::shared_ptr<Session>, std::less<>>
      sessions_;
  // Ids ended by the timeout, kept one more timeout to name the reason to
  // their kiosk.
  struct TimedOut {
    TimePoint at;
    std::string kiosk;
  };
  mutable std::map<std::string, TimedOut, std::less<>> timed_out_;
  std::map<std::string, std::vector<std::shared_ptr<IssuerPort>>> issuers_;
  mutable std::map<std::string, std::size_t> next_;
  std::atomic<bool> halted_{false};
  std::shared_ptr<InFlight> calls_;
  std::unique_ptr<registry::OnlineApplications> applications_;
  // The threads of the issuer calls, kept between calls (worker_threads.h);
  // destroyed first, once every call has ended.
  std::unique_ptr<WorkerThreads> workers_;
};

}  // namespace openmyna::konbini
