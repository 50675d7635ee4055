#include "openmyna/http/server.h"

#include <algorithm>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "openmyna/base/log.h"
#include "openmyna/http/errors.h"

namespace openmyna::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

}  // namespace

// What Stop() and the deadline sweeper need of a connection, plain or TLS.
class Stoppable {
 public:
  virtual ~Stoppable() = default;
  virtual void StopWhenIdle() = 0;
  // Closes the connection if its deadline is still kExpired once on its
  // strand (it made no progress since the sweeper saw the deadline pass).
  virtual void Expire() = 0;

  // When the operation the connection waits for must have finished
  // (steady_clock ticks), kNone while a handler runs, kExpired once the
  // sweeper saw it pass. Set on the connection's strand, read by the sweeper.
  static constexpr std::int64_t kNone = 0;
  static constexpr std::int64_t kExpired = -1;
  std::atomic<std::int64_t> deadline{kNone};
};

std::int64_t SteadyNow() {
  return std::chrono::steady_clock::now().time_since_epoch().count();
}

// Every connection runs on a strand of the one io_context, named by its
// concrete type (an any_io_executor would type-erase it at every operation).
// The sockets are asio's own, without beast::basic_stream's timer per
// operation: each operation armed it and cancelled it on completion, and
// the cancelled wait's completion went through the strand, often to another
// worker woken for it; one sweeper (Server::Impl::Sweep) closes the
// connections whose deadline passed instead.
using Executor = asio::strand<asio::io_context::executor_type>;
using Socket = tcp::socket::rebind_executor<Executor>::other;

template <class Stream>
class Session;
using PlainSession = Session<Socket>;
using TlsSession = Session<beast::ssl_stream<Socket>>;

struct Server::Impl {
  Impl(ServerOptions o, Router r)
      : options(std::move(o)),
        router(std::move(r)),
        ioc(options.threads > 0 ? options.threads : 1) {}

  void DoAccept(tcp::acceptor& on, bool tls);
  void Register(const std::shared_ptr<Stoppable>& session);
  void Sweep();
  std::string Now() const {
    static const SystemClock kSystemClock;
    const Clock& clock = options.clock ? *options.clock : kSystemClock;
    return FormatHttpDate(clock.Now());
  }

  ServerOptions options;
  Router router;
  asio::io_context ioc;
  std::optional<tcp::acceptor> acceptor;
  std::optional<tcp::acceptor> tls_acceptor;
  std::optional<asio::ssl::context> tls_context;
  std::uint16_t tls_port = 0;
  std::optional<asio::signal_set> signals;
  std::vector<std::thread> threads;
  std::atomic<bool> stopping{false};
  std::uint16_t port = 0;

  std::mutex sessions_mutex;
  std::vector<std::weak_ptr<Stoppable>> sessions;
  std::optional<asio::steady_timer> sweeper;

  std::mutex state_mutex;
  std::condition_variable state_cv;
  bool started = false;
  bool stop_requested = false;
  bool stopped = false;
  std::shared_ptr<spdlog::logger> log = log::Get("http");
};

// One connection, plain (TcpStream) or TLS (beast::ssl_stream over it). Both
// run the same HTTP/1.1 code; TLS adds the handshake first.
template <class Stream>
class Session final : public Stoppable,
                      public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = !std::is_same_v<Stream, Socket>;

 public:
  Session(Socket socket, Server::Impl& server) requires(!kTls)
      : stream_(std::move(socket)), server_(server) {
    Init();
  }
  Session(Socket socket, Server::Impl& server,
          asio::ssl::context& tls) requires(kTls)
      : stream_(std::move(socket), tls), server_(server) {
    Init();
  }

  void Start() {
    asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if constexpr (kTls) {
        // The handshake must finish within read_timeout, as a request must.
        self->Deadline(self->server_.options.read_timeout);
        self->stream_.async_handshake(
            asio::ssl::stream_base::server, [self](beast::error_code ec) {
              if (ec) return self->Close();  // not TLS, bad client hello...
              self->DoRead();
            });
      } else {
        self->DoRead();
      }
    });
  }

  // Graceful stop: an idle connection closes now, a busy one after its
  // response is written.
  void StopWhenIdle() override {
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
      self->stopping_ = true;
      if (!self->busy_) self->Close();
    });
  }

  void Expire() override {
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
      if (self->deadline.load() == kExpired) self->Close();
    });
  }

 private:
  void Init() {
    beast::error_code ec;
    const tcp::endpoint peer = Lowest().remote_endpoint(ec);
    if (!ec) {
      remote_ = peer.address().to_string() + ":" + std::to_string(peer.port());
    }
    // Send's direct write must not block (asio's asynchronous operations
    // are unaffected by this flag).
    if constexpr (!kTls) Lowest().non_blocking(true, ec);
  }
  Socket& Lowest() { return beast::get_lowest_layer(stream_); }
  void Deadline(std::chrono::steady_clock::duration within) {
    deadline.store(SteadyNow() + within.count());
  }

  void DoRead() {
    if (stopping_ || server_.stopping) return Close();
    parser_.emplace();
    parser_->body_limit(server_.options.max_body_bytes);
    parser_->header_limit(
        static_cast<std::uint32_t>(server_.options.max_header_bytes));
    // Waiting for the next request on a persistent connection.
    Deadline(server_.options.idle_timeout);
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
          self->OnHeader(ec);
        });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    // What of the body came with the header (all of it, usually; none for a
    // GET) is parsed here: when that completes the request it is handled on
    // this thread, where async_read would post its completion to the
    // io_context first (a worker woken per request).
    parser_->eager(true);
    while (!parser_->is_done() && buffer_.size() > 0) {
      const std::size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec == bhttp::error::need_more) break;
      if (ec) return OnReadError(ec);
      if (used == 0) break;
    }
    if (parser_->is_done()) return OnRead({});
    Deadline(server_.options.read_timeout);
    bhttp::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code e, std::size_t) {
          self->OnRead(e);
        });
  }

  void OnReadError(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
        ec == asio::error::operation_aborted || ec == beast::error::timeout ||
        ec == asio::error::connection_reset ||
        ec == asio::error::bad_descriptor ||
        ec == asio::ssl::error::stream_truncated) {
      return Close();
    }
    if (ec == bhttp::error::body_limit) {
      return Send(Problem(413, "Content Too Large",
                          "the request body exceeds " +
                              std::to_string(server_.options.max_body_bytes) +
                              " bytes"),
                  /*close=*/true, /*head=*/false, 11);
    }
    if (ec == bhttp::error::header_limit) {
      return Send(Problem(431, "Request Header Fields Too Large"),
                  /*close=*/true, /*head=*/false, 11);
    }
    return Send(Problem(400, "Bad Request", ec.message()), /*close=*/true,
                /*head=*/false, 11);
  }

  void OnRead(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    busy_ = true;
    deadline.store(kNone);  // a handler may take its time (a group commit)
    bhttp::request<bhttp::string_body>& in = parser_->get();
    Request request;
    request.method = std::string(in.method_string());
    request.target = std::string(in.target());
    const std::size_t q = request.target.find('?');
    request.path = request.target.substr(0, q);
    if (q != std::string::npos) request.query = request.target.substr(q + 1);
    for (const auto& field : in) {
      request.headers.push_back(
          {std::string(field.name_string()), std::string(field.value())});
    }
    request.body = std::move(in.body());
    request.remote = remote_;
    request.secure = kTls;
    Response response;
    try {
      response = server_.router.Dispatch(request);
    } catch (const std::exception& e) {
      server_.log->error("handler for {} {} threw: {}", request.method,
                         request.path, e.what());
      response = Problem(500, "Internal Server Error");
    }
    const bool close = !in.keep_alive();
    Send(std::move(response), close, request.method == "HEAD", in.version());
  }

  void Send(Response response, bool close, bool head, unsigned version) {
    busy_ = true;
    deadline.store(kNone);
    close_after_ = close || stopping_ || server_.stopping;
    response_ = {};
    response_.version(version == 10 ? 10 : 11);
    response_.result(static_cast<unsigned>(response.status));
    response_.reason(ReasonPhrase(response.status));
    response_.set(bhttp::field::server, server_.options.server_name);
    response_.set(bhttp::field::date, server_.Now());
    if (!response.content_type.empty()) {
      response_.set(bhttp::field::content_type, response.content_type);
    }
    for (Header& h : response.headers) {
      response_.insert(h.name, h.value);
    }
    response_.keep_alive(!close_after_);
    // 304 (and 204) have no content; a Content-Length would have to be the
    // length of the 200's content (RFC 9110 §8.6), so none is sent.
    if (response.status != 304 && response.status != 204) {
      response_.content_length(response.body.size());
    }
    if (!head) response_.body() = std::move(response.body);
    if constexpr (!kTls) {
      // Written at once when the socket takes it all (a response of a few KB
      // fits the kernel's send buffer), and the next request read on this
      // thread: async_write would post its completion to the io_context
      // first (a worker woken per request). The socket is non-blocking
      // (Init), so a peer that does not read never holds this thread: what
      // it does not take now is written asynchronously, under read_timeout.
      serializer_.emplace(response_);
      beast::error_code ec;
      bhttp::write(Lowest(), *serializer_, ec);
      if (ec != asio::error::would_block && ec != asio::error::try_again) {
        return OnWrite(ec);
      }
      Deadline(server_.options.read_timeout);
      bhttp::async_write(
          stream_, *serializer_,
          [self = this->shared_from_this()](beast::error_code e, std::size_t) {
            self->OnWrite(e);
          });
    } else {
      Deadline(server_.options.read_timeout);
      bhttp::async_write(
          stream_, response_,
          [self = this->shared_from_this()](beast::error_code e, std::size_t) {
            self->OnWrite(e);
          });
    }
  }

  void OnWrite(beast::error_code ec) {
    busy_ = false;
    if (ec) return Close();
    if (close_after_ || stopping_ || server_.stopping) return Drain();
    DoRead();
  }

  // Half-closes and reads what the client still sends (e.g. the rest of an
  // oversized body) so that the kernel does not answer it with a RST that
  // would destroy the response we just wrote.
  void Drain() {
    beast::error_code ec;
    Lowest().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return Close();
    Deadline(std::chrono::seconds(1));
    drain_buffer_.resize(16 * 1024);
    Lowest().async_read_some(
        asio::buffer(drain_buffer_),
        [self = this->shared_from_this()](beast::error_code e, std::size_t n) {
          self->drained_ += n;
          if (e || self->drained_ > 4 * 1024 * 1024) return self->Close();
          self->Drain();
        });
  }

  // Closes the TCP connection. Over TLS no close_notify is sent: HTTP/1.1
  // framing (Content-Length) already tells the client where the response
  // ends, and waiting for the peer's close_notify could hang (RFC 8446 §6.1
  // lets either side close without waiting).
  void Close() {
    beast::error_code ec;
    Lowest().shutdown(tcp::socket::shutdown_both, ec);
    Lowest().close(ec);
  }

  Stream stream_;
  Server::Impl& server_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::string_body> response_;
  std::optional<bhttp::response_serializer<bhttp::string_body>> serializer_;
  std::string remote_;
  std::vector<char> drain_buffer_;
  std::size_t drained_ = 0;
  bool busy_ = false;
  bool stopping_ = false;
  bool close_after_ = false;
};

// Every quarter of the shortest timeout (10-250 ms), closes the connections
// whose deadline passed: a timeout is thus enforced within 1.25 times its
// length (at most 250 ms late).
void Server::Impl::Sweep() {
  const auto shortest = std::min(options.read_timeout, options.idle_timeout);
  sweeper->expires_after(std::clamp<std::chrono::milliseconds>(
      shortest / 4, std::chrono::milliseconds(10),
      std::chrono::milliseconds(250)));
  sweeper->async_wait([this](beast::error_code ec) {
    if (ec || stopping) return;
    const std::int64_t now = SteadyNow();
    std::vector<std::shared_ptr<Stoppable>> due;
    {
      std::lock_guard lock(sessions_mutex);
      std::erase_if(sessions, [&](const std::weak_ptr<Stoppable>& weak) {
        const std::shared_ptr<Stoppable> session = weak.lock();
        if (!session) return true;
        std::int64_t when = session->deadline.load();
        if (when > 0 && when <= now &&
            session->deadline.compare_exchange_strong(when,
                                                      Stoppable::kExpired)) {
          due.push_back(session);
        }
        return false;
      });
    }
    for (const auto& session : due) session->Expire();
    due.clear();
    Sweep();
  });
}

void Server::Impl::Register(const std::shared_ptr<Stoppable>& session) {
  std::lock_guard lock(sessions_mutex);
  if (sessions.size() >= 64 && sessions.size() == sessions.capacity()) {
    std::erase_if(sessions, [](const auto& w) { return w.expired(); });
  }
  sessions.push_back(session);
}

// Accepts on `on` forever (until stopping); `tls` picks the session type.
void Server::Impl::DoAccept(tcp::acceptor& on, bool tls) {
  on.async_accept(asio::make_strand(ioc), [this, &on, tls](beast::error_code ec,
                                                           Socket socket) {
    if (stopping) return;
    if (ec) {
      if (ec == asio::error::operation_aborted) return;
      log->warn("accept{}: {}", tls ? " (TLS)" : "", ec.message());
    } else {
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      std::shared_ptr<Stoppable> session;
      if (tls) {
        auto s = std::make_shared<TlsSession>(std::move(socket), *this,
                                              *tls_context);
        s->Start();
        session = std::move(s);
      } else {
        auto s = std::make_shared<PlainSession>(std::move(socket), *this);
        s->Start();
        session = std::move(s);
      }
      Register(session);
    }
    DoAccept(on, tls);
  });
}

// TLS 1.2 and 1.3 only (RFC 8996 retires 1.0 and 1.1), OpenSSL's default
// cipher lists; the chain and key come from PEM files.
Status LoadTlsContext(Server::Impl& s) {
  const TlsOptions& tls = *s.options.tls;
  s.tls_context.emplace(asio::ssl::context::tls_server);
  asio::ssl::context& context = *s.tls_context;
  beast::error_code ec;
  context.set_options(
      asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
          asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
          asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use,
      ec);
  if (!ec) context.use_certificate_chain_file(tls.certificate_chain_pem, ec);
  if (ec) {
    return Fail(HttpErrc::kInvalidOptions,
                "TLS certificate " + tls.certificate_chain_pem.string() + ": " +
                    ec.message());
  }
  context.use_private_key_file(tls.private_key_pem, asio::ssl::context::pem,
                               ec);
  if (ec) {
    return Fail(
        HttpErrc::kInvalidOptions,
        "TLS key " + tls.private_key_pem.string() + ": " + ec.message());
  }
  return Ok();
}

Server::Server(ServerOptions options, Router router)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(router))) {}

Server::~Server() { Stop(); }

Status Server::Start() {
  Impl& s = *impl_;
  if (s.options.threads < 1 || s.options.threads > 256) {
    return Fail(HttpErrc::kInvalidOptions, "threads must be within 1..256");
  }
  if (s.options.max_body_bytes == 0 || s.options.max_header_bytes < 256) {
    return Fail(HttpErrc::kInvalidOptions, "request size limits too small");
  }
  {
    std::lock_guard lock(s.state_mutex);
    if (s.started) {
      return Fail(HttpErrc::kInvalidOptions, "server already started");
    }
  }
  beast::error_code ec;
  const asio::ip::address address =
      asio::ip::make_address(s.options.address, ec);
  if (ec) {
    return Fail(HttpErrc::kInvalidOptions,
                "bad listen address " + s.options.address);
  }
  auto listen = [&](std::optional<tcp::acceptor>& slot,
                    std::uint16_t port) -> Result<std::uint16_t> {
    const tcp::endpoint endpoint(address, port);
    slot.emplace(asio::make_strand(s.ioc));
    tcp::acceptor& acceptor = *slot;
    const auto where = s.options.address + ":" + std::to_string(port);
    if (acceptor.open(endpoint.protocol(), ec); ec) {
      return Fail(HttpErrc::kBindFailed, where + ": " + ec.message());
    }
    acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (acceptor.bind(endpoint, ec); ec) {
      return Fail(HttpErrc::kBindFailed, where + ": " + ec.message());
    }
    if (acceptor.listen(asio::socket_base::max_listen_connections, ec); ec) {
      return Fail(HttpErrc::kBindFailed, where + ": " + ec.message());
    }
    return acceptor.local_endpoint().port();
  };
  if (s.options.tls) {
    OPENMYNA_RETURN_IF_ERROR(LoadTlsContext(s));
  }
  OPENMYNA_ASSIGN_OR_RETURN(s.port, listen(s.acceptor, s.options.port));
  if (s.options.tls) {
    OPENMYNA_ASSIGN_OR_RETURN(s.tls_port,
                              listen(s.tls_acceptor, s.options.tls->port));
    s.DoAccept(*s.tls_acceptor, true);
  }
  s.DoAccept(*s.acceptor, false);
  s.sweeper.emplace(asio::make_strand(s.ioc));
  s.Sweep();
  {
    std::lock_guard lock(s.state_mutex);
    s.started = true;
  }
  for (int i = 0; i < s.options.threads; ++i) {
    s.threads.emplace_back([&s] { s.ioc.run(); });
  }
  s.log->info("listening on {}:{} with {} threads", s.options.address, s.port,
              s.options.threads);
  if (s.options.tls) {
    s.log->info("listening with TLS on {}:{}", s.options.address, s.tls_port);
  }
  return Ok();
}

std::uint16_t Server::port() const { return impl_->port; }
std::uint16_t Server::tls_port() const { return impl_->tls_port; }

void Server::Stop() {
  Impl& s = *impl_;
  {
    std::lock_guard lock(s.state_mutex);
    if (!s.started || s.stopped) return;
    s.stopped = true;
    s.stop_requested = true;
  }
  s.state_cv.notify_all();
  s.stopping = true;
  asio::post(s.acceptor->get_executor(), [&s] {
    beast::error_code ec;
    s.acceptor->close(ec);
  });
  if (s.tls_acceptor) {
    asio::post(s.tls_acceptor->get_executor(), [&s] {
      beast::error_code ec;
      s.tls_acceptor->close(ec);
    });
  }
  asio::post(s.sweeper->get_executor(), [&s] { s.sweeper->cancel(); });
  if (s.signals) {
    asio::post(s.ioc, [&s] {
      beast::error_code ec;
      s.signals->cancel(ec);
    });
  }
  std::vector<std::shared_ptr<Stoppable>> live;
  {
    std::lock_guard lock(s.sessions_mutex);
    for (auto& weak : s.sessions) {
      if (auto session = weak.lock()) live.push_back(std::move(session));
    }
    s.sessions.clear();
  }
  for (auto& session : live) session->StopWhenIdle();
  live.clear();
  for (std::thread& t : s.threads) {
    if (t.joinable()) t.join();
  }
  s.threads.clear();
  s.log->info("stopped");
}

void Server::Wait() {
  Impl& s = *impl_;
  {
    std::unique_lock lock(s.state_mutex);
    s.state_cv.wait(lock, [&s] { return s.stop_requested || !s.started; });
  }
  Stop();
}

void Server::StopOnSignals() {
  Impl& s = *impl_;
  s.signals.emplace(s.ioc, SIGINT, SIGTERM);
  s.signals->async_wait([&s](beast::error_code ec, int) {
    if (ec) return;
    {
      std::lock_guard lock(s.state_mutex);
      s.stop_requested = true;
    }
    s.state_cv.notify_all();
  });
}

}  // namespace openmyna::http
