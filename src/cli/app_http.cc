#include "cli/app_http.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>

#include "openmyna/base/errors.h"

namespace openmyna::cli {

Result<HttpsAnswer> HttpsRequest(const std::string& url, bool post,
                                 const std::string& body,
                                 const std::string& cacert) {
  namespace asio = boost::asio;
  namespace beast = boost::beast;
  namespace bhttp = beast::http;
  const bool tls = url.rfind("https://", 0) == 0;
  if (!tls && url.rfind("http://", 0) != 0) {
    return Fail(BaseErrc::kInvalidArgument, "the link is not an http(s) URL");
  }
  const std::string rest = url.substr(tls ? 8 : 7);
  const std::string authority = rest.substr(0, rest.find('/'));
  const std::string target =
      rest.find('/') == std::string::npos ? "/" : rest.substr(rest.find('/'));
  const auto colon = authority.rfind(':');
  const std::string host = authority.substr(0, colon);
  const std::string port = colon == std::string::npos
                               ? (tls ? "443" : "80")
                               : authority.substr(colon + 1);
  try {
    asio::io_context ioc;
    asio::ip::tcp::resolver resolver(ioc);
    const auto endpoints = resolver.resolve(host, port);
    bhttp::request<bhttp::string_body> request(
        post ? bhttp::verb::post : bhttp::verb::get, target, 11);
    request.set(bhttp::field::host, authority);
    request.set(bhttp::field::user_agent, "openmyna-app");
    if (post) {
      request.set(bhttp::field::content_type, "application/json");
      request.body() = body;
    }
    request.prepare_payload();
    beast::flat_buffer buffer;
    bhttp::response<bhttp::string_body> response;
    if (tls) {
      asio::ssl::context ctx(asio::ssl::context::tls_client);
      ctx.load_verify_file(cacert);
      ctx.set_verify_mode(asio::ssl::verify_peer);
      beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
      SSL_set_tlsext_host_name(stream.native_handle(), host.c_str());
      X509_VERIFY_PARAM* param = SSL_get0_param(stream.native_handle());
      if (host.find_first_not_of("0123456789.") == std::string::npos) {
        X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
      } else {
        X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0);
      }
      beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(60));
      beast::get_lowest_layer(stream).connect(endpoints);
      stream.handshake(asio::ssl::stream_base::client);
      bhttp::write(stream, request);
      bhttp::read(stream, buffer, response);
    } else {
      beast::tcp_stream stream(ioc);
      stream.expires_after(std::chrono::seconds(60));
      stream.connect(endpoints);
      bhttp::write(stream, request);
      bhttp::read(stream, buffer, response);
    }
    return HttpsAnswer{static_cast<int>(response.result_int()),
                       response.body()};
  } catch (const std::exception& e) {
    return Fail(BaseErrc::kIo,
                std::string("HTTP request to ") + url + ": " + e.what());
  }
}

}  // namespace openmyna::cli
