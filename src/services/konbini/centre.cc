#include "openmyna/services/konbini/centre.h"

#include <condition_variable>
#include <functional>
#include <future>
#include <thread>

#include "holder.h"
#include "openmyna/base/log.h"
#include "openmyna/domain/date.h"
#include "openmyna/registry/errors.h"
#include "openmyna/registry/konbini_ledger.h"
#include "openmyna/registry/online_applications.h"
#include "openmyna/services/konbini/errors.h"
#include "worker_threads.h"

namespace openmyna::konbini {
namespace {

// Asks the municipality's instances in turn (they share the ledger): one
// that was not reached, did not answer or failed may not have done it, the
// next one can; a repeat is Ok. Only a refusal of the request itself
// (kInvalidInput, kRefused) ends the round early, or `next` answering
// false before an instance is asked (the caller stopped waiting).
Status AskInTurn(
    const std::vector<std::shared_ptr<IssuerPort>>& order,
    const std::function<Status(IssuerPort&)>& ask,
    const std::function<bool(const std::shared_ptr<IssuerPort>&)>& next = {}) {
  Status done = Fail(KonbiniErrc::kUnavailable, "no issuer instance");
  for (const auto& issuer : order) {
    if (next && !next(issuer)) break;
    done = ask(*issuer);
    if (done || done.error().Is(KonbiniErrc::kInvalidInput) ||
        done.error().Is(KonbiniErrc::kRefused)) {
      break;
    }
  }
  return done;
}

// Marks the document void, asking for at most `within` (an instance that
// does not answer by then holds the calling thread no longer). A failure is
// logged: the row then stands unconfirmed until the issuers' sweep voids it
// (ledger_sweeper.h).
void VoidAt(const std::vector<std::shared_ptr<IssuerPort>>& order,
            VoidRequest request, std::chrono::milliseconds within) {
  request.answer_by = std::chrono::steady_clock::now() + within;
  Status done = AskInTurn(
      order, [&](IssuerPort& issuer) { return issuer.Void(request); });
  if (!done) {
    log::Get("konbini")->error(
        "the ledger row of {} ({}, never printed) was not voided: {}",
        request.request_id, request.reason, done.error().message());
  }
}

// `order` with `stuck` (the instance that did not answer in time, if any)
// moved to the end: a void asks the others first, as they share the
// ledger, and waits on the stuck one only when none of them could do it.
std::vector<std::shared_ptr<IssuerPort>> StuckLast(
    std::vector<std::shared_ptr<IssuerPort>> order,
    const std::shared_ptr<IssuerPort>& stuck) {
  if (stuck) {
    std::erase(order, stuck);
    order.push_back(stuck);
  }
  return order;
}

// Whether an issuer that answered `error` may have committed a ledger row
// although the centre got no document: not for a refusal or bad input (the
// issuer decided before its commit) nor when no instance was reached.
bool MayHaveRecorded(const Error& error) {
  return !(error.Is(KonbiniErrc::kRefused) ||
           error.Is(KonbiniErrc::kInvalidInput) ||
           error.Is(KonbiniErrc::kUnreachable));
}

// The void of what the issuer answered to `request_id`: its document's row,
// or, with no document, the row of the request id, if there is one.
VoidRequest VoidOf(const std::string& request_id,
                   const Result<SignedDocument>& answer,
                   std::string_view reason) {
  return {request_id, answer ? answer->document.issuer_request_id : "",
          std::string(reason)};
}

}  // namespace

// In-flight issuer calls, so that the centre outlives every thread it
// started (a late answer is dropped, but its thread still finishes).
struct Centre::InFlight {
  std::mutex mutex;
  std::condition_variable idle;
  int count = 0;
};

struct Centre::Session {
  using State = SessionState;
  std::mutex mutex;
  std::string request_id;
  std::string kiosk;  // the kiosk that began it (never changes)
  Bytes challenge;
  State state = State::kOpen;
  Authenticated who;
  TimePoint touched;  // the last step (guarded by the centre's mutex_)
  // kFetched: the document handed to the kiosk (to void it unless printed).
  std::string fetched_municipality;
  std::string fetched_issuer_request_id;
  // The instance that answered with it: the first asked to confirm the
  // print (it just answered; another may be frozen).
  std::shared_ptr<IssuerPort> fetched_from;

  // The void of the document handed out, or nullopt when none was
  // (the caller holds `mutex`).
  std::optional<std::pair<std::string, VoidRequest>> FetchedLocked(
      std::string_view reason) const {
    if (state != State::kFetched) return std::nullopt;
    return std::pair(fetched_municipality,
                     VoidRequest{request_id, fetched_issuer_request_id,
                                 std::string(reason)});
  }

  // Ends it whole: no step, answer or print can follow; what it held (the
  // challenge, the holder) is wiped.
  void End() {
    std::lock_guard lock(mutex);
    state = State::kAborted;
    challenge.clear();
    who = {};
  }
};

Centre::Centre(registry::RegistryStore& store, const Clock& clock, Rng& rng,
               CardVerifier& verifier, CentreOptions options)
    : store_(store),
      clock_(clock),
      rng_(rng),
      verifier_(verifier),
      options_(std::move(options)),
      calls_(std::make_shared<InFlight>()),
      // Only SubmitAtKiosk is used: no signature roots are needed.
      applications_(std::make_unique<registry::OnlineApplications>(
          store, clock, rng, registry::SignatureTrust{})),
      workers_(std::make_unique<WorkerThreads>()) {}

Centre::~Centre() {
  std::unique_lock lock(calls_->mutex);
  calls_->idle.wait(lock, [this] { return calls_->count == 0; });
}

void Centre::AddIssuer(const std::string& municipality_code,
                       std::shared_ptr<IssuerPort> issuer) {
  std::lock_guard lock(mutex_);
  issuers_[municipality_code].push_back(std::move(issuer));
}

std::size_t Centre::OpenSessions() const {
  std::vector<std::shared_ptr<Session>> stale;
  std::size_t open = 0;
  {
    std::lock_guard lock(mutex_);
    stale = TakeStaleLocked(clock_.Now());
    open = sessions_.size();
  }
  EndStale(stale);
  return open;
}

std::vector<std::shared_ptr<Centre::Session>> Centre::TakeStaleLocked(
    TimePoint now) const {
  std::vector<std::shared_ptr<Session>> stale;
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (now - it->second->touched > options_.session_timeout) {
      stale.push_back(it->second);
      timed_out_[it->first] = {now, it->second->kiosk};
      it = sessions_.erase(it);
    } else {
      ++it;
    }
  }
  // The reason is told for one more timeout, then forgotten.
  std::erase_if(timed_out_, [&](const auto& t) {
    return now - t.second.at > options_.session_timeout;
  });
  return stale;
}

void Centre::EndStale(
    const std::vector<std::shared_ptr<Session>>& stale) const {
  for (const auto& session : stale) {
    std::optional<std::pair<std::string, VoidRequest>> fetched;
    {
      std::lock_guard lock(session->mutex);
      fetched = session->FetchedLocked(registry::kVoidTimedOut);
    }
    session->End();
    if (fetched) VoidLater(fetched->first, std::move(fetched->second));
  }
}

std::vector<std::shared_ptr<IssuerPort>> Centre::InstancesOf(
    const std::string& municipality_code, bool take_turn) const {
  std::vector<std::shared_ptr<IssuerPort>> order;
  std::lock_guard lock(mutex_);
  auto it = issuers_.find(municipality_code);
  if (it != issuers_.end() && !it->second.empty()) {
    const std::size_t first =
        take_turn ? next_[municipality_code]++ : next_[municipality_code];
    for (std::size_t i = 0; i < it->second.size(); ++i) {
      order.push_back(it->second[(first + i) % it->second.size()]);
    }
  }
  return order;
}

void Centre::VoidLater(const std::string& municipality_code,
                       VoidRequest request) const {
  VoidLater(InstancesOf(municipality_code), std::move(request));
}

void Centre::VoidLater(std::vector<std::shared_ptr<IssuerPort>> order,
                       VoidRequest request) const {
  {
    std::lock_guard lock(calls_->mutex);
    ++calls_->count;
  }
  workers_->Post([order = std::move(order), request = std::move(request),
                  calls = calls_, within = options_.confirm_deadline] {
    VoidAt(order, request, within);
    std::lock_guard lock(calls->mutex);
    if (--calls->count == 0) calls->idle.notify_all();
  });
}

Error Centre::NoSessionLocked(std::string_view kiosk,
                              std::string_view request_id) const {
  // Only the session's own kiosk learns that it timed out.
  if (auto t = timed_out_.find(request_id);
      t != timed_out_.end() && t->second.kiosk == kiosk) {
    return Error(KonbiniErrc::kNoSession,
                 "時間切れのため取引を終了しました。最初からやり直してください "
                 "(session " +
                     std::string(request_id) + " had no step for " +
                     std::to_string(options_.session_timeout.count()) +
                     " s and was ended; nothing was printed)");
  }
  return Error(KonbiniErrc::kNoSession,
               "no open session " + std::string(request_id));
}

Result<std::shared_ptr<Centre::Session>> Centre::Find(
    std::string_view kiosk, std::string_view request_id) const {
  const TimePoint now = clock_.Now();
  std::vector<std::shared_ptr<Session>> stale;
  std::shared_ptr<Session> found;
  Error missing(KonbiniErrc::kNoSession, "");
  {
    std::lock_guard lock(mutex_);
    stale = TakeStaleLocked(now);
    auto it = sessions_.find(request_id);
    // Another kiosk's session is, to this kiosk, no session at all.
    if (it == sessions_.end() || it->second->kiosk != kiosk) {
      missing = NoSessionLocked(kiosk, request_id);
    } else {
      found = it->second;
      found->touched = now;
    }
  }
  EndStale(stale);  // outside mutex_ (lock order)
  if (!found) return Unexpected(std::move(missing));
  return found;
}

// A session found for its kiosk, its mutex held.
struct Centre::LockedSession {
  std::shared_ptr<Session> session;
  std::unique_lock<std::mutex> lock;
  Session* operator->() const { return session.get(); }
};

Result<Centre::LockedSession> Centre::LockedSessionIn(
    std::string_view kiosk, std::string_view request_id,
    std::optional<SessionState> state, std::string_view refusal) const {
  OPENMYNA_ASSIGN_OR_RETURN(auto session, Find(kiosk, request_id));
  std::unique_lock lock(session->mutex);
  if (state && session->state != *state) {
    return Fail(KonbiniErrc::kNoSession, std::string(refusal));
  }
  return LockedSession{std::move(session), std::move(lock)};
}

bool Centre::Abort(std::string_view request_id) {
  std::shared_ptr<Session> session;
  {
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(request_id);
    if (it == sessions_.end()) return false;
    session = it->second;
    sessions_.erase(it);
  }
  session->End();
  return true;
}

Result<RegistrationReceipt> CentrePort::ApplyRegistration(
    std::string_view, const RegistrationForm&) {
  return Fail(KonbiniErrc::kUnavailable, "this centre takes no 利用登録申請");
}

Status Centre::Finish(std::string_view kiosk, std::string_view request_id) {
  OPENMYNA_ASSIGN_OR_RETURN(auto session,
                            LockedSessionIn(kiosk, request_id, std::nullopt));
  const bool aborted = session->state == Session::State::kAborted;
  auto fetched = session->FetchedLocked(registry::kVoidDropped);
  // The instance that issued it is the first asked to confirm the print.
  const std::shared_ptr<IssuerPort> issued_by = session->fetched_from;
  session.lock.unlock();  // Abort ends it under its mutex (lock order)
  if (!Abort(request_id) || aborted) {
    return Fail(KonbiniErrc::kNoSession,
                "the session had already ended; nothing was printed");
  }
  if (!fetched) return Ok();
  // The print confirmation: the kiosk prints only once the ledger row is
  // marked printed. Unconfirmed, it is voided now, or by the issuers'
  // sweep after its deadline if this centre goes away first. The instance
  // that issued it first, then the others (they share the ledger).
  std::vector<std::shared_ptr<IssuerPort>> order;
  if (issued_by) order.push_back(issued_by);
  for (auto& other : InstancesOf(fetched->first)) {
    if (other != issued_by) order.push_back(std::move(other));
  }
  // Asked on a thread, waited for up to confirm_deadline: an instance that
  // froze between the fetch and the print (SIGSTOP, a stalled disk) holds
  // that thread, not the kiosk, and only until the deadline (answer_by: a
  // transport's call ends with it).
  const PrintConfirmation printed{
      std::string(request_id), fetched->second.issuer_request_id,
      std::chrono::steady_clock::now() + options_.confirm_deadline};
  struct Call {
    std::mutex mutex;
    bool abandoned = false;
    std::shared_ptr<IssuerPort> asking;  // the instance asked now
    std::promise<Status> promise;
  };
  auto call = std::make_shared<Call>();
  auto answer = call->promise.get_future();
  {
    std::lock_guard lock(calls_->mutex);
    ++calls_->count;
  }
  workers_->Post([order, printed, void_request = fetched->second, call,
                  calls = calls_, within = options_.confirm_deadline] {
    Status confirmed = AskInTurn(
        order, [&](IssuerPort& issuer) { return issuer.Confirm(printed); },
        [&](const std::shared_ptr<IssuerPort>& issuer) {
          // None asked past the deadline (the answer would come late).
          std::lock_guard lock(call->mutex);
          if (call->abandoned ||
              std::chrono::steady_clock::now() >= printed.answer_by) {
            return false;
          }
          call->asking = issuer;
          return true;
        });
    bool late = false;
    {
      std::lock_guard lock(call->mutex);
      late = call->abandoned;
      if (!late) call->promise.set_value(std::move(confirmed));
    }
    // Given up on, the kiosk printed nothing: the row is void whatever the
    // answer, a confirmation that came late included (it is voided after).
    if (late) VoidAt(order, void_request, within);
    std::lock_guard lock(calls->mutex);
    if (--calls->count == 0) calls->idle.notify_all();
  });
  bool abandoned = false;
  if (answer.wait_until(printed.answer_by) != std::future_status::ready) {
    std::lock_guard lock(call->mutex);
    // Answered between the wait and the lock: taken after all.
    abandoned =
        answer.wait_for(std::chrono::seconds(0)) != std::future_status::ready;
    call->abandoned = abandoned;
  }
  Status confirmed = Fail(KonbiniErrc::kTimeout, "no answer");
  if (!abandoned) confirmed = answer.get();
  if (confirmed) return Ok();
  if (abandoned || std::chrono::steady_clock::now() >= printed.answer_by) {
    // Given up on, or failed at the deadline (the instance's call ended
    // with it). Voided now through the other instances first (the one that
    // did not answer last); the sweep voids it if none can.
    std::shared_ptr<IssuerPort> stuck;
    {
      std::lock_guard lock(call->mutex);
      stuck = call->asking;
    }
    VoidLater(StuckLast(order, stuck), std::move(fetched->second));
    return Fail(KonbiniErrc::kTimeout,
                "時間内に印刷を確認できませんでした。印刷はされていません。"
                "最初からやり直してください (the issuer did not confirm the "
                "print within " +
                    std::to_string(options_.confirm_deadline.count()) +
                    " ms; nothing was printed)");
  }
  VoidLater(fetched->first, std::move(fetched->second));
  return Fail(KonbiniErrc::kUnavailable,
              "印刷できませんでした。最初からやり直してください (the issuer "
              "did not confirm the print: " +
                  confirmed.error().message() + "; nothing was printed)");
}

Status Centre::Cancel(std::string_view kiosk, std::string_view request_id) {
  // Only the session's own kiosk may end it.
  OPENMYNA_ASSIGN_OR_RETURN(auto session,
                            LockedSessionIn(kiosk, request_id, std::nullopt));
  auto fetched = session->FetchedLocked(registry::kVoidCancelled);
  session.lock.unlock();  // Abort ends it under its mutex (lock order)
  if (!Abort(request_id)) {
    return Fail(KonbiniErrc::kNoSession, "the session had already ended");
  }
  // Nothing was printed: the document handed out is void in its ledger.
  if (fetched) VoidLater(fetched->first, std::move(fetched->second));
  return Ok();
}

Result<RegistrationReceipt> Centre::ApplyRegistration(
    std::string_view kiosk, std::string_view request_id,
    const RegistrationForm& form) {
  OPENMYNA_ASSIGN_OR_RETURN(
      auto session,
      LockedSessionIn(kiosk, request_id, SessionState::kAuthenticated,
                      "the session is not authenticated or already has a "
                      "document or an application"));
  if (form.domicile_municipality == session->who.municipality_code) {
    return Fail(KonbiniErrc::kRefused,
                "本籍地が住所地と同じため、利用登録申請は不要です (the "
                "domicile is the municipality of residence: no registration "
                "is needed)");
  }
  // One application at a time (review finding 8) is the registry's rule,
  // checked in the transaction that files it (online_applications.h).
  // The holder and the certificate are the session's: the card signed its
  // fresh challenge (the registry's contract, online_applications.h).
  const registry::OnlineApplicationDraft draft{
      session->who.resident_id,
      registry::OnlineApplicationKind::kKonbiniRegistration,
      {{"domicile_municipality", form.domicile_municipality},
       {"domicile", form.domicile},
       {"head_of_family", form.head_of_family}}};
  const registry::Actor actor{
      "konbini-centre:" +
          (kiosk.empty() ? std::string("local") : std::string(kiosk)),
      registry::Role::kKiosk,
      "利用登録申請 (request " + session->request_id + ")"};
  auto filed = applications_->SubmitAtKiosk(actor, draft,
                                            session->who.certificate_serial);
  if (!filed) {
    const Error& e = filed.error();
    const std::string text =
        "利用登録申請を受け付けられません (the application was not "
        "accepted: " +
        e.message() + ")";
    if (e.Is(registry::RegistryErrc::kInvalidInput)) {
      return Fail(KonbiniErrc::kInvalidInput, text);
    }
    if (e.Is(registry::RegistryErrc::kRefused) ||
        e.Is(registry::RegistryErrc::kNotFound)) {
      return Fail(KonbiniErrc::kRefused, text);
    }
    return Fail(KonbiniErrc::kInternal, text);
  }
  session->state = Session::State::kApplied;
  return RegistrationReceipt{filed->id, filed->municipality_code};
}

Result<SessionStart> Centre::Begin(std::string_view kiosk) {
  if (auto closed = domain::KonbiniClosedReason(clock_.Now(), options_.hours,
                                                options_.maintenance)) {
    return Fail(KonbiniErrc::kRefused, *closed);
  }
  auto session = std::make_shared<Session>();
  // 128 random bits: never the clock (the Kawasaki class, konbini.md §4).
  session->request_id = "req-" + ToHex(rng_.Bytes(16));
  session->kiosk = std::string(kiosk);
  session->challenge = rng_.Bytes(32);
  SessionStart start{session->request_id, session->challenge};
  session->touched = clock_.Now();
  std::vector<std::shared_ptr<Session>> stale;
  bool added = false;
  {
    std::lock_guard lock(mutex_);
    stale = TakeStaleLocked(session->touched);
    added = sessions_.emplace(session->request_id, session).second;
  }
  EndStale(stale);
  if (!added) return Fail(KonbiniErrc::kInternal, "request id collision");
  return start;
}

Result<Authenticated> Centre::Authenticate(std::string_view kiosk,
                                           std::string_view request_id,
                                           ByteView certificate_der,
                                           ByteView signature) {
  OPENMYNA_ASSIGN_OR_RETURN(
      auto session, LockedSessionIn(kiosk, request_id, SessionState::kOpen,
                                    "the session is not waiting for a card"));
  const TimePoint now = clock_.Now();
  auto serial =
      verifier_.Verify(certificate_der, session->challenge, signature, now);
  if (!serial) {
    if (serial.error().Is(KonbiniErrc::kRefused)) {
      return Unexpected(std::move(serial).error());
    }
    return Fail(KonbiniErrc::kRefused,
                "このカードの利用者証明用電子証明書は利用できません "
                "(the authentication certificate was not accepted: " +
                    serial.error().message() + ")");
  }
  const domain::Date today = domain::JapanDateOf(now);
  Authenticated who{session->request_id, "", *serial, ""};
  // Reads only: a snapshot beside the writer (store.h Read), so sessions
  // signing in do not queue behind the issuers' ledger commits.
  OPENMYNA_RETURN_IF_ERROR(store_.Read([&](registry::RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(
        auto resident,
        CheckHolder(tx, *serial, today, options_.immediate_mapping));
    who.resident_id = resident.id;
    who.municipality_code = resident.municipality_code;
    return Ok();
  }));
  session->who = who;
  session->challenge.clear();
  session->state = Session::State::kAuthenticated;
  return who;
}

Result<SignedDocument> Centre::Request(std::string_view kiosk,
                                       std::string_view request_id,
                                       const std::string& municipality_code,
                                       const IssueRequest& choice) {
  if (halted_.load()) {
    return Fail(KonbiniErrc::kUnavailable,
                "issuance is halted after a binding violation");
  }
  IssueRequest request = choice;
  OPENMYNA_ASSIGN_OR_RETURN(
      auto locked,
      LockedSessionIn(kiosk, request_id, SessionState::kAuthenticated,
                      "the session is not authenticated or already has a "
                      "document"));
  locked->state = Session::State::kRequesting;
  // The session decides who and which request: never the caller.
  request.request_id = locked->request_id;
  request.subject = locked->who.resident_id;
  locked.lock.unlock();  // not held while the issuer works
  const std::shared_ptr<Session> session = std::move(locked.session);
  // The document must be confirmed printed within the session's life: a
  // Finish comes at most session_timeout after this step (Find).
  request.print_by = clock_.Now() + options_.session_timeout;
  // The issuer stops working on it when this call stops waiting (below).
  request.answer_by =
      std::chrono::steady_clock::now() + options_.issuer_deadline;
  if (auto row = domain::KonbiniFeeOn(domain::SandboxKonbiniFees(),
                                      municipality_code, request.certificate,
                                      domain::JapanDateOf(clock_.Now()))) {
    request.fee_yen = row->konbini_yen * request.copies;
  }
  // The municipality's instances, starting with the next in turn.
  std::vector<std::shared_ptr<IssuerPort>> order =
      InstancesOf(municipality_code, /*take_turn=*/true);
  if (order.empty()) {
    Abort(request_id);
    return Fail(KonbiniErrc::kUnavailable,
                "この市区町村はコンビニ交付に参加していません (no issuer for " +
                    municipality_code + ")");
  }
  // The call's answer, or, once the centre stopped waiting for it
  // (`abandoned`, under `mutex`), its void.
  struct Call {
    std::mutex mutex;
    bool abandoned = false;
    std::shared_ptr<IssuerPort> answered_by;  // set before the promise
    std::promise<Result<SignedDocument>> promise;
  };
  auto call = std::make_shared<Call>();
  auto answer = call->promise.get_future();
  {
    std::lock_guard lock(calls_->mutex);
    ++calls_->count;
  }
  workers_->Post([order, request, call, calls = calls_,
                  within = options_.confirm_deadline] {
    // An instance that could not be reached got nothing: the next one may
    // serve the request. Any other answer is final.
    Result<SignedDocument> result = Fail(KonbiniErrc::kInternal, "no answer");
    for (const auto& issuer : order) {
      {
        // Given up on before an instance was asked: ask none.
        std::lock_guard lock(call->mutex);
        if (call->abandoned) {
          result = Fail(KonbiniErrc::kUnreachable, "the centre gave up first");
          break;
        }
      }
      result = issuer->Issue(request);
      if (result || !result.error().Is(KonbiniErrc::kUnreachable)) {
        std::lock_guard lock(call->mutex);
        call->answered_by = issuer;
        break;
      }
    }
    std::optional<VoidRequest> late;
    {
      std::lock_guard lock(call->mutex);
      if (call->abandoned) {
        // Past the deadline: no kiosk will ever see it.
        if (result || MayHaveRecorded(result.error())) {
          late = VoidOf(request.request_id, result, registry::kVoidDropped);
        }
      } else {
        call->promise.set_value(std::move(result));
      }
    }
    if (late) VoidAt(order, *late, within);
    std::lock_guard lock(calls->mutex);
    if (--calls->count == 0) calls->idle.notify_all();
  });
  bool abandoned = false;
  if (answer.wait_until(request.answer_by) != std::future_status::ready) {
    std::lock_guard lock(call->mutex);
    // Answered between the wait and the lock: taken after all.
    abandoned =
        answer.wait_for(std::chrono::seconds(0)) != std::future_status::ready;
    call->abandoned = abandoned;
  }
  if (abandoned) {
    // The whole session ends: the late answer is never reachable.
    Abort(request_id);
    return Fail(KonbiniErrc::kTimeout,
                "時間内に応答がありませんでした。最初からやり直してください "
                "(the issuer did not answer in time; nothing was printed)");
  }
  Result<SignedDocument> result = answer.get();
  std::lock_guard lock(session->mutex);
  if (session->state != Session::State::kRequesting) {
    if (result || MayHaveRecorded(result.error())) {
      VoidLater(municipality_code,
                VoidOf(request.request_id, result, registry::kVoidDropped));
    }
    return Fail(KonbiniErrc::kNoSession,
                "取引は終了しました。最初からやり直してください (the session "
                "ended while the issuer worked: timed out or cancelled; its "
                "document was dropped, nothing was printed)");
  }
  if (!result) {
    if (result.error().Is(KonbiniErrc::kRefused) ||
        result.error().Is(KonbiniErrc::kInvalidInput)) {
      session->state = Session::State::kAuthenticated;  // may choose again
      return result;
    }
    // The issuer failed (or vanished mid-request): the whole session ends.
    session->state = Session::State::kAborted;
    {
      std::lock_guard sessions_lock(mutex_);
      sessions_.erase(session->request_id);
    }
    // It may have committed a row before the answer was lost (kTimeout),
    // named another instance (kBinding) or failed (kInternal).
    if (MayHaveRecorded(result.error())) {
      VoidLater(municipality_code,
                VoidOf(request.request_id, result, registry::kVoidDropped));
    }
    if (result.error().Is(KonbiniErrc::kUnreachable)) {
      return Fail(KonbiniErrc::kUnavailable,
                  "証明発行サーバに接続できません。最初からやり直してください "
                  "(no issuer instance could be reached; nothing was "
                  "printed): " +
                      result.error().message());
    }
    return result;
  }
  const Document& doc = result->document;
  if (doc.request_id != session->request_id ||
      doc.subject != session->who.resident_id ||
      doc.municipality_code != municipality_code ||
      doc.certificate != request.certificate) {
    halted_.store(true);
    session->state = Session::State::kAborted;
    {
      std::lock_guard sessions_lock(mutex_);
      sessions_.erase(session->request_id);
    }
    // Not printed: the row of this session's request id, if the issuer
    // recorded one (the document it sent may be another session's).
    VoidLater(municipality_code,
              VoidRequest{request.request_id, "",
                          std::string(registry::kVoidDropped)});
    return Fail(KonbiniErrc::kBinding,
                "the document is not this session's: issuance halted");
  }
  session->state = Session::State::kFetched;
  session->fetched_municipality = municipality_code;
  session->fetched_issuer_request_id = doc.issuer_request_id;
  {
    std::lock_guard call_lock(call->mutex);
    session->fetched_from = call->answered_by;
  }
  return result;
}

}  // namespace openmyna::konbini
