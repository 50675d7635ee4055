#include "openmyna/http/server.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
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

// IMF-fixdate (RFC 9110 §5.6.7), e.g. "Sun, 06 Nov 1994 08:49:37 GMT".
std::string HttpDate(TimePoint when) {
  const std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[40];
  const std::size_t n =
      std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return std::string(buffer, n);
}

}  // namespace

class Session;

struct Server::Impl {
  Impl(ServerOptions o, Router r)
      : options(std::move(o)),
        router(std::move(r)),
        ioc(options.threads > 0 ? options.threads : 1) {}

  void DoAccept();
  void Register(const std::shared_ptr<Session>& session);
  std::string Now() const {
    static const SystemClock kSystemClock;
    const Clock& clock = options.clock ? *options.clock : kSystemClock;
    return HttpDate(clock.Now());
  }

  ServerOptions options;
  Router router;
  asio::io_context ioc;
  std::optional<tcp::acceptor> acceptor;
  std::optional<asio::signal_set> signals;
  std::vector<std::thread> threads;
  std::atomic<bool> stopping{false};
  std::uint16_t port = 0;

  std::mutex sessions_mutex;
  std::vector<std::weak_ptr<Session>> sessions;

  std::mutex state_mutex;
  std::condition_variable state_cv;
  bool started = false;
  bool stop_requested = false;
  bool stopped = false;
  std::shared_ptr<spdlog::logger> log = log::Get("http");
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Server::Impl& server)
      : stream_(std::move(socket)), server_(server) {
    beast::error_code ec;
    const tcp::endpoint peer = stream_.socket().remote_endpoint(ec);
    if (!ec) {
      remote_ = peer.address().to_string() + ":" + std::to_string(peer.port());
    }
  }

  void Start() {
    asio::dispatch(stream_.get_executor(),
                   [self = shared_from_this()] { self->DoRead(); });
  }

  // Graceful stop: an idle connection closes now, a busy one after its
  // response is written.
  void StopWhenIdle() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      self->stopping_ = true;
      if (!self->busy_) self->Close();
    });
  }

 private:
  void DoRead() {
    if (stopping_ || server_.stopping) return Close();
    parser_.emplace();
    parser_->body_limit(server_.options.max_body_bytes);
    parser_->header_limit(
        static_cast<std::uint32_t>(server_.options.max_header_bytes));
    // Waiting for the next request on a persistent connection.
    stream_.expires_after(server_.options.idle_timeout);
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) {
          self->OnHeader(ec);
        });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    stream_.expires_after(server_.options.read_timeout);
    bhttp::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code e, std::size_t) {
          self->OnRead(e);
        });
  }

  void OnReadError(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
        ec == asio::error::operation_aborted || ec == beast::error::timeout ||
        ec == asio::error::connection_reset ||
        ec == asio::error::bad_descriptor) {
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
    response_.content_length(response.body.size());
    if (!head) response_.body() = std::move(response.body);
    stream_.expires_after(server_.options.read_timeout);
    bhttp::async_write(
        stream_, response_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) {
          self->OnWrite(ec);
        });
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
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return Close();
    stream_.expires_after(std::chrono::seconds(1));
    drain_buffer_.resize(16 * 1024);
    stream_.async_read_some(
        asio::buffer(drain_buffer_),
        [self = shared_from_this()](beast::error_code e, std::size_t n) {
          self->drained_ += n;
          if (e || self->drained_ > 4 * 1024 * 1024) return self->Close();
          self->Drain();
        });
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  Server::Impl& server_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::string_body> response_;
  std::string remote_;
  std::vector<char> drain_buffer_;
  std::size_t drained_ = 0;
  bool busy_ = false;
  bool stopping_ = false;
  bool close_after_ = false;
};

void Server::Impl::Register(const std::shared_ptr<Session>& session) {
  std::lock_guard lock(sessions_mutex);
  if (sessions.size() >= 64 && sessions.size() == sessions.capacity()) {
    std::erase_if(sessions, [](const auto& w) { return w.expired(); });
  }
  sessions.push_back(session);
}

void Server::Impl::DoAccept() {
  acceptor->async_accept(
      asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
        if (stopping) return;
        if (ec) {
          if (ec == asio::error::operation_aborted) return;
          log->warn("accept: {}", ec.message());
        } else {
          beast::error_code ignored;
          socket.set_option(tcp::no_delay(true), ignored);
          auto session = std::make_shared<Session>(std::move(socket), *this);
          Register(session);
          session->Start();
        }
        DoAccept();
      });
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
  const tcp::endpoint endpoint(address, s.options.port);
  s.acceptor.emplace(asio::make_strand(s.ioc));
  tcp::acceptor& acceptor = *s.acceptor;
  const auto where = s.options.address + ":" + std::to_string(s.options.port);
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
  s.port = acceptor.local_endpoint().port();
  s.DoAccept();
  {
    std::lock_guard lock(s.state_mutex);
    s.started = true;
  }
  for (int i = 0; i < s.options.threads; ++i) {
    s.threads.emplace_back([&s] { s.ioc.run(); });
  }
  s.log->info("listening on {}:{} with {} threads", s.options.address, s.port,
              s.options.threads);
  return Ok();
}

std::uint16_t Server::port() const { return impl_->port; }

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
  if (s.signals) {
    asio::post(s.ioc, [&s] {
      beast::error_code ec;
      s.signals->cancel(ec);
    });
  }
  std::vector<std::shared_ptr<Session>> live;
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
