#include "openmyna/http/client.h"

#include <netdb.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

#include "openmyna/base/errors.h"

namespace openmyna::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

struct Target {
  bool tls = false;
  std::string authority, host, port, path;
};

std::optional<Target> ParseUrl(const std::string& url) {
  Target t;
  t.tls = url.rfind("https://", 0) == 0;
  if (!t.tls && url.rfind("http://", 0) != 0) return std::nullopt;
  const std::string rest = url.substr(t.tls ? 8 : 7);
  const auto slash = rest.find('/');
  t.authority = rest.substr(0, slash);
  t.path = slash == std::string::npos ? "/" : rest.substr(slash);
  const auto colon = t.authority.rfind(':');
  const bool bracketed = !t.authority.empty() && t.authority.back() == ']';
  if (colon == std::string::npos || bracketed) {
    t.host = t.authority;
    t.port = t.tls ? "443" : "80";
  } else {
    t.host = t.authority.substr(0, colon);
    t.port = t.authority.substr(colon + 1);
  }
  if (t.host.size() > 1 && t.host.front() == '[') {
    t.host = t.host.substr(1, t.host.size() - 2);
  }
  if (t.host.empty()) return std::nullopt;
  return t;
}

bhttp::request<bhttp::string_body> MakeRequest(const ClientRequest& in,
                                               const Target& target) {
  bhttp::request<bhttp::string_body> request(bhttp::string_to_verb(in.method),
                                             target.path, 11);
  request.set(bhttp::field::host, target.authority);
  request.set(bhttp::field::user_agent, "openmyna");
  for (const auto& [name, value] : in.headers) request.set(name, value);
  request.body() = in.body;
  request.prepare_payload();
  return request;
}

// Waits in poll(2) until `fd` is ready for `events` or `deadline` has
// passed (false, beast::error::timeout). Readiness includes an error or a
// hang-up, which the next read or write reports.
bool WaitReady(int fd, short events, SteadyClock::time_point deadline,
               beast::error_code& ec) {
  for (;;) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(
        deadline - SteadyClock::now());
    if (left.count() <= 0) {
      ec = beast::error::timeout;
      return false;
    }
    pollfd p{fd, events, 0};
    const int n = ::poll(
        &p, 1, static_cast<int>(std::min<std::int64_t>(left.count(), INT_MAX)));
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) {
      ec = beast::error_code(errno, beast::system_category());
      return false;
    }
  }
}

// A connected, non-blocking socket as Beast's synchronous stream (and the
// next layer of asio::ssl::stream): a read or write that would block waits
// in poll(2) until the socket is ready or the deadline has passed, so the
// whole exchange stays within it. Beast's own bound, expires_after, holds
// only for asynchronous operations ("Timeouts are not available when
// performing synchronous operations", basic_stream.hpp); running each
// operation asynchronously to its end cost a timer, an event loop and a
// type-erased executor per operation (about 2.8 times the instructions of a
// kept-alive request; docs/http.md).
class DeadlineSocket {
 public:
  using executor_type = tcp::socket::executor_type;
  using lowest_layer_type = tcp::socket;

  DeadlineSocket(tcp::socket& socket, SteadyClock::time_point deadline)
      : socket_(&socket), deadline_(deadline) {}

  executor_type get_executor() { return socket_->get_executor(); }
  lowest_layer_type& lowest_layer() { return *socket_; }
  const lowest_layer_type& lowest_layer() const { return *socket_; }

  template <class Buffers>
  std::size_t read_some(const Buffers& buffers, beast::error_code& ec) {
    return Io(POLLIN, ec, [&] { return socket_->read_some(buffers, ec); });
  }
  template <class Buffers>
  std::size_t read_some(const Buffers& buffers) {
    beast::error_code ec;
    const std::size_t n = read_some(buffers, ec);
    if (ec) throw beast::system_error(ec);
    return n;
  }
  template <class Buffers>
  std::size_t write_some(const Buffers& buffers, beast::error_code& ec) {
    return Io(POLLOUT, ec, [&] { return socket_->write_some(buffers, ec); });
  }
  template <class Buffers>
  std::size_t write_some(const Buffers& buffers) {
    beast::error_code ec;
    const std::size_t n = write_some(buffers, ec);
    if (ec) throw beast::system_error(ec);
    return n;
  }

 private:
  template <class Op>
  std::size_t Io(short events, beast::error_code& ec, Op op) {
    for (;;) {
      const std::size_t n = op();
      if (ec != asio::error::would_block && ec != asio::error::try_again) {
        return n;
      }
      if (!WaitReady(socket_->native_handle(), events, deadline_, ec)) {
        return 0;
      }
    }
  }

  tcp::socket* socket_;
  SteadyClock::time_point deadline_;
};

// What a name look-up still running in its thread shares with the caller.
struct Lookup {
  std::mutex mutex;
  std::condition_variable done_cv;
  bool done = false;
  int status = 0;  // getaddrinfo's
  std::vector<tcp::endpoint> endpoints;
};

// The addresses of the URL's host: a literal IPv4 or IPv6 address at once;
// a name through getaddrinfo(3) (as asio's resolver: AI_ADDRCONFIG) on a
// thread of its own, waited for until the deadline: glibc's resolver waits
// for its name servers by resolv.conf(5)'s timeout and attempts, not by
// ours. A look-up still running at the deadline finishes alone (its thread
// holds its own share of the state).
std::vector<tcp::endpoint> Resolve(const Target& target,
                                   SteadyClock::time_point deadline) {
  std::uint16_t port = 0;
  const char* port_end = target.port.data() + target.port.size();
  beast::error_code bad_address;
  const auto address = asio::ip::make_address(target.host, bad_address);
  if (!bad_address &&
      std::from_chars(target.port.data(), port_end, port).ptr == port_end) {
    return {tcp::endpoint(address, port)};
  }
  auto lookup = std::make_shared<Lookup>();
  std::thread([lookup, host = target.host, service = target.port] {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_ADDRCONFIG;
    addrinfo* list = nullptr;
    const int status =
        ::getaddrinfo(host.c_str(), service.c_str(), &hints, &list);
    std::vector<tcp::endpoint> found;
    for (const addrinfo* a = status == 0 ? list : nullptr; a != nullptr;
         a = a->ai_next) {
      if (a->ai_family != AF_INET && a->ai_family != AF_INET6) continue;
      tcp::endpoint endpoint;
      std::memcpy(endpoint.data(), a->ai_addr, a->ai_addrlen);
      endpoint.resize(a->ai_addrlen);
      found.push_back(endpoint);
    }
    if (list != nullptr) ::freeaddrinfo(list);
    {
      std::lock_guard lock(lookup->mutex);
      lookup->status = status;
      lookup->endpoints = std::move(found);
      lookup->done = true;
    }
    lookup->done_cv.notify_all();
  }).detach();
  std::unique_lock lock(lookup->mutex);
  if (!lookup->done_cv.wait_until(lock, deadline,
                                  [&] { return lookup->done; })) {
    throw beast::system_error(beast::error::timeout);
  }
  if (lookup->status != 0 || lookup->endpoints.empty()) {
    throw std::runtime_error(
        "cannot resolve " + target.host + ": " +
        (lookup->status != 0 ? ::gai_strerror(lookup->status) : "no address"));
  }
  return std::move(lookup->endpoints);
}

// Connects `socket` (non-blocking from here on) to the first of
// `endpoints` that accepts before the deadline, as asio::connect tries
// them in turn.
void Connect(tcp::socket& socket, const std::vector<tcp::endpoint>& endpoints,
             SteadyClock::time_point deadline) {
  beast::error_code ec = asio::error::host_not_found;
  for (const tcp::endpoint& endpoint : endpoints) {
    beast::error_code ignored;
    socket.close(ignored);
    if (socket.open(endpoint.protocol(), ec)) continue;
    if (socket.non_blocking(true, ec)) continue;
    const int fd = socket.native_handle();
    if (::connect(fd, endpoint.data(), endpoint.size()) != 0) {
      if (errno != EINPROGRESS) {
        ec = beast::error_code(errno, beast::system_category());
        continue;
      }
      if (!WaitReady(fd, POLLOUT, deadline, ec)) break;
      int error = 0;
      socklen_t length = sizeof error;
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
      if (error != 0) {
        ec = beast::error_code(error, beast::system_category());
        continue;
      }
    }
    socket.set_option(tcp::no_delay(true), ignored);
    return;
  }
  throw beast::system_error(ec, "connecting");
}

template <class Stream>
ClientResponse Exchange(Stream& stream, beast::flat_buffer& buffer,
                        const bhttp::request<bhttp::string_body>& request,
                        bool* keep_alive = nullptr) {
  bhttp::write(stream, request);
  bhttp::response<bhttp::string_body> response;
  bhttp::read(stream, buffer, response);
  if (keep_alive != nullptr) *keep_alive = response.keep_alive();
  ClientResponse out{static_cast<int>(response.result_int()),
                     std::string(response[bhttp::field::content_type]),
                     std::move(response.body()),
                     std::string(response[bhttp::field::location]),
                     {}};
  out.headers.reserve(std::distance(response.begin(), response.end()));
  for (const auto& field : response) {
    out.headers.emplace_back(std::string(field.name_string()),
                             std::string(field.value()));
  }
  return out;
}

// A buffer whose first read takes a whole typical answer (Beast's read
// grows an empty buffer from 512 bytes, one recv(2) per step).
constexpr std::size_t kFirstRead = 16 * 1024;

bool TimedOut(const std::exception& e) {
  const auto* error = dynamic_cast<const beast::system_error*>(&e);
  return error != nullptr && error->code() == beast::error::timeout;
}

Error Failure(const ClientRequest& in, const std::exception& e) {
  const std::string request = in.method + " " + in.url + ": ";
  if (TimedOut(e)) {
    return Error(BaseErrc::kIo,
                 request + "no complete answer within the timeout of " +
                     std::to_string(in.timeout.count()) + " ms");
  }
  return Error(BaseErrc::kIo, request + e.what());
}

}  // namespace

std::string ClientResponse::Header(std::string_view name) const {
  for (const auto& [field, value] : headers) {
    if (beast::iequals(field, name)) return value;
  }
  return "";
}

Result<ClientResponse> Fetch(const ClientRequest& in) {
  const auto target = ParseUrl(in.url);
  if (!target) {
    return Fail(BaseErrc::kInvalidArgument, "not an http(s) URL: " + in.url);
  }
  const auto deadline = SteadyClock::now() + in.timeout;
  try {
    std::optional<asio::ssl::context> ctx;
    if (target->tls) {
      ctx.emplace(asio::ssl::context::tls_client);
      ctx->load_verify_file(in.trusted_root_pem);
      ctx->set_verify_mode(asio::ssl::verify_peer);
    }
    const auto request = MakeRequest(in, *target);
    asio::io_context ioc;
    tcp::socket socket(ioc);
    Connect(socket, Resolve(*target, deadline), deadline);
    DeadlineSocket plain(socket, deadline);
    beast::flat_buffer buffer;
    buffer.reserve(kFirstRead);
    if (!target->tls) return Exchange(plain, buffer, request);
    asio::ssl::stream<DeadlineSocket> stream(plain, *ctx);
    const std::string& host = target->host;
    X509_VERIFY_PARAM* param = SSL_get0_param(stream.native_handle());
    if (host.find_first_not_of("0123456789.:abcdefABCDEF") ==
            std::string::npos &&
        X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) == 1) {
      // an IP address: matched against the certificate's iPAddress SANs
    } else {
      // Only the DNS names of subjectAltName: no fall back to the subject's
      // CN when there is none (RFC 6125 §6.4.4; browsers refuse it too).
      SSL_set_tlsext_host_name(stream.native_handle(), host.c_str());
      X509_VERIFY_PARAM_set_hostflags(param,
                                      X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
      X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0);
    }
    stream.handshake(asio::ssl::stream_base::client);
    return Exchange(stream, buffer, request);
  } catch (const std::exception& e) {
    return Unexpected(Failure(in, e));
  }
}

struct KeepAliveClient::Impl {
  asio::io_context ioc;
  std::optional<tcp::socket> socket;
  std::string authority;      // of the open connection
  beast::flat_buffer buffer;  // kept: its capacity serves every answer
  int connections = 0;

  void Open(const Target& target, SteadyClock::time_point deadline) {
    socket.reset();
    const auto endpoints = Resolve(target, deadline);
    socket.emplace(ioc);
    Connect(*socket, endpoints, deadline);
    authority = target.authority;
    ++connections;
  }
};

KeepAliveClient::KeepAliveClient() : impl_(std::make_unique<Impl>()) {
  impl_->buffer.reserve(kFirstRead);
}
KeepAliveClient::~KeepAliveClient() = default;
int KeepAliveClient::connections() const { return impl_->connections; }

Result<ClientResponse> KeepAliveClient::Fetch(const ClientRequest& in) {
  const auto target = ParseUrl(in.url);
  if (!target || target->tls) {
    return Fail(BaseErrc::kInvalidArgument, "not an http:// URL: " + in.url);
  }
  const auto request = MakeRequest(in, *target);
  const auto deadline = SteadyClock::now() + in.timeout;
  Impl& s = *impl_;
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool reused = s.socket && s.authority == target->authority;
    try {
      if (!reused) s.Open(*target, deadline);
      DeadlineSocket stream(*s.socket, deadline);
      s.buffer.clear();  // nothing is left over: one request at a time
      bool keep_alive = false;
      ClientResponse response =
          Exchange(stream, s.buffer, request, &keep_alive);
      if (!keep_alive) s.socket.reset();
      return response;
    } catch (const std::exception& e) {
      s.socket.reset();
      // A kept connection the server closed meanwhile: once more on a new
      // one, within the same timeout. A failure on a new connection, or
      // the timeout, is the answer.
      if (!reused || TimedOut(e)) return Unexpected(Failure(in, e));
    }
  }
  return Fail(BaseErrc::kIo, in.method + " " + in.url + ": no answer");
}

}  // namespace openmyna::http
