// The centre and the issuers over HTTP (issue 11 item 2; centre_http.h,
// issuer_http.h): real http::Servers on kernel-chosen ports, the kiosk
// talking to the centre through HttpCentre and the centre to several
// instances of a municipality through HttpIssuer, as `serve --only
// centre|issuer` wires them. The expected subjects and instance names are
// the ones the test configured and the registry's sample residents.
#include <openssl/x509.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>
#include <tuple>

#include "konbini_test_fixture.h"
#include "openmyna/base/base64.h"
#include "openmyna/base/testing/text.h"
#include "openmyna/http/client.h"
#include "openmyna/http/server.h"
#include "openmyna/pki/verifier.h"
#include "openmyna/registry/online_applications.h"
#include "openmyna/registry/sql.h"
#include "openmyna/services/konbini/centre_http.h"
#include "openmyna/services/konbini/issuer_http.h"
#include "openmyna/services/konbini/kiosk_credentials.h"
#include "openmyna/services/konbini/kiosk_page.h"
#include "openmyna/services/konbini/ledger_sweeper.h"

namespace openmyna::konbini {
namespace {

using namespace openmyna::konbini::testing;  // NOLINT: the fixture's names

constexpr const char* kToken = "0123456789abcdef";

// One issuer instance (or the centre) behind its own server.
struct Node {
  std::unique_ptr<http::Server> server;
  std::string url;
};

Node Serve(http::Router router) {
  Node node;
  node.server =
      std::make_unique<http::Server>(http::ServerOptions{}, std::move(router));
  Status started = node.server->Start();
  EXPECT_TRUE(started) << started.error();
  node.url = "http://127.0.0.1:" + std::to_string(node.server->port());
  return node;
}

// A centre that fails the way a transport does, for the in-process rule.
class FailingIssuer final : public IssuerPort {
 public:
  explicit FailingIssuer(KonbiniErrc errc) : errc_(errc) {}
  Result<SignedDocument> Issue(const IssueRequest&) override {
    ++calls;
    return Fail(errc_, "injected");
  }
  std::atomic<int> calls{0};

 private:
  KonbiniErrc errc_;
};

// This test binary run again with only `test` (a DISABLED test that serves
// and writes its URL to a file) and `env` as its environment. Killed and
// reaped on every way out of the test: only ever the positive pid forked
// here (kill(-1) would signal every process of the machine).
struct ChildProcess {
  pid_t pid = 0;
  bool reaped = false;
  ~ChildProcess() {
    if (pid > 0 && !reaped) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  }
  // SIGSTOP, then true once the kernel reports the child stopped (waitpid
  // WUNTRACED). kill() returns when the signal is queued; the child's other
  // threads run on until one of its threads takes it and the group stop
  // has reached them all (signal(7)), so on a loaded machine a request sent
  // at once could still be answered by the "frozen" issuer.
  bool Stop() {
    if (pid <= 0 || reaped || kill(pid, SIGSTOP) != 0) return false;
    int status = 0;
    if (waitpid(pid, &status, WUNTRACED) != pid) return false;
    if (!WIFSTOPPED(status)) reaped = true;  // it died instead
    return WIFSTOPPED(status);
  }
  // SIGKILL, then reaped: true when it died of that signal.
  bool Kill() {
    if (pid <= 0 || reaped || kill(pid, SIGKILL) != 0) return false;
    int status = 0;
    reaped = waitpid(pid, &status, 0) == pid;
    return reaped && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  }
};

void StartChild(ChildProcess& child, const std::string& test,
                const std::string& env) {
  const std::string self = std::filesystem::read_symlink("/proc/self/exe");
  const std::string filter = "--gtest_filter=" + test;
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const char* argv[] = {self.c_str(), filter.c_str(),
                          "--gtest_also_run_disabled_tests", nullptr};
    const char* envp[] = {env.c_str(), nullptr};
    execve(self.c_str(), const_cast<char* const*>(argv),
           const_cast<char* const*>(envp));
    _exit(127);
  }
  child.pid = pid;
}

// The URL the child writes to `file` once it serves ("" when it exited or
// did not start within a minute).
std::string UrlOf(ChildProcess& child, const std::filesystem::path& file) {
  std::string url;
  for (int i = 0; i < 600 && url.empty(); ++i) {
    url = ReadFileText(file).value_or("");
    if (url.empty()) {
      if (const pid_t gone = waitpid(child.pid, nullptr, WNOHANG); gone != 0) {
        child.reaped = gone == child.pid;
        return "";
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  return url;
}

// In a child process: the parent's folder (dir_), the files it wrote there
// and the parent's instant (`now`).
struct ChildFolder {
  explicit ChildFolder(const char* dir_env)
      : dir(dir_env),
        clock(TimePoint(std::chrono::seconds(std::stoll(Text("now"))))) {}
  std::string Text(const char* name) const {
    return ReadFileText(dir / name).value_or("");
  }
  std::filesystem::path dir;
  FixedClock clock;
  OpenSslRng rng;
};

class KonbiniRemoteTest : public KonbiniTest {
 protected:
  // An issuer instance of `code` named `instance` behind its own server.
  Node Issuer(const std::string& code, const std::string& instance) {
    issuers_.push_back(std::make_unique<MunicipalIssuer>(
        code, instance, *store_, clock_, rng_, signers_[code]));
    http::Router router;
    Status added =
        AddIssuerApi(router, *issuers_.back(), {code, instance, kToken});
    EXPECT_TRUE(added) << added.error();
    return Serve(std::move(router));
  }

  // The centre with the given remote instances, behind its own server.
  Node CentreOf(const std::map<std::string, std::vector<std::string>>& urls,
                CentreOptions options = {}) {
    centre_ =
        std::make_unique<Centre>(*store_, clock_, rng_, *verifier_, options);
    auto directory = std::make_shared<IssuerDirectory>();
    for (const auto& [code, list] : urls) {
      for (const auto& url : list) {
        centre_->AddIssuer(
            code, std::make_shared<HttpIssuer>(code, url, kToken, directory));
      }
    }
    if (!kiosks_) {
      auto credential = LoadOrCreateKioskCredential(dir_, "kiosk-1");
      EXPECT_TRUE(credential) << credential.error();
      credential_ = credential.value_or("");
      auto kiosks = std::make_shared<KioskCredentials>();
      kiosks->Enrol(credential_);
      kiosks_ = kiosks;
    }
    http::Router router;
    Status added = AddCentreApi(router, *centre_, kiosks_);
    EXPECT_TRUE(added) << added.error();
    return Serve(std::move(router));
  }

  Result<Printout> RunAt(const std::string& centre_url, int holder,
                         KioskChoice choice) {
    HttpCentre centre(centre_url, credential_);
    const Holder& h = holders_.at(holder);
    SoftwareCard card(h.certificate_der, h.key, "1234");
    Kiosk kiosk(centre, clock_, keys_);
    return kiosk.Run(card, "1234", choice);
  }

  // What a process of the test's sandbox needs: the registry file (`db`)
  // and the test's instant (`now`), in dir_.
  void WriteChildFiles() {
    std::string db;
    for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
      if (entry.path().extension() == ".db") db = entry.path().string();
    }
    ASSERT_FALSE(db.empty());
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         clock_.Now().time_since_epoch())
                         .count();
    ASSERT_TRUE(WriteFileAtomically(dir_ / "db", db));
    ASSERT_TRUE(WriteFileAtomically(dir_ / "now", std::to_string(now)));
  }

  // The sweep of `issuer` at the session's deadline (the centre's 180 s
  // after the fetch) voids nothing, 2 s later one row.
  void SweepVoidsOneRowJustAfterTheDeadline(MunicipalIssuer& issuer) {
    clock_.Set(clock_.Now() + std::chrono::seconds(180));
    auto swept = issuer.Sweep();
    ASSERT_TRUE(swept) << swept.error();
    EXPECT_EQ(*swept, 0);
    clock_.Set(clock_.Now() + std::chrono::seconds(2));
    swept = issuer.Sweep();
    ASSERT_TRUE(swept) << swept.error();
    EXPECT_EQ(*swept, 1);
  }

  // The issuer instance 20218-frozen in a process of its own (the DISABLED
  // KonbiniIssuerProcess.DISABLED_ServeUntilKilled), for tests that stop it
  // with SIGSTOP: its URL, or "" when it did not start.
  std::string StartIssuerProcess(ChildProcess& child) {
    WriteChildFiles();
    EXPECT_TRUE(WriteFileAtomically(dir_ / "document-key",
                                    signers_["20218"]->PrivateKeyPem()));
    StartChild(child, "KonbiniIssuerProcess.DISABLED_ServeUntilKilled",
               "OPENMYNA_KONBINI_ISSUER_DIR=" + dir_.string());
    return UrlOf(child, dir_ / "issuer-url");
  }

  // Holder 0 signed in through HttpCentre at a centre whose only 20218
  // instance is at `url`.
  struct SignedIn {
    Node centre;
    std::unique_ptr<HttpCentre> remote;
    std::unique_ptr<Kiosk> kiosk;
    Authenticated who;
  };
  void SignInAtCentreOf(const std::string& url, const CentreOptions& options,
                        SignedIn& at) {
    at.centre = CentreOf({{"20218", {url}}}, options);
    at.remote = std::make_unique<HttpCentre>(at.centre.url, credential_);
    at.kiosk = std::make_unique<Kiosk>(*at.remote, clock_, keys_);
    const Holder& h = holders_.at(0);
    SoftwareCard card(h.certificate_der, h.key, "1234");
    auto who = at.kiosk->SignIn(card, "1234");
    ASSERT_TRUE(who) << who.error();
    at.who = *who;
  }

  // How long the centre takes to end (~Centre waits for every issuer call
  // it started, voids included).
  std::chrono::steady_clock::duration TimeToEndTheCentre(Node& centre) {
    centre.server->Stop();
    const auto from = std::chrono::steady_clock::now();
    centre_.reset();
    return std::chrono::steady_clock::now() - from;
  }

  std::vector<std::unique_ptr<MunicipalIssuer>> issuers_;
  std::unique_ptr<Centre> centre_;
  std::shared_ptr<const KioskCredentials> kiosks_;  // kiosk-1 enrolled
  std::string credential_;                          // kiosk-1's
};

TEST_F(KonbiniRemoteTest, SessionsThroughTheCentreReachEveryInstance) {
  Node a = Issuer("20218", "20218-a");
  Node b = Issuer("20218", "20218-b");
  Node k = Issuer("13221", "13221-a");
  Node centre = CentreOf({{"20218", {a.url, b.url}}, {"13221", {k.url}}});
  std::set<std::string> instances;
  for (int i = 0; i < 4; ++i) {
    const int holder = i % 2 == 0 ? 0 : 3;
    auto printed =
        RunAt(centre.url, holder, Choice("20218", KonbiniCertificate::kInkan));
    ASSERT_TRUE(printed) << printed.error();
    EXPECT_EQ(printed->document.subject,
              ids_[static_cast<std::size_t>(holder)]);
    EXPECT_EQ(printed->document.request_id, printed->request_id);
    EXPECT_TRUE(OpensslVerifies(printed->jws, keys_["20218"], dir_));
    instances.insert(printed->document.issuer_instance);
  }
  EXPECT_EQ(instances, (std::set<std::string>{"20218-a", "20218-b"}));
  auto kiyose =
      RunAt(centre.url, 4, Choice("13221", KonbiniCertificate::kJuminhyo));
  ASSERT_TRUE(kiyose) << kiyose.error();
  EXPECT_EQ(kiyose->document.issuer_instance, "13221-a");
  EXPECT_EQ(centre_->OpenSessions(), 0u);
}

// The 利用登録申請 through a centre in another process: filed for the
// holder the session authenticated, with that session's certificate; before
// the card step the answer is that of no session and nothing is filed.
TEST_F(KonbiniRemoteTest, AKioskRegistrationCrossesTheWire) {
  Node a = Issuer("20218", "20218-a");
  Node centre = CentreOf({{"20218", {a.url}}});
  HttpCentre remote(centre.url, credential_);
  const RegistrationForm form{"13221", "東京都清瀬市中里五丁目842番地",
                              "千曲 太郎"};
  auto start = remote.Begin();
  ASSERT_TRUE(start) << start.error();
  auto early = remote.ApplyRegistration(start->request_id, form);
  ASSERT_FALSE(early);
  EXPECT_TRUE(early.error().Is(KonbiniErrc::kNoSession)) << early.error();
  EXPECT_TRUE(remote.Cancel(start->request_id));
  EXPECT_FALSE(remote.Cancel(start->request_id)) << "ended once";

  Kiosk kiosk(remote, clock_, keys_);
  const Holder& h = holders_.at(0);
  SoftwareCard card(h.certificate_der, h.key, "1234");
  auto who = kiosk.SignIn(card, "1234");
  ASSERT_TRUE(who) << who.error();
  auto filed = kiosk.ApplyRegistration(*who, form);
  ASSERT_TRUE(filed) << filed.error();
  EXPECT_EQ(filed->municipality_code, "13221");
  EXPECT_EQ(centre_->OpenSessions(), 0u);

  registry::OnlineApplications apps(*store_, clock_, rng_, {});
  auto inbox = apps.Inbox(kClerk, "13221", std::nullopt);
  ASSERT_TRUE(inbox) << inbox.error();
  int found = 0;
  for (const auto& app : *inbox) {
    if (app.resident_id != ids_[0]) continue;
    ++found;
    EXPECT_EQ(app.id, filed->application_id);
    EXPECT_EQ(app.channel, "kiosk");
    EXPECT_EQ(app.signer_serial, who->certificate_serial);
  }
  EXPECT_EQ(found, 1);
}

TEST_F(KonbiniRemoteTest, ARefusalCrossesTheWireWithTheKioskText) {
  Node a = Issuer("20218", "20218-a");
  Node centre = CentreOf({{"20218", {a.url}}});
  // 千曲 花子 is 14 (the guidebook: 15 and over).
  auto refused =
      RunAt(centre.url, 1, Choice("20218", KonbiniCertificate::kJuminhyo));
  ASSERT_FALSE(refused);
  EXPECT_TRUE(refused.error().Is(KonbiniErrc::kRefused)) << refused.error();
  EXPECT_NE(refused.error().message().find("15歳未満"), std::string::npos);
  EXPECT_EQ(centre_->OpenSessions(), 0u);
}

TEST_F(KonbiniRemoteTest, OnlyTheCentreMayAskAnIssuer) {
  Node a = Issuer("20218", "20218-a");
  for (const std::string auth :
       {"", "Bearer wrong", "Bearer 0123456789abcdeF"}) {
    http::ClientRequest call;
    call.method = "POST";
    call.url = a.url + "/konbini/v1/issuer/issue";
    call.headers = {{"Content-Type", "application/json"}};
    if (!auth.empty()) call.headers.push_back({"Authorization", auth});
    call.body = R"({"request_id":"req-1","subject":")" + ids_[0] +
                R"(","certificate":"inkan"})";
    auto answer = http::Fetch(call);
    ASSERT_TRUE(answer) << answer.error();
    EXPECT_EQ(answer->status, 401) << auth;
    EXPECT_EQ(answer->body.find(ids_[0]), std::string::npos);
  }
}

TEST_F(KonbiniRemoteTest, OneServerConfiguredAsSeveralIsRefused) {
  // Two URLs announcing one instance (a single-server set-up listed as a
  // multi-server site), and an issuer of another municipality.
  Node a = Issuer("20218", "20218-same");
  Node b = Issuer("20218", "20218-same");
  auto directory = std::make_shared<IssuerDirectory>();
  HttpIssuer first("20218", a.url, kToken, directory);
  HttpIssuer second("20218", b.url, kToken, directory);
  IssueRequest request;
  request.request_id = "req-00";
  request.subject = ids_[0];
  request.certificate = KonbiniCertificate::kInkan;
  auto one = first.Issue(request);
  EXPECT_TRUE(one) << one.error();
  request.request_id = "req-01";
  auto two = second.Issue(request);
  ASSERT_FALSE(two);
  EXPECT_TRUE(two.error().Is(KonbiniErrc::kUnavailable)) << two.error();
  HttpIssuer wrong("13221", a.url, kToken, directory);
  request.request_id = "req-02";
  auto three = wrong.Issue(request);
  ASSERT_FALSE(three);
  EXPECT_TRUE(three.error().Is(KonbiniErrc::kUnavailable)) << three.error();
}

TEST_F(KonbiniRemoteTest, AStoppedInstanceIsPassedOver) {
  Node a = Issuer("20218", "20218-a");
  Node b = Issuer("20218", "20218-b");
  Node centre = CentreOf({{"20218", {a.url, b.url}}});
  a.server->Stop();
  for (int i = 0; i < 3; ++i) {
    auto printed =
        RunAt(centre.url, 0, Choice("20218", KonbiniCertificate::kInkan));
    ASSERT_TRUE(printed) << printed.error();
    EXPECT_EQ(printed->document.issuer_instance, "20218-b");
  }
  b.server->Stop();
  auto none = RunAt(centre.url, 0, Choice("20218", KonbiniCertificate::kInkan));
  ASSERT_FALSE(none);
  EXPECT_TRUE(none.error().Is(KonbiniErrc::kUnavailable)) << none.error();
  EXPECT_EQ(centre_->OpenSessions(), 0u);
}

TEST_F(KonbiniRemoteTest, AFailedIssuerEndsTheSessionARefusalDoesNot) {
  auto centre = std::make_unique<Centre>(*store_, clock_, rng_, *verifier_);
  auto failing = std::make_shared<FailingIssuer>(KonbiniErrc::kTimeout);
  centre->AddIssuer("20218", failing);
  auto refusing = std::make_shared<FailingIssuer>(KonbiniErrc::kRefused);
  centre->AddIssuer("13221", refusing);
  const Holder& h = holders_.at(0);
  SoftwareCard card(h.certificate_der, h.key, "1234");
  Kiosk kiosk(*centre, clock_, keys_);
  auto who = kiosk.SignIn(card, "1234");
  ASSERT_TRUE(who) << who.error();
  IssueRequest choice;
  choice.certificate = KonbiniCertificate::kInkan;
  auto refused = centre->Request(who->request_id, "13221", choice);
  ASSERT_FALSE(refused);
  EXPECT_TRUE(refused.error().Is(KonbiniErrc::kRefused));
  // Still the holder's session: another choice may follow.
  auto failed = centre->Request(who->request_id, "20218", choice);
  ASSERT_FALSE(failed);
  EXPECT_TRUE(failed.error().Is(KonbiniErrc::kTimeout));
  // The failure ended it: nothing can be asked for in its name any more.
  auto again = centre->Request(who->request_id, "20218", choice);
  ASSERT_FALSE(again);
  EXPECT_TRUE(again.error().Is(KonbiniErrc::kNoSession)) << again.error();
  EXPECT_EQ(failing->calls.load(), 1);
  EXPECT_EQ(centre->OpenSessions(), 0u);
}

// A kiosk whose holder walks away after the document came: the centre's
// clock moves past the timeout before the kiosk would print.
class WalkAway final : public CentrePort {
 public:
  WalkAway(CentrePort& inner, FixedClock& clock, std::chrono::seconds away)
      : inner_(inner), clock_(clock), away_(away) {}
  Result<SessionStart> Begin() override { return inner_.Begin(); }
  Result<Authenticated> Authenticate(std::string_view id, ByteView der,
                                     ByteView signature) override {
    return inner_.Authenticate(id, der, signature);
  }
  Result<SignedDocument> Request(std::string_view id, const std::string& code,
                                 const IssueRequest& choice) override {
    auto document = inner_.Request(id, code, choice);
    clock_.Advance(away_);
    return document;
  }
  Status Finish(std::string_view id) override { return inner_.Finish(id); }

 private:
  CentrePort& inner_;
  FixedClock& clock_;
  std::chrono::seconds away_;
};

// Sessions abandoned at each step by a kiosk in another process are ended
// by the centre after its timeout, and a late step is refused saying so.
TEST_F(KonbiniRemoteTest, AbandonedSessionsEndAfterTheTimeoutAtEveryStep) {
  Node a = Issuer("20218", "20218-a");
  CentreOptions options;
  options.session_timeout = std::chrono::seconds(60);
  Node centre = CentreOf({{"20218", {a.url}}}, options);
  HttpCentre remote(centre.url, credential_);
  const Holder& h = holders_.at(0);
  SoftwareCard card(h.certificate_der, h.key, "1234");
  ASSERT_TRUE(card.VerifyPin("1234"));
  // Left before the card, after the card, after the document came.
  auto left_at_card = remote.Begin();
  ASSERT_TRUE(left_at_card) << left_at_card.error();
  auto signed_in = [&]() -> Result<SessionStart> {
    OPENMYNA_ASSIGN_OR_RETURN(SessionStart start, remote.Begin());
    OPENMYNA_ASSIGN_OR_RETURN(Bytes signature,
                              card.SignChallenge(start.challenge));
    OPENMYNA_RETURN_IF_ERROR(
        remote.Authenticate(start.request_id, h.certificate_der, signature));
    return start;
  };
  auto left_at_choice = signed_in();
  ASSERT_TRUE(left_at_choice) << left_at_choice.error();
  auto left_at_print = signed_in();
  ASSERT_TRUE(left_at_print) << left_at_print.error();
  IssueRequest choice;
  choice.certificate = KonbiniCertificate::kInkan;
  auto fetched = remote.Request(left_at_print->request_id, "20218", choice);
  ASSERT_TRUE(fetched) << fetched.error();
  EXPECT_EQ(centre_->OpenSessions(), 3u);

  clock_.Advance(std::chrono::seconds(59));
  EXPECT_EQ(centre_->OpenSessions(), 3u);  // not yet
  clock_.Advance(std::chrono::seconds(2));
  EXPECT_EQ(centre_->OpenSessions(), 0u);

  // Every late step is refused with the reason, none can print.
  auto signature = card.SignChallenge(left_at_card->challenge);
  ASSERT_TRUE(signature);
  auto late_card = remote.Authenticate(left_at_card->request_id,
                                       h.certificate_der, *signature);
  ASSERT_FALSE(late_card);
  EXPECT_TRUE(late_card.error().Is(KonbiniErrc::kNoSession));
  EXPECT_NE(late_card.error().message().find("時間切れ"), std::string::npos)
      << late_card.error();
  auto late_choice =
      remote.Request(left_at_choice->request_id, "20218", choice);
  ASSERT_FALSE(late_choice);
  EXPECT_TRUE(late_choice.error().Is(KonbiniErrc::kNoSession));
  EXPECT_NE(late_choice.error().message().find("60 s"), std::string::npos)
      << late_choice.error();
  auto late_print = remote.Finish(left_at_print->request_id);
  ASSERT_FALSE(late_print);
  EXPECT_TRUE(late_print.error().Is(KonbiniErrc::kNoSession));
  // On the wire: a problem document naming the error (RFC 9457).
  http::ClientRequest call;
  call.method = "DELETE";
  call.url =
      centre.url + "/konbini/v1/centre/sessions/" + left_at_choice->request_id;
  call.headers = {{"Authorization", "Bearer " + credential_}};
  auto answer = http::Fetch(call);
  ASSERT_TRUE(answer) << answer.error();
  EXPECT_EQ(answer->status, 404);
  EXPECT_NE(answer->body.find("\"konbini_error\":\"no_session\""),
            std::string::npos)
      << answer->body;
  // New sessions are served as before.
  auto next = RunAt(centre.url, 0, Choice("20218", KonbiniCertificate::kInkan));
  EXPECT_TRUE(next) << next.error();
  EXPECT_EQ(centre_->OpenSessions(), 0u);
}

// The holder came back after the timeout: the kiosk holds a valid signed
// document of its session, yet the centre ended it, so nothing prints.
TEST_F(KonbiniRemoteTest, NothingPrintsAfterTheCentreTimedTheSessionOut) {
  Node a = Issuer("20218", "20218-a");
  CentreOptions options;
  options.session_timeout = std::chrono::seconds(60);
  Node centre = CentreOf({{"20218", {a.url}}}, options);
  HttpCentre remote(centre.url, credential_);
  WalkAway away(remote, clock_, std::chrono::seconds(61));
  const Holder& h = holders_.at(0);
  SoftwareCard card(h.certificate_der, h.key, "1234");
  Kiosk kiosk(away, clock_, keys_);
  auto printed =
      kiosk.Run(card, "1234", Choice("20218", KonbiniCertificate::kInkan));
  ASSERT_FALSE(printed);
  EXPECT_TRUE(printed.error().Is(KonbiniErrc::kNoSession)) << printed.error();
  EXPECT_NE(printed.error().message().find("not printed"), std::string::npos)
      << printed.error();
  EXPECT_EQ(centre_->OpenSessions(), 0u);
  // The same walk within the timeout prints.
  WalkAway brief(remote, clock_, std::chrono::seconds(30));
  Kiosk again(brief, clock_, keys_);
  auto ok =
      again.Run(card, "1234", Choice("20218", KonbiniCertificate::kInkan));
  ASSERT_TRUE(ok) << ok.error();
  // The issuer's ledger (voided through its HTTP route once the centre's
  // threads are done): the document of the timed-out session is void, the
  // printed one is not.
  centre.server->Stop();
  centre_.reset();
  std::vector<registry::KonbiniIssuance> rows;
  ASSERT_TRUE(store_->Transact([&](registry::RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(rows,
                              registry::ListKonbiniIssuances(tx, "20218"));
    return Ok();
  }));
  ASSERT_EQ(rows.size(), 2u);
  for (const auto& row : rows) {
    if (row.request_id == ok->request_id) {
      EXPECT_FALSE(row.voided_at);
    } else {
      ASSERT_TRUE(row.voided_at) << row.request_id;
      EXPECT_EQ(row.void_reason, "timed_out");
    }
  }
}

// The centre of KillTheCentreMidSession, in a process of its own: this
// binary run again with only this test (it is skipped otherwise). It opens
// the parent's registry file, checks cards against the roots the parent
// wrote, routes 20218 to the parent's issuer, serves its API and writes its
// URL, then waits to be killed.
TEST(KonbiniCentreProcess, DISABLED_ServeUntilKilled) {
  const char* dir_env = std::getenv("OPENMYNA_KONBINI_CENTRE_DIR");
  if (dir_env == nullptr) GTEST_SKIP() << "run by KillTheCentreMidSession";
  ChildFolder in(dir_env);
  const std::filesystem::path& dir = in.dir;
  auto store = registry::RegistryStore::Open(in.Text("db"), in.clock);
  ASSERT_TRUE(store) << store.error();
  std::vector<pki::X509Ptr> roots;
  for (int i = 0; std::filesystem::exists(dir / ("root-" + std::to_string(i)));
       ++i) {
    auto der = ReadFileBytes(dir / ("root-" + std::to_string(i)));
    ASSERT_TRUE(der) << der.error();
    auto root = pki::ParseCertificate(*der);
    ASSERT_TRUE(root) << root.error();
    roots.push_back(*std::move(root));
  }
  PkiCardVerifier verifier(std::move(roots));
  Centre centre(**store, in.clock, in.rng, verifier);
  centre.AddIssuer("20218", std::make_shared<HttpIssuer>(
                                "20218", in.Text("issuer"), kToken,
                                std::make_shared<IssuerDirectory>()));
  auto credential = LoadOrCreateKioskCredential(dir, "kiosk-1");
  ASSERT_TRUE(credential) << credential.error();
  auto kiosks = std::make_shared<KioskCredentials>();
  kiosks->Enrol(*credential);
  http::Router router;
  ASSERT_TRUE(AddCentreApi(router, centre, kiosks));
  Node node = Serve(std::move(router));
  ASSERT_TRUE(WriteFileAtomically(dir / "centre-url", node.url));
  for (;;) pause();  // until SIGKILL
}

// A centre killed (SIGKILL) while its kiosk holds a fetched document never
// confirms the print nor voids it: the row stays unconfirmed until the
// issuer's sweep, after the session's deadline, voids it (reason
// unconfirmed, konbini.void on the holder's trail); the document printed
// before the kill stands, confirmed printed, through the same sweep.
TEST_F(KonbiniRemoteTest,
       ADocumentHeldWhenTheCentreIsKilledIsVoidAfterTheSweep) {
  Node a = Issuer("20218", "20218-a");
  // What the centre's process needs: the registry file, the roots, the
  // issuer's URL, the instant, the kiosk's credential.
  WriteChildFiles();
  auto roots = sandbox_->Roots(pki::CaKind::kAuthentication);
  ASSERT_TRUE(roots) << roots.error();
  for (std::size_t i = 0; i < roots->size(); ++i) {
    unsigned char* der = nullptr;
    const int n = i2d_X509((*roots)[i].get(), &der);
    ASSERT_GT(n, 0);
    ASSERT_TRUE(
        WriteFileAtomically(dir_ / ("root-" + std::to_string(i)),
                            ByteView(der, static_cast<std::size_t>(n))));
    OPENSSL_free(der);
  }
  ASSERT_TRUE(WriteFileAtomically(dir_ / "issuer", a.url));
  auto credential = LoadOrCreateKioskCredential(dir_, "kiosk-1");
  ASSERT_TRUE(credential) << credential.error();

  ChildProcess child;
  StartChild(child, "KonbiniCentreProcess.DISABLED_ServeUntilKilled",
             "OPENMYNA_KONBINI_CENTRE_DIR=" + dir_.string());
  const std::string url = UrlOf(child, dir_ / "centre-url");
  ASSERT_FALSE(url.empty()) << "the centre did not start";

  HttpCentre remote(url, *credential);
  Kiosk kiosk(remote, clock_, keys_);
  const Holder& h = holders_.at(0);
  SoftwareCard card(h.certificate_der, h.key, "1234");
  const KioskChoice inkan = Choice("20218", KonbiniCertificate::kInkan);
  auto printed = kiosk.Run(card, "1234", inkan);
  ASSERT_TRUE(printed) << printed.error();
  auto who = kiosk.SignIn(card, "1234");
  ASSERT_TRUE(who) << who.error();
  auto held = kiosk.Fetch(*who, inkan);
  ASSERT_TRUE(held) << held.error();

  ASSERT_TRUE(child.Kill());
  EXPECT_FALSE(kiosk.Print(who->request_id)) << "no centre, nothing prints";

  const auto row_of = [&](const std::string& request_id) {
    return LedgerRow(request_id).value_or(registry::KonbiniIssuance{});
  };
  EXPECT_TRUE(row_of(printed->request_id).printed_at);
  auto left = row_of(who->request_id);
  ASSERT_EQ(left.request_id, who->request_id);
  EXPECT_FALSE(left.printed_at);
  EXPECT_FALSE(left.voided_at) << "nobody voided it: the centre was killed";

  // Within the session's deadline (the centre's 180 s) nothing is swept.
  SweepVoidsOneRowJustAfterTheDeadline(*issuers_.front());
  left = row_of(who->request_id);
  ASSERT_TRUE(left.voided_at);
  EXPECT_EQ(left.void_reason, "unconfirmed");
  EXPECT_FALSE(row_of(printed->request_id).voided_at);
  std::vector<registry::AuditEntry> trail;
  ASSERT_TRUE(store_->Read([&](registry::RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(trail, tx.ListAudit(ids_[0]));
    return Ok();
  }));
  int voids = 0;
  for (const auto& e : trail) {
    if (e.action != "konbini.void") continue;
    ++voids;
    EXPECT_NE(e.reason.find(who->request_id), std::string::npos) << e.reason;
  }
  EXPECT_EQ(voids, 1);
}

// The issuer instance of AFrozenIssuerLetsFinishAnswerAtTheDeadline, in a
// process of its own: this binary run again with only this test (it is
// skipped otherwise). It opens the parent's registry file, signs with the
// document key the parent wrote (0600), serves the issuer API as instance
// 20218-frozen and writes its URL, then waits to be stopped and killed.
TEST(KonbiniIssuerProcess, DISABLED_ServeUntilKilled) {
  const char* dir_env = std::getenv("OPENMYNA_KONBINI_ISSUER_DIR");
  if (dir_env == nullptr) GTEST_SKIP() << "run by AFrozenIssuer…";
  ChildFolder in(dir_env);
  auto store = registry::RegistryStore::Open(in.Text("db"), in.clock);
  ASSERT_TRUE(store) << store.error();
  auto signer = DocumentSigner::FromPem("doc-20218", in.Text("document-key"));
  ASSERT_TRUE(signer) << signer.error();
  IssuerPolicy policy;
  if (std::filesystem::exists(in.dir / "render-pdf")) {  // as `serve` does
    auto cert =
        LoadOrCreateDocumentCertificate(in.dir, "20218", **signer, in.clock);
    ASSERT_TRUE(cert) << cert.error();
    policy.pdf_certificate = std::shared_ptr<X509>(cert->release(), X509_free);
  }
  MunicipalIssuer issuer("20218", "20218-frozen", **store, in.clock, in.rng,
                         *signer, policy);
  // The ledger sweep `serve --only issuer` runs beside the issuer (every
  // 30 s there), when the parent asks for it, every "sweep-every-ms".
  std::unique_ptr<LedgerSweeper> sweeper;
  if (const std::string every = in.Text("sweep-every-ms"); !every.empty()) {
    sweeper = std::make_unique<LedgerSweeper>(
        std::vector<MunicipalIssuer*>{&issuer},
        std::chrono::milliseconds(std::stoi(every)));
  }
  http::Router router;
  ASSERT_TRUE(AddIssuerApi(router, issuer, {"20218", "20218-frozen", kToken}));
  Node node = Serve(std::move(router));
  ASSERT_TRUE(WriteFileAtomically(in.dir / "issuer-url", node.url));
  for (;;) pause();  // until SIGKILL
}

// An issuer instance that froze between the fetch and the print (a real
// process stopped with SIGSTOP): Finish no longer waits for the HTTP
// client's 60 s timeout with nothing on the kiosk. At the confirmation
// deadline the kiosk is told, in Japanese first, that nothing was printed;
// the centre's calls end with their deadlines (the confirmation's, then
// each void's: confirm_deadline), so the centre ends within seconds while
// the instance is still frozen; the row is neither printed nor void while
// no instance can be reached, and void (unconfirmed) after the issuers'
// sweep past the session's deadline.
TEST_F(KonbiniRemoteTest, AFrozenIssuerLetsFinishAnswerAtTheDeadline) {
  ChildProcess child;
  const std::string url = StartIssuerProcess(child);
  ASSERT_FALSE(url.empty()) << "the issuer did not start";
  CentreOptions options;
  options.confirm_deadline = std::chrono::milliseconds(1500);
  SignedIn at;
  ASSERT_NO_FATAL_FAILURE(SignInAtCentreOf(url, options, at));
  const Authenticated* who = &at.who;
  auto held =
      at.kiosk->Fetch(*who, Choice("20218", KonbiniCertificate::kInkan));
  ASSERT_TRUE(held) << held.error();
  EXPECT_EQ(held->document.issuer_instance, "20218-frozen");

  ASSERT_TRUE(child.Stop());
  const auto asked = std::chrono::steady_clock::now();
  Status printed = at.kiosk->Print(who->request_id);
  const auto waited = std::chrono::steady_clock::now() - asked;
  ASSERT_FALSE(printed) << "nothing prints without the confirmation";
  EXPECT_TRUE(printed.error().Is(KonbiniErrc::kTimeout)) << printed.error();
  const std::string& told = printed.error().message();
  EXPECT_TRUE(
      told.starts_with("時間内に印刷を確認できませんでした。"
                       "印刷はされていません。"))
      << told;
  EXPECT_NE(told.find("nothing was printed"), std::string::npos) << told;
  // At the deadline, not at the client's 60 s timeout (the bound leaves
  // room for a loaded machine).
  EXPECT_GE(waited, options.confirm_deadline);
  EXPECT_LT(waited, std::chrono::seconds(20));
  EXPECT_EQ(centre_->OpenSessions(), 0u);

  // Still frozen: no thread of the centre waits for it past the deadlines
  // (before: the confirmation's thread for 60 s, then each void for 60 s).
  EXPECT_LT(TimeToEndTheCentre(at.centre), std::chrono::seconds(30));
  // The only instance is frozen, then gone: nobody marks the row.
  ASSERT_TRUE(child.Kill());
  auto row = LedgerRow(who->request_id).value_or(registry::KonbiniIssuance{});
  ASSERT_EQ(row.request_id, who->request_id);
  EXPECT_FALSE(row.printed_at);
  EXPECT_FALSE(row.voided_at);
  // The sweep of another instance voids it after the session's deadline.
  MunicipalIssuer sweeper("20218", "20218-b", *store_, clock_, rng_,
                          signers_["20218"]);
  SweepVoidsOneRowJustAfterTheDeadline(sweeper);
  row = LedgerRow(who->request_id).value_or(registry::KonbiniIssuance{});
  EXPECT_FALSE(row.printed_at);
  ASSERT_TRUE(row.voided_at);
  EXPECT_EQ(row.void_reason, "unconfirmed");
}

// An instance frozen before the fetch (a real process stopped with SIGSTOP)
// holds the centre's thread only until the issuer deadline (the HTTP call's
// timeout is the time left to answer_by), not for the client's 60 s: the
// kiosk is told at the deadline, the centre (whose destructor waits for
// every call it started, the void that follows included) ends within
// seconds while the instance is still frozen, and nothing stands in the
// ledger.
TEST_F(KonbiniRemoteTest, AFrozenIssuerHoldsNoCentreThreadPastTheIssueCall) {
  ChildProcess child;
  const std::string frozen = StartIssuerProcess(child);
  ASSERT_FALSE(frozen.empty()) << "the issuer did not start";
  CentreOptions options;
  options.issuer_deadline = std::chrono::milliseconds(1500);
  options.confirm_deadline = std::chrono::milliseconds(1500);
  SignedIn at;
  ASSERT_NO_FATAL_FAILURE(SignInAtCentreOf(frozen, options, at));

  ASSERT_TRUE(child.Stop());
  const auto asked = std::chrono::steady_clock::now();
  auto held =
      at.kiosk->Fetch(at.who, Choice("20218", KonbiniCertificate::kInkan));
  const auto waited = std::chrono::steady_clock::now() - asked;
  ASSERT_FALSE(held) << "the only instance is frozen";
  EXPECT_TRUE(held.error().message().starts_with("時間内に応答がありません"))
      << held.error();
  EXPECT_GE(waited, options.issuer_deadline);
  EXPECT_LT(TimeToEndTheCentre(at.centre), std::chrono::seconds(30));
  EXPECT_FALSE(LedgerRow(at.who.request_id));
  EXPECT_TRUE(child.Kill());
}

// The POSIX locks process `pid` holds on `file`, as the kernel lists them
// (/proc/locks, proc(5): "1: POSIX ADVISORY WRITE <pid> <dev>:<inode>
// <start> <end>"): "WRITE 120" for a lock of byte 120, one per line.
std::string LocksOf(pid_t pid, const std::filesystem::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return "";
  std::ifstream locks("/proc/locks");
  std::string out;
  for (std::string line; std::getline(locks, line);) {
    std::istringstream fields(line);
    std::string n, kind, advisory, mode, owner, id, start, end;
    fields >> n >> kind >> advisory >> mode >> owner >> id >> start >> end;
    if (kind != "POSIX" || owner != std::to_string(pid)) continue;
    if (id.substr(id.rfind(':') + 1) != std::to_string(st.st_ino)) continue;
    out += mode + " " + start + (start == end ? "" : "-" + end) + "\n";
  }
  return out;
}

// An issuer process stopped (SIGSTOP) at any moment holds no write lock of
// the registry's SQLite file, so the other instances sharing it can still
// write (session 12 saw another instance's void fail "database is locked"
// after the 5 s busy timeout, about 1 run in 4). The child runs its ledger
// sweep as `serve --only issuer` does, one after another instead of every
// 30 s so that a stop can fall within one; the ledger has nothing to void.
// 200 times: the child stopped, its locks read from /proc/locks
// (SQLite's WAL write lock is byte 120 of the -shm file: wal.c,
// WALINDEX_LOCK_OFFSET + WAL_WRITE_LOCK), a write transaction taken by the
// sqlite3 command line with no busy wait, the child let go on.
TEST_F(KonbiniRemoteTest, AStoppedIssuerHoldsNoWriteLockOfTheRegistry) {
  ASSERT_TRUE(WriteFileAtomically(dir_ / "sweep-every-ms", "0"));
  ChildProcess child;
  const std::string url = StartIssuerProcess(child);
  ASSERT_FALSE(url.empty()) << "the issuer did not start";
  ASSERT_GT(child.pid, 0);  // only ever the positive pid forked here
  const std::string db = ReadFileText(dir_ / "db").value_or("");
  int held = 0;
  std::string seen;
  for (int round = 0; round < 200; ++round) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    ASSERT_TRUE(child.Stop());
    const std::string locks = LocksOf(child.pid, db + "-shm");
    const auto write = testing_tools::RunShell(
        "sqlite3 '" + db +
            "' 'PRAGMA busy_timeout = 0; BEGIN IMMEDIATE; ROLLBACK;'",
        testing_tools::Stderr::kCapture);
    ASSERT_EQ(kill(child.pid, SIGCONT), 0);
    if (locks.find("WRITE 120\n") != std::string::npos || write.status != 0) {
      ++held;
      seen = locks + write.output;
    }
  }
  EXPECT_EQ(held, 0) << "stops that found the write lock held; the last:\n"
                     << seen;
  EXPECT_TRUE(child.Kill());
}

// The same in one process, without timing: while another connection holds
// the registry file's write lock (BEGIN IMMEDIATE), a sweep with nothing to
// void still answers 0 (before, it waited for the lock its busy timeout,
// 5 s, and failed "database is locked"); the one with a row to void is
// SweepVoidsOneRowJustAfterTheDeadline's.
TEST_F(KonbiniRemoteTest, ASweepWithNothingToVoidNeedsNoWriteLock) {
  WriteChildFiles();
  auto other = registry::OpenSqlite(ReadFileText(dir_ / "db").value_or(""));
  ASSERT_TRUE(other) << other.error();
  ASSERT_TRUE((*other)->ExecuteScript("BEGIN IMMEDIATE"));
  MunicipalIssuer issuer("20218", "20218-b", *store_, clock_, rng_,
                         signers_["20218"]);
  auto swept = issuer.Sweep();
  ASSERT_TRUE(swept) << swept.error();
  EXPECT_EQ(*swept, 0);
  EXPECT_TRUE((*other)->ExecuteScript("ROLLBACK"));
}

// The /kiosk/ page (kiosk_page.h, driven through its router as a browser
// would: cookie, CSRF token, the screens' forms) when the print
// confirmation times out: the only issuer instance, a real process, is
// stopped with SIGSTOP once the PDF is ready. Taking the document then
// hands out no PDF, and the page says, in Japanese, that the print could
// not be confirmed and nothing was printed (504, in the error page's
// labelled section), not the generic "no certificate to take" it showed
// before for every failure.
TEST_F(KonbiniRemoteTest, TheKioskPageSaysWhenThePrintIsNotConfirmed) {
  using testing_tools::Between;
  ChildProcess child;
  ASSERT_TRUE(WriteFileAtomically(dir_ / "render-pdf", "1"));
  const std::string url = StartIssuerProcess(child);
  ASSERT_FALSE(url.empty()) << "the issuer did not start";
  CentreOptions options;
  options.confirm_deadline = std::chrono::milliseconds(1500);
  Node centre = CentreOf({{"20218", {url}}}, options);
  std::vector<registry::Municipality> municipalities;
  ASSERT_TRUE(store_->Read([&](registry::RegistryTx& tx) -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(municipalities, tx.ListMunicipalities());
    return Ok();
  }));
  const Holder& h = holders_.at(0);
  KioskPageOptions page;
  page.open_centre = [&]() -> Result<KioskCentre> {
    return KioskCentre{std::make_shared<HttpCentre>(centre.url, credential_),
                       keys_, municipalities};
  };
  page.clock = &clock_;
  page.rng = &rng_;
  page.open_card = [&]() -> Result<std::unique_ptr<KioskCard>> {
    return std::unique_ptr<KioskCard>(
        std::make_unique<SoftwareCard>(h.certificate_der, h.key, "1234"));
  };
  page.secure_cookies = false;
  http::Router router;
  ASSERT_TRUE(AddKioskPage(router, page));

  std::string cookie;
  const auto get = [&](const std::string& path) {
    http::Request r;
    r.method = "GET";
    r.target = r.path = path;
    if (!cookie.empty()) r.headers.push_back({"Cookie", cookie});
    return router.Dispatch(r);
  };
  const http::Response first = get("/kiosk/");
  for (const auto& header : first.headers) {
    if (header.name == "Set-Cookie") {
      cookie = header.value.substr(0, header.value.find(';'));
    }
  }
  ASSERT_FALSE(cookie.empty());
  // Each screen's form, then the next screen (no error shown on it).
  const auto post = [&](const std::string& path, const std::string& fields) {
    const std::string csrf =
        Between(get("/kiosk/").body, "name=\"csrf\" value=\"", "\"");
    http::Request r;
    r.method = "POST";
    r.target = r.path = path;
    r.headers = {{"Cookie", cookie},
                 {"Content-Type", "application/x-www-form-urlencoded"}};
    r.body = "csrf=" + csrf + (fields.empty() ? "" : "&" + fields);
    EXPECT_EQ(router.Dispatch(r).status, 303) << path;
    const http::Response next = get("/kiosk/");
    EXPECT_EQ(Between(next.body, "id=\"kiosk-error\">", "<"), "") << path;
    return next;
  };
  post("/kiosk/start", "");
  post("/kiosk/pin", "pin=1234");
  post("/kiosk/choose", "municipality=20218&certificate=inkan&copies=1");
  const http::Response done = post("/kiosk/pay", "");
  ASSERT_NE(done.body.find("/kiosk/document.pdf"), std::string::npos)
      << done.body;

  ASSERT_TRUE(child.Stop());
  const http::Response taken = get("/kiosk/document.pdf");
  EXPECT_EQ(taken.status, 504);
  EXPECT_NE(taken.content_type, "application/pdf");
  const std::string message =
      Between(taken.body, "class=\"error__message\">", "<");
  EXPECT_EQ(message,
            "時間内に印刷を確認できなかったため、証明書は印刷されていません。"
            "最初からやり直してください。")
      << taken.body;
  EXPECT_NE(taken.body.find("aria-labelledby=\"error-what\""),
            std::string::npos);
  EXPECT_EQ(taken.body.find("お渡しする証明書はありません"), std::string::npos);
  EXPECT_TRUE(child.Kill());
}

// Only the kiosks the centre enrolled may open or drive a session: no
// credential, a wrong secret, an unknown kiosk, another kiosk's secret
// under this id are each refused (401) before the centre does anything.
TEST_F(KonbiniRemoteTest, OnlyAnEnrolledKioskMayUseTheCentre) {
  Node a = Issuer("20218", "20218-a");
  Node centre = CentreOf({{"20218", {a.url}}});
  auto other = LoadOrCreateKioskCredential(dir_, "kiosk-2");  // not enrolled
  ASSERT_TRUE(other) << other.error();
  const std::string secret = credential_.substr(credential_.find(':') + 1);
  const std::string other_secret = other->substr(other->find(':') + 1);
  const std::string sessions = centre.url + "/konbini/v1/centre/sessions";
  for (const std::string& auth : std::vector<std::string>{
           std::string(), "Bearer " + secret, "Bearer kiosk-1:" + other_secret,
           "Bearer " + *other, "Basic a2lvc2stMTp4",
           "Bearer kiosk-1:", "Bearer " + credential_ + "0"}) {
    for (const auto& [method, url] :
         std::vector<std::pair<std::string, std::string>>{
             {"POST", sessions},
             {"POST", sessions + "/req-00/card"},
             {"DELETE", sessions + "/req-00"}}) {
      http::ClientRequest call;
      call.method = method;
      call.url = url;
      call.headers = {{"Content-Type", "application/json"}};
      if (!auth.empty()) call.headers.push_back({"Authorization", auth});
      call.body = "{}";
      auto answer = http::Fetch(call);
      ASSERT_TRUE(answer) << answer.error();
      EXPECT_EQ(answer->status, 401) << method << " " << url << " " << auth;
      EXPECT_EQ(answer->body.find("challenge"), std::string::npos);
    }
  }
  EXPECT_EQ(centre_->OpenSessions(), 0u);
  // Through the kiosk code: refused with the reason, nothing printed.
  HttpCentre stranger(centre.url, *other);
  const Holder& h = holders_.at(0);
  SoftwareCard card(h.certificate_der, h.key, "1234");
  Kiosk kiosk(stranger, clock_, keys_);
  auto refused =
      kiosk.Run(card, "1234", Choice("20218", KonbiniCertificate::kInkan));
  ASSERT_FALSE(refused);
  EXPECT_TRUE(refused.error().Is(KonbiniErrc::kRefused)) << refused.error();
  EXPECT_NE(refused.error().message().find("登録されていません"),
            std::string::npos)
      << refused.error();
  // The enrolled kiosk is served.
  auto printed =
      RunAt(centre.url, 0, Choice("20218", KonbiniCertificate::kInkan));
  EXPECT_TRUE(printed) << printed.error();
  EXPECT_EQ(centre_->OpenSessions(), 0u);
}

// A session is bound to the kiosk that began it: another enrolled kiosk
// presenting its request id — with the holder's real certificate and
// signature — gets at every step exactly the answer of an unknown request
// id, and neither drives nor ends the session, which its own kiosk then
// completes; once it timed out, only its own kiosk is told so.
TEST_F(KonbiniRemoteTest, ASessionIsBoundToTheKioskThatBeganIt) {
  auto one = LoadOrCreateKioskCredential(dir_, "kiosk-1");
  auto two = LoadOrCreateKioskCredential(dir_, "kiosk-2");
  ASSERT_TRUE(one && two);
  auto kiosks = std::make_shared<KioskCredentials>();
  kiosks->Enrol(*one);
  kiosks->Enrol(*two);
  kiosks_ = kiosks;
  credential_ = *one;
  Node a = Issuer("20218", "20218-a");
  CentreOptions options;
  options.session_timeout = std::chrono::seconds(60);
  Node centre = CentreOf({{"20218", {a.url}}}, options);
  const Holder& h = holders_.at(0);
  SoftwareCard card(h.certificate_der, h.key, "1234");
  ASSERT_TRUE(card.VerifyPin("1234"));
  HttpCentre first(centre.url, *one);
  auto start = first.Begin();
  ASSERT_TRUE(start) << start.error();
  auto signature = card.SignChallenge(start->challenge);
  ASSERT_TRUE(signature);
  const std::string unknown = "req-" + std::string(32, '0');

  // Every step as kiosk-2 on `id` (card, document, registration, cancel,
  // end): status and body, `id` written as ID.
  const auto as_second = [&](const std::string& id) {
    const std::string base = centre.url + "/konbini/v1/centre/sessions/" + id;
    const std::string card_body =
        R"({"certificate":")" + Base64Encode(h.certificate_der) +
        R"(","signature":")" + Base64Encode(*signature) + R"("})";
    std::vector<std::pair<int, std::string>> out;
    for (const auto& [method, url, body] :
         std::vector<std::tuple<std::string, std::string, std::string>>{
             {"POST", base + "/card", card_body},
             {"POST", base + "/document",
              R"({"municipality":"20218","request":{"certificate":"inkan"}})"},
             {"POST", base + "/registration",
              R"({"municipality":"13221","domicile":"東京都清瀬市",)"
              R"("head_of_family":"千曲 太郎"})"},
             {"POST", base + "/cancel", "{}"},
             {"DELETE", base, ""}}) {
      http::ClientRequest call;
      call.method = method;
      call.url = url;
      call.headers = {{"Content-Type", "application/json"},
                      {"Authorization", "Bearer " + *two}};
      call.body = body;
      auto answer = http::Fetch(call);
      EXPECT_TRUE(answer) << answer.error();
      if (!answer) continue;
      std::string text = answer->body;
      for (auto at = text.find(id); at != std::string::npos;
           at = text.find(id)) {
        text.replace(at, id.size(), "ID");
      }
      out.emplace_back(answer->status, text);
    }
    return out;
  };
  const auto refused = as_second(unknown);
  ASSERT_EQ(refused.size(), 5u);
  for (const auto& [status, body] : refused) {
    EXPECT_EQ(status, 404) << body;
    EXPECT_NE(body.find("\"konbini_error\":\"no_session\""), std::string::npos)
        << body;
  }
  // Before and after its own kiosk authenticated the card.
  EXPECT_EQ(as_second(start->request_id), refused);
  auto who =
      first.Authenticate(start->request_id, h.certificate_der, *signature);
  ASSERT_TRUE(who) << who.error();
  EXPECT_EQ(who->resident_id, ids_[0]);
  EXPECT_EQ(as_second(start->request_id), refused);
  EXPECT_EQ(centre_->OpenSessions(), 1u);  // not ended by kiosk-2's DELETE

  // Its own kiosk completes it.
  IssueRequest choice;
  choice.certificate = KonbiniCertificate::kInkan;
  auto fetched = first.Request(start->request_id, "20218", choice);
  ASSERT_TRUE(fetched) << fetched.error();
  EXPECT_EQ(as_second(start->request_id), refused);
  Status finished = first.Finish(start->request_id);
  EXPECT_TRUE(finished) << finished.error();
  EXPECT_EQ(centre_->OpenSessions(), 0u);

  // Timed out: the reason goes to its kiosk, not to another.
  auto left = first.Begin();
  ASSERT_TRUE(left) << left.error();
  clock_.Advance(std::chrono::seconds(61));
  EXPECT_EQ(centre_->OpenSessions(), 0u);
  EXPECT_EQ(as_second(left->request_id), refused);
  auto late = first.Finish(left->request_id);
  ASSERT_FALSE(late);
  EXPECT_NE(late.error().message().find("時間切れ"), std::string::npos)
      << late.error();
  // kiosk-2 filed no 利用登録申請 in the holder's name.
  registry::OnlineApplications apps(*store_, clock_, rng_, {});
  auto inbox = apps.Inbox(kClerk, "13221", std::nullopt);
  ASSERT_TRUE(inbox) << inbox.error();
  for (const auto& app : *inbox) EXPECT_NE(app.resident_id, ids_[0]);
}

TEST_F(KonbiniRemoteTest, AKioskCredentialIsMadeOncePrivateAndPerKiosk) {
  auto made = LoadOrCreateKioskCredential(dir_, "shop-0042");
  ASSERT_TRUE(made) << made.error();
  EXPECT_TRUE(made->starts_with("shop-0042:"));
  EXPECT_EQ(made->size(), std::string("shop-0042:").size() + 64);
  auto again = LoadOrCreateKioskCredential(dir_, "shop-0042");
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *made);
  auto read = LoadKioskCredential(dir_, "shop-0042");
  ASSERT_TRUE(read);
  EXPECT_EQ(*read, *made);
  struct stat st {};
  ASSERT_EQ(::stat((dir_ / "konbini/kiosks/shop-0042.credential").c_str(), &st),
            0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto another = LoadOrCreateKioskCredential(dir_, "shop-0043");
  ASSERT_TRUE(another);
  EXPECT_NE(another->substr(10), made->substr(10));
  auto missing = LoadKioskCredential(dir_, "shop-9999");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message().find("not enrolled"), std::string::npos)
      << missing.error();
  for (const char* bad : {"", "../registry", "Shop", "a/b"}) {
    EXPECT_FALSE(LoadOrCreateKioskCredential(dir_, bad)) << bad;
  }
}

}  // namespace
}  // namespace openmyna::konbini
