#include "openmyna/http/client.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <optional>

#include "openmyna/base/errors.h"

namespace openmyna::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

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

// Runs one asynchronous operation, begun by `start` with its completion
// handler, to its end on `ioc`, and throws its error. Asynchronous because
// the stream's expiry (basic_stream::expires_after) bounds only
// asynchronous operations: "Timeouts are not available when performing
// synchronous operations" (Beast, basic_stream.hpp).
template <class Start>
void Await(asio::io_context& ioc, Start start) {
  beast::error_code error;
  bool done = false;
  start([&](beast::error_code ec, auto&&...) {
    error = ec;
    done = true;
  });
  ioc.restart();
  ioc.run();
  if (!done) error = asio::error::operation_aborted;
  if (error) throw beast::system_error(error);
}

template <class Stream>
ClientResponse Exchange(asio::io_context& ioc, Stream& stream,
                        const bhttp::request<bhttp::string_body>& request,
                        bool* keep_alive = nullptr) {
  Await(ioc, [&](auto handler) {
    bhttp::async_write(stream, request, std::move(handler));
  });
  beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> response;
  Await(ioc, [&](auto handler) {
    bhttp::async_read(stream, buffer, response, std::move(handler));
  });
  if (keep_alive != nullptr) *keep_alive = response.keep_alive();
  ClientResponse out{static_cast<int>(response.result_int()),
                     std::string(response[bhttp::field::content_type]),
                     response.body(),
                     std::string(response[bhttp::field::location]),
                     {}};
  for (const auto& field : response) {
    out.headers.emplace_back(std::string(field.name_string()),
                             std::string(field.value()));
  }
  return out;
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
  try {
    asio::io_context ioc;
    asio::ip::tcp::resolver resolver(ioc);
    const auto endpoints = resolver.resolve(target->host, target->port);
    const auto request = MakeRequest(in, *target);
    if (!target->tls) {
      beast::tcp_stream stream(ioc);
      stream.expires_after(in.timeout);  // the whole exchange
      Await(ioc, [&](auto handler) {
        stream.async_connect(endpoints, std::move(handler));
      });
      return Exchange(ioc, stream, request);
    }
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    ctx.load_verify_file(in.trusted_root_pem);
    ctx.set_verify_mode(asio::ssl::verify_peer);
    beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
    const std::string& host = target->host;
    X509_VERIFY_PARAM* param = SSL_get0_param(stream.native_handle());
    if (host.find_first_not_of("0123456789.:abcdefABCDEF") ==
            std::string::npos &&
        X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) == 1) {
      // an IP address: matched against the certificate's iPAddress SANs
    } else {
      SSL_set_tlsext_host_name(stream.native_handle(), host.c_str());
      X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0);
    }
    beast::get_lowest_layer(stream).expires_after(in.timeout);
    Await(ioc, [&](auto handler) {
      beast::get_lowest_layer(stream).async_connect(endpoints,
                                                    std::move(handler));
    });
    Await(ioc, [&](auto handler) {
      stream.async_handshake(asio::ssl::stream_base::client,
                             std::move(handler));
    });
    return Exchange(ioc, stream, request);
  } catch (const std::exception& e) {
    return Fail(BaseErrc::kIo, in.method + " " + in.url + ": " + e.what());
  }
}

struct KeepAliveClient::Impl {
  asio::io_context ioc;
  std::optional<beast::tcp_stream> stream;
  std::string authority;  // of the open connection
  int connections = 0;

  void Open(const Target& target, std::chrono::milliseconds timeout) {
    stream.reset();
    asio::ip::tcp::resolver resolver(ioc);
    const auto endpoints = resolver.resolve(target.host, target.port);
    stream.emplace(ioc);
    stream->expires_after(timeout);
    Await(ioc, [&](auto handler) {
      stream->async_connect(endpoints, std::move(handler));
    });
    stream->socket().set_option(asio::ip::tcp::no_delay(true));
    authority = target.authority;
    ++connections;
  }
};

KeepAliveClient::KeepAliveClient() : impl_(std::make_unique<Impl>()) {}
KeepAliveClient::~KeepAliveClient() = default;
int KeepAliveClient::connections() const { return impl_->connections; }

Result<ClientResponse> KeepAliveClient::Fetch(const ClientRequest& in) {
  const auto target = ParseUrl(in.url);
  if (!target || target->tls) {
    return Fail(BaseErrc::kInvalidArgument, "not an http:// URL: " + in.url);
  }
  const auto request = MakeRequest(in, *target);
  Impl& s = *impl_;
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool reused = s.stream && s.authority == target->authority;
    try {
      if (reused) {
        s.stream->expires_after(in.timeout);
      } else {
        s.Open(*target, in.timeout);  // the timeout from the connection on
      }
      bool keep_alive = false;
      ClientResponse response =
          Exchange(s.ioc, *s.stream, request, &keep_alive);
      if (!keep_alive) s.stream.reset();
      return response;
    } catch (const std::exception& e) {
      s.stream.reset();
      // A kept connection the server closed meanwhile: once more on a new
      // one. A failure on a new connection is the answer.
      if (!reused) {
        return Fail(BaseErrc::kIo, in.method + " " + in.url + ": " + e.what());
      }
    }
  }
  return Fail(BaseErrc::kIo, in.method + " " + in.url + ": no answer");
}

}  // namespace openmyna::http
