// sign_in_bench: the load generator of bench/sign_in/run.sh.
//
//   sign_in_bench signin DATA HTTP_BASE HTTPS_BASE CLIENT_ID KEY_FILE CARDS
//                        PIN THREADS SECONDS
//     CARDS: one card image, or DIR/generated-cards.json (`openmyna db seed
//     --cards K`): the threads share the cards out (card i to thread
//     i mod THREADS) and each takes its next card for every sign-in, so a
//     card signs in again only after all the others did.
//     THREADS clients each repeat a whole sign-in against a running serve:
//     GET auth (PKCE, state, nonce) → GET the app's challenge → the card
//     signs it in process (the registry's card image, JPKI-AP VERIFY +
//     COMPUTE DIGITAL SIGNATURE through JpkiClient) → POST it (the provider
//     verifies the RSA signature, asks OCSP, maps through the registry,
//     audits) → GET wait (302 with the code) → POST token (private_key_jwt
//     ES256; the provider signs the ES256 ID token). Plain HTTP to serve's
//     HTTP port (the routes are the same as on HTTPS; no TLS handshakes).
//   sign_in_bench floor DATA HTTP_BASE CARDS PIN THREADS SECONDS
//     The raw cost of the same cryptography with OpenSSL: one RSA
//     verification (the card's signature over a challenge), one OCSP look-up
//     (a request for the card's authentication certificate POSTed to the
//     same responder, the basic response verified against the CA, the
//     status read) and one ES256 signature (an ID token), per iteration;
//     the same rotation through CARDS.
//   sign_in_bench least DATA HTTP_BASE CARDS PIN THREADS SECONDS
//     The cryptography a whole sign-in cannot do without, straight on
//     OpenSSL and nothing else (no page, no storage, one HTTP exchange): the
//     card's signature over a challenge (made in process by the same card
//     image as `signin`), its certificate parsed from its bytes and its path
//     validated to the CA, the floor's three (RSA verification, OCSP look-up,
//     ES256 signature), and the client assertion's ES256 signature and its
//     verification. A sign-in does all of it and more, so its rate bounds
//     the wall-clock ratio `signin` can reach against `floor`.
//   sign_in_bench least-plus DATA HTTP_BASE CARDS PIN THREADS SECONDS
//     `least` plus what no sign-in can skip beside its cryptography, each in
//     its cheapest form: four more HTTP exchanges on the same kept-alive
//     connection (a sign-in has five: page, challenge, answer, wait, token),
//     each the cheapest serve answers (the OCSP responder's pre-signed
//     answer, not verified), and one durable audit row (a plain group-
//     committing writer on its own SQLite file in DATA, WAL +
//     synchronous=FULL as the registry opens it: raw_audit_writer.h).
// Each prints: ops=N seconds=S rate=R p50_ms=… p99_ms=… cpu_s=C
// card_cpu_s=K p99_ms_without_card=… errors=E — C is this process's CPU time
// (all threads, getrusage), K the part of it the in-process card spent in
// its signatures (each thread's CPU clock around JpkiClient calls), and the
// last figure the p99 of a sign-in's time less its card's signature (the
// provider, the relying party and the app's HTTP: what the floor has too).
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "openmyna/base/file_io.h"
#include "openmyna/base/rng.h"
#include "openmyna/card/card.h"
#include "openmyna/card/client/jpki_client.h"
#include "openmyna/card/image.h"
#include "openmyna/card/perso/personalize.h"
#include "openmyna/http/client.h"
#include "openmyna/sign_in/jose.h"
#include "raw_audit_writer.h"

namespace {

using namespace openmyna;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

class CardChannel final : public card::client::ApduChannel {
 public:
  explicit CardChannel(card::Card& card) : card_(card) {}
  Result<Bytes> Transmit(ByteView command) override {
    return card_.Transmit(command);
  }

 private:
  card::Card& card_;
};

// The card images CARDS names: itself, or the "image" of every card of a
// generated-cards.json.
std::vector<std::string> CardImages(const std::string& cards) {
  if (!cards.ends_with(".json")) return {cards};
  auto text = ReadFileText(cards);
  if (!text) {
    std::fprintf(stderr, "sign_in_bench: cannot read %s\n", cards.c_str());
    std::exit(2);
  }
  std::vector<std::string> images;
  const json doc = json::parse(*text);
  for (const auto& card : doc.at("cards")) {
    images.push_back(card.at("image").get<std::string>());
  }
  if (images.empty()) std::exit(2);
  return images;
}

// The images thread `t` of `threads` uses: every threads-th from t (at
// least one).
std::vector<std::string> ImagesOf(const std::vector<std::string>& all, int t,
                                  int threads) {
  std::vector<std::string> mine;
  for (std::size_t i = t; i < all.size(); i += threads) mine.push_back(all[i]);
  if (mine.empty()) mine.push_back(all[t % all.size()]);
  return mine;
}

// One in-process copy of a card per thread (a card is not thread-safe).
struct InProcessCard {
  OpenSslRng rng;
  std::unique_ptr<card::Card> card;
  std::unique_ptr<CardChannel> channel;
  std::unique_ptr<card::client::JpkiClient> jpki;
  Bytes certificate;

  bool Open(const std::string& data, const std::string& image_path) {
    auto key = card::perso::LoadStorageKey(data);
    if (!key) return false;
    auto image = card::LoadImage(image_path, &*key);
    if (!image) return false;
    card = card::Card::FromImage(std::move(*image), rng);
    card->PowerOn();
    channel = std::make_unique<CardChannel>(*card);
    jpki = std::make_unique<card::client::JpkiClient>(*channel);
    if (!jpki->SelectAp()) return false;
    auto cert = jpki->ReadCertificate(card::client::JpkiKey::kAuthentication);
    if (!cert) return false;
    certificate = *cert;
    return true;
  }
  std::optional<Bytes> Sign(const std::string& pin, std::string_view text) {
    using card::client::JpkiKey;
    if (!jpki->SelectAp()) return std::nullopt;
    auto status = jpki->Login(JpkiKey::kAuthentication, pin);
    if (!status || status->state != card::client::PinStatus::State::kVerified) {
      return std::nullopt;
    }
    Bytes digest_info = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60,
                         0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                         0x01, 0x05, 0x00, 0x04, 0x20};
    unsigned char hash[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(),
           hash);
    digest_info.insert(digest_info.end(), hash, hash + SHA256_DIGEST_LENGTH);
    auto signature = jpki->Sign(JpkiKey::kAuthentication, digest_info);
    if (!signature) return std::nullopt;
    return *signature;
  }
};

// The HTTP client of one bench thread: one kept-alive connection (as a
// relying party's client keeps it; the default) or a new connection per
// request (SIGNIN_BENCH_KEEPALIVE=0).
struct Http {
  http::KeepAliveClient kept;
  Result<http::ClientResponse> Fetch(const http::ClientRequest& request) {
    static const bool keep_alive = [] {
      const char* v = std::getenv("SIGNIN_BENCH_KEEPALIVE");
      return v == nullptr || std::string_view(v) != "0";
    }();
    return keep_alive ? kept.Fetch(request) : http::Fetch(request);
  }
};

// What the in-process card spent on one operation (zero for the floor).
struct CardTime {
  double cpu_s = 0;
  double wall_ms = 0;
};

double ThreadCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + t.tv_nsec / 1e9;
}

double ProcessCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto s = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

struct Stats {
  std::mutex mutex;
  std::vector<double> ms, ms_without_card;
  double card_cpu_s = 0;
  std::atomic<int> errors{0};
  std::string first_error;
  void Add(double v, const CardTime& card) {
    std::lock_guard lock(mutex);
    ms.push_back(v);
    ms_without_card.push_back(v - card.wall_ms);
    card_cpu_s += card.cpu_s;
  }
  void Error(const std::string& why) {
    if (errors++ == 0) {
      std::lock_guard lock(mutex);
      first_error = why;
    }
  }
  void Print(double seconds, double cpu_s) {
    std::sort(ms.begin(), ms.end());
    std::sort(ms_without_card.begin(), ms_without_card.end());
    auto at = [](const std::vector<double>& v, double q) {
      return v.empty() ? 0.0
                       : v[std::min(v.size() - 1,
                                    static_cast<std::size_t>(q * v.size()))];
    };
    std::printf(
        "ops=%zu seconds=%.2f rate=%.1f p50_ms=%.2f p99_ms=%.2f cpu_s=%.3f "
        "card_cpu_s=%.3f p99_ms_without_card=%.2f errors=%d\n",
        ms.size(), seconds, ms.size() / seconds, at(ms, 0.50), at(ms, 0.99),
        cpu_s, card_cpu_s, at(ms_without_card, 0.99), errors.load());
    if (!first_error.empty()) {
      std::fprintf(stderr, "first error: %s\n", first_error.c_str());
    }
  }
};

template <class Body>
void Run(int threads, double seconds, Stats& stats, Body body) {
  // Each thread's cards are opened before the clocks start.
  std::vector<decltype(body.Prepare(0))> states;
  for (int t = 0; t < threads; ++t) states.push_back(body.Prepare(t));
  const auto start = Clock::now();
  const double cpu_start = ProcessCpuSeconds();
  const auto end = start + std::chrono::duration<double>(seconds);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      auto& state = states[t];
      while (Clock::now() < end) {
        const auto t0 = Clock::now();
        std::string why;
        CardTime card;
        if (body.Once(*state, why, card)) {
          stats.Add(std::chrono::duration<double, std::milli>(Clock::now() - t0)
                        .count(),
                    card);
        } else {
          stats.Error(why);
        }
      }
    });
  }
  for (auto& th : pool) th.join();
  stats.Print(std::chrono::duration<double>(Clock::now() - start).count(),
              ProcessCpuSeconds() - cpu_start);
}

std::string Pkce(const std::string& verifier) {
  unsigned char d[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(verifier.data()),
         verifier.size(), d);
  return sign_in::Base64UrlEncode(ByteView(d, sizeof d));
}

std::string Unescape(std::string s) {
  for (std::size_t at; (at = s.find("&amp;")) != std::string::npos;) {
    s.replace(at, 5, "&");
  }
  return s;
}

// The attribute value that ends just before `marker` (…="VALUE" marker).
std::string Before(const std::string& page, std::string_view marker) {
  const auto end = page.find(marker);
  if (end == std::string::npos) return {};
  const auto begin = page.rfind('"', end - 1);
  return begin == std::string::npos ? std::string()
                                    : page.substr(begin + 1, end - begin - 1);
}

// The attribute value that starts just after `marker` (marker VALUE").
std::string After(const std::string& page, std::string_view marker) {
  const auto begin = page.find(marker);
  if (begin == std::string::npos) return {};
  const auto from = begin + marker.size();
  const auto end = page.find('"', from);
  return end == std::string::npos ? std::string()
                                  : page.substr(from, end - from);
}

struct SignIn {
  std::string data, http, https, client_id, pin;
  std::vector<std::string> images;
  int threads = 1;
  json client_jwk;

  struct State {
    std::vector<std::unique_ptr<InProcessCard>> cards;
    std::size_t next = 0;  // the card of the next sign-in
    pki::EvpPkeyPtr key;
    OpenSslRng rng;
    Http http;
  };
  std::unique_ptr<State> Prepare(int t) const {
    auto s = std::make_unique<State>();
    for (const std::string& image : ImagesOf(images, t, threads)) {
      s->cards.push_back(std::make_unique<InProcessCard>());
      if (!s->cards.back()->Open(data, image)) {
        std::fprintf(stderr, "sign_in_bench: cannot open the card %s\n",
                     image.c_str());
        std::exit(2);
      }
    }
    s->key = *sign_in::KeyFromJwk(client_jwk);
    return s;
  }
  // https://host:port/x → http://host:port'/x (same routes, no TLS).
  std::string Plain(const std::string& url) const {
    return url.rfind(https, 0) == 0 ? http + url.substr(https.size()) : url;
  }
  bool Once(State& s, std::string& why, CardTime& card) const {
    InProcessCard& holder = *s.cards[s.next++ % s.cards.size()];
    const std::string issuer = https + "/api/realms/main";
    const std::string o = "/api/realms/main/protocol/openid-connect/";
    const std::string verifier = sign_in::Base64UrlEncode(s.rng.Bytes(32));
    const std::string state = sign_in::Base64UrlEncode(s.rng.Bytes(12));
    const std::string redirect = "https://rp.example/callback";
    auto auth = s.http.Fetch(
        {.url = http + o + "auth?response_type=code&client_id=" + client_id +
                "&redirect_uri=https%3A%2F%2Frp.example%2Fcallback"
                "&scope=openid%20name&state=" +
                state + "&nonce=n" + state + "&code_challenge=" +
                Pkce(verifier) + "&code_challenge_method=S256"});
    if (!auth || auth->status != 200) return why = "auth page", false;
    // The app link and the wait URL, by plain searches (the bench's own
    // cost, kept small: no std::regex over the page).
    const std::string link = Before(auth->body, "\" id=\"app-link\"");
    const std::string wait = After(auth->body, "content=\"2;url=");
    if (link.empty() || wait.empty()) {
      return why = "no link on the page", false;
    }
    const std::string app = Plain(Unescape(link));
    auto challenge = s.http.Fetch({.url = app});
    if (!challenge || challenge->status != 200) return why = "challenge", false;
    const std::string text = json::parse(challenge->body)["challenge"];
    const double cpu0 = ThreadCpuSeconds();
    const auto wall0 = Clock::now();
    auto signature = holder.Sign(pin, text);
    card.cpu_s = ThreadCpuSeconds() - cpu0;
    card.wall_ms =
        std::chrono::duration<double, std::milli>(Clock::now() - wall0).count();
    if (!signature) return why = "card signature", false;
    auto posted = s.http.Fetch(
        {.method = "POST",
         .url = app,
         .headers = {{"Content-Type", "application/json"}},
         .body =
             json{{"certificate", sign_in::Base64UrlEncode(holder.certificate)},
                  {"signature", sign_in::Base64UrlEncode(*signature)}}
                 .dump()});
    if (!posted || posted->status != 200) {
      return why = "answer refused: " + (posted ? posted->body : ""), false;
    }
    auto back = s.http.Fetch({.url = http + Unescape(wait)});
    const auto q = back ? back->location.find("code=") : std::string::npos;
    if (!back || back->status != 302 || q == std::string::npos) {
      return why = "no code on the redirect", false;
    }
    const std::string code =
        back->location.substr(q + 5, back->location.find('&', q) - q - 5);
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    auto assertion =
        sign_in::SignEs256({{"iss", client_id},
                            {"sub", client_id},
                            {"aud", issuer + "/protocol/openid-connect/token"},
                            {"jti", sign_in::Base64UrlEncode(s.rng.Bytes(16))},
                            {"iat", now},
                            {"exp", now + 60}},
                           s.key.get(), client_jwk.value("kid", ""));
    if (!assertion) return why = "client assertion", false;
    auto token = s.http.Fetch(
        {.method = "POST",
         .url = http + o + "token",
         .headers = {{"Content-Type", "application/x-www-form-urlencoded"}},
         .body = "grant_type=authorization_code&code=" + code +
                 "&redirect_uri=https%3A%2F%2Frp.example%2Fcallback"
                 "&code_verifier=" +
                 verifier +
                 "&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3A"
                 "client-assertion-type%3Ajwt-bearer&client_assertion=" +
                 *assertion});
    if (!token || token->status != 200 ||
        token->body.find("id_token") == std::string::npos) {
      return why = "token: " + (token ? token->body : ""), false;
    }
    return true;
  }
};

// The floor: the same cryptography straight on OpenSSL.
struct Floor {
  std::string data, http, pin;
  std::vector<std::string> images;
  int threads = 1;
  // One card's certificate and its signature over the challenge.
  struct Signed {
    X509* cert = nullptr;
    Bytes signature;
    Signed() = default;
    Signed(const Signed&) = delete;
    Signed& operator=(const Signed&) = delete;
    ~Signed() { X509_free(cert); }
  };
  struct State {
    std::vector<std::unique_ptr<Signed>> cards;
    std::size_t next = 0;
    X509* issuer = nullptr;
    X509_STORE* store = nullptr;
    std::string challenge;
    pki::EvpPkeyPtr es256;
    Http http;
    std::string ocsp_request;  // for the first card (least-plus's exchanges)
    ~State() {
      X509_free(issuer);
      X509_STORE_free(store);
    }
  };
  std::unique_ptr<State> Prepare(int t) const {
    auto s = std::make_unique<State>();
    s->challenge = R"({"type":"openmyna-sign-in/1","nonce":"floor"})";
    for (const std::string& image : ImagesOf(images, t, threads)) {
      InProcessCard card;
      if (!card.Open(data, image)) std::exit(2);
      auto c = std::make_unique<Signed>();
      c->signature = *card.Sign(pin, s->challenge);
      const unsigned char* p = card.certificate.data();
      c->cert =
          d2i_X509(nullptr, &p, static_cast<long>(card.certificate.size()));
      s->cards.push_back(std::move(c));
    }
    FILE* f = std::fopen((data + "/ca/auth-ca-g1.pem").c_str(), "r");
    if (f == nullptr) std::exit(2);
    s->issuer = PEM_read_X509(f, nullptr, nullptr, nullptr);
    std::fclose(f);
    s->store = X509_STORE_new();
    X509_STORE_add_cert(s->store, s->issuer);
    s->es256.reset(EVP_EC_gen("P-256"));
    OCSP_REQUEST* req = OCSP_REQUEST_new();
    OCSP_request_add0_id(
        req, OCSP_cert_to_id(nullptr, s->cards[0]->cert, s->issuer));
    unsigned char* der = nullptr;
    const int n = i2d_OCSP_REQUEST(req, &der);
    if (n > 0) s->ocsp_request.assign(reinterpret_cast<char*>(der), n);
    OPENSSL_free(der);
    OCSP_REQUEST_free(req);
    return s;
  }
  bool Once(State& s, std::string& why, CardTime&) const {
    const Signed& c = *s.cards[s.next++ % s.cards.size()];
    if (!VerifyRsa(c.cert, c.signature, s.challenge)) {
      return why = "RSA verification", false;
    }
    if (!OcspLookUp(s, c.cert)) return why = "OCSP look-up", false;
    // 3. One ES256 signature (an ID token's worth of claims).
    auto jws = sign_in::SignEs256({{"iss", "https://127.0.0.1/api/realms/main"},
                                   {"sub", "floor"},
                                   {"aud", "RP"},
                                   {"nonce", "n"},
                                   {"at_hash", "h"}},
                                  s.es256.get(), "kid");
    if (!jws) return why = "ES256", false;
    return true;
  }
  // 1. RSA verification of the card's signature over `text`.
  static bool VerifyRsa(X509* cert, const Bytes& signature,
                        std::string_view text) {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    const bool ok =
        EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr,
                             X509_get0_pubkey(cert)) == 1 &&
        EVP_DigestVerify(ctx, signature.data(), signature.size(),
                         reinterpret_cast<const unsigned char*>(text.data()),
                         text.size()) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
  }
  // 2. One OCSP look-up for `cert`: an OpenSSL-built request POSTed to the
  // responder, the basic response verified, the status read.
  bool OcspLookUp(State& s, X509* cert) const {
    OCSP_REQUEST* req = OCSP_REQUEST_new();
    OCSP_CERTID* id = OCSP_cert_to_id(nullptr, cert, s.issuer);
    OCSP_request_add0_id(req, id);
    unsigned char* der = nullptr;
    const int n = i2d_OCSP_REQUEST(req, &der);
    std::string body(reinterpret_cast<char*>(der), n);
    OPENSSL_free(der);
    auto answer =
        s.http.Fetch({.method = "POST",
                      .url = http + "/ocsp/auth",
                      .headers = {{"Content-Type", "application/ocsp-request"}},
                      .body = body});
    bool good = false;
    if (answer && answer->status == 200) {
      const unsigned char* p =
          reinterpret_cast<const unsigned char*>(answer->body.data());
      OCSP_RESPONSE* resp = d2i_OCSP_RESPONSE(
          nullptr, &p, static_cast<long>(answer->body.size()));
      OCSP_BASICRESP* basic = resp ? OCSP_response_get1_basic(resp) : nullptr;
      STACK_OF(X509)* certs = sk_X509_new_null();
      sk_X509_push(certs, s.issuer);
      int status = -1, reason = -1;
      good = basic && OCSP_basic_verify(basic, certs, s.store, 0) == 1 &&
             OCSP_resp_find_status(
                 basic,
                 OCSP_request_onereq_get0(req, 0)
                     ? OCSP_onereq_get0_id(OCSP_request_onereq_get0(req, 0))
                     : nullptr,
                 &status, &reason, nullptr, nullptr, nullptr) == 1 &&
             status == V_OCSP_CERTSTATUS_GOOD;
      sk_X509_free(certs);
      OCSP_BASICRESP_free(basic);
      OCSP_RESPONSE_free(resp);
    }
    OCSP_REQUEST_free(req);
    return good;
  }
};

// The least a sign-in must cost: its unavoidable cryptography, straight on
// OpenSSL (see the header). Each iteration takes the next card in turn, as
// `signin` does, so the certificate is parsed from its bytes every time.
struct Least {
  Floor floor;
  // least-plus: the audit writer (null for least).
  bench::RawAuditWriter* audit = nullptr;
  struct State {
    std::vector<std::unique_ptr<InProcessCard>> cards;
    std::vector<std::string> residents;  // the audit rows' key per card
    std::size_t next = 0;
    std::unique_ptr<Floor::State> floor;
    pki::EvpPkeyPtr client_key;  // the relying party's P-256 key
    OpenSslRng rng;
  };
  std::unique_ptr<State> Prepare(int t) const {
    auto s = std::make_unique<State>();
    for (const std::string& image : ImagesOf(floor.images, t, floor.threads)) {
      s->cards.push_back(std::make_unique<InProcessCard>());
      if (!s->cards.back()->Open(floor.data, image)) std::exit(2);
      s->residents.push_back(image);
    }
    // The floor's issuer, trust store and ID-token key (its own cards are
    // not used here).
    Floor one{floor.data, floor.http, floor.pin, {floor.images.front()}, 1};
    s->floor = one.Prepare(0);
    s->client_key.reset(EVP_EC_gen("P-256"));
    return s;
  }
  bool Once(State& s, std::string& why, CardTime& card) const {
    const std::size_t index = s.next++ % s.cards.size();
    InProcessCard& holder = *s.cards[index];
    const std::string challenge = R"({"type":"openmyna-sign-in/1","nonce":")" +
                                  sign_in::Base64UrlEncode(s.rng.Bytes(16)) +
                                  "\"}";
    // The card's signature, timed as `signin` times it.
    const double cpu0 = ThreadCpuSeconds();
    const auto wall0 = Clock::now();
    auto signature = holder.Sign(floor.pin, challenge);
    card.cpu_s = ThreadCpuSeconds() - cpu0;
    card.wall_ms =
        std::chrono::duration<double, std::milli>(Clock::now() - wall0).count();
    if (!signature) return why = "card signature", false;
    // The certificate from its bytes, and its path to the CA (RFC 5280 §6).
    const unsigned char* p = holder.certificate.data();
    X509* cert =
        d2i_X509(nullptr, &p, static_cast<long>(holder.certificate.size()));
    if (cert == nullptr) return why = "certificate parse", false;
    X509_STORE_CTX* ctx = X509_STORE_CTX_new();
    const bool chained =
        X509_STORE_CTX_init(ctx, s.floor->store, cert, nullptr) == 1 &&
        X509_verify_cert(ctx) == 1;
    X509_STORE_CTX_free(ctx);
    bool ok = chained && Floor::VerifyRsa(cert, *signature, challenge) &&
              floor.OcspLookUp(*s.floor, cert);
    X509_free(cert);
    if (!ok) return why = "chain, RSA verification or OCSP", false;
    // The client assertion: signed by the relying party, verified by the
    // provider (ES256 over the same bytes).
    const std::string claims =
        R"({"iss":"rp","sub":"rp","aud":"token","jti":")" +
        sign_in::Base64UrlEncode(s.rng.Bytes(16)) + "\"}";
    std::size_t length = 0;
    Bytes es256(80);
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    ok = EVP_DigestSignInit(md, nullptr, EVP_sha256(), nullptr,
                            s.client_key.get()) == 1 &&
         EVP_DigestSign(md, nullptr, &length,
                        reinterpret_cast<const unsigned char*>(claims.data()),
                        claims.size()) == 1 &&
         length <= es256.size() &&
         EVP_DigestSign(md, es256.data(), &length,
                        reinterpret_cast<const unsigned char*>(claims.data()),
                        claims.size()) == 1;
    EVP_MD_CTX_free(md);
    md = EVP_MD_CTX_new();
    ok = ok &&
         EVP_DigestVerifyInit(md, nullptr, EVP_sha256(), nullptr,
                              s.client_key.get()) == 1 &&
         EVP_DigestVerify(md, es256.data(), length,
                          reinterpret_cast<const unsigned char*>(claims.data()),
                          claims.size()) == 1;
    EVP_MD_CTX_free(md);
    if (!ok) return why = "client assertion", false;
    // The ID token, as the floor signs it.
    auto jws = sign_in::SignEs256({{"iss", "https://127.0.0.1/api/realms/main"},
                                   {"sub", "least"},
                                   {"aud", "RP"},
                                   {"nonce", "n"},
                                   {"at_hash", "h"}},
                                  s.floor->es256.get(), "kid");
    if (!jws) return why = "ES256", false;
    if (audit == nullptr) return true;
    // least-plus: four more exchanges and the durable audit row.
    for (int i = 0; i < 4; ++i) {
      auto answer = s.floor->http.Fetch(
          {.method = "POST",
           .url = floor.http + "/ocsp/auth",
           .headers = {{"Content-Type", "application/ocsp-request"}},
           .body = s.floor->ocsp_request});
      if (!answer || answer->status != 200) return why = "exchange", false;
    }
    if (!audit->Write(s.residents[index])) return why = "audit row", false;
    return true;
  }
};

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> a(argv, argv + argc);
  Stats stats;
  if (argc == 11 && a[1] == "signin") {
    SignIn body{a[2], a[3], a[4], a[5], a[8], CardImages(a[7]), std::stoi(a[9]),
                {}};
    auto text = ReadFileText(a[6]);
    if (!text) return 2;
    body.client_jwk = json::parse(*text);
    Run(body.threads, std::stod(a[10]), stats, body);
  } else if (argc == 8 && a[1] == "floor") {
    Floor body{a[2], a[3], a[5], CardImages(a[4]), std::stoi(a[6])};
    Run(body.threads, std::stod(a[7]), stats, body);
  } else if (argc == 8 && (a[1] == "least" || a[1] == "least-plus")) {
    Least body{{a[2], a[3], a[5], CardImages(a[4]), std::stoi(a[6])}};
    std::unique_ptr<bench::RawAuditWriter> audit;
    if (a[1] == "least-plus") {
      // An audit entry's size: who asked, what was released, when.
      const json entry = {{"action", "sign_in"},
                          {"client", "bench-rp-0123456789abcdef"},
                          {"released", {"sub", "name"}},
                          {"acr", "aal3 ocsp"},
                          {"certificate_serial", "0123456789abcdef0123"},
                          {"at", "2026-12-03T00:00:00Z"},
                          {"request", "r-0123456789abcdef0123456789abcdef"}};
      auto opened = bench::RawAuditWriter::Open(a[2] + "/bench-audit.sqlite",
                                                entry.dump());
      if (!opened) {
        std::fprintf(stderr, "sign_in_bench: %s\n",
                     opened.error().message().c_str());
        return 2;
      }
      audit = std::move(*opened);
      body.audit = audit.get();
    }
    Run(body.floor.threads, std::stod(a[7]), stats, body);
  } else {
    std::fprintf(stderr,
                 "usage: sign_in_bench signin DATA HTTP HTTPS CLIENT_ID "
                 "KEY_FILE CARDS PIN THREADS SECONDS\n"
                 "       sign_in_bench floor DATA HTTP CARDS PIN THREADS "
                 "SECONDS\n"
                 "       sign_in_bench least|least-plus DATA HTTP CARDS PIN "
                 "THREADS SECONDS\n"
                 "CARDS: a card image, or DIR/generated-cards.json\n");
    return 2;
  }
  return stats.errors.load() == 0 ? 0 : 1;
}
