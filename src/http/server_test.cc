// The server against real clients over loopback: a Beast client written
// here, and curl when installed (a client nobody here wrote).
#include "openmyna/http/server.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <thread>

#include "openmyna/base/errors.h"
#include "openmyna/base/testing/shell.h"
#include "openmyna/http/client.h"

namespace openmyna::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

Response Text(std::string body) {
  Response r;
  r.content_type = "text/plain";
  r.body = std::move(body);
  return r;
}

class ServerTest : public ::testing::Test {
 protected:
  // Far more than a loopback socket's send and receive buffers hold.
  static constexpr std::size_t kBigBody = 16 * 1024 * 1024;

  void StartServer(ServerOptions options = {}) {
    Router router;
    ASSERT_TRUE(router.Add("GET", "/whoami",
                           [](const Request& r) { return Text(r.remote); }));
    ASSERT_TRUE(router.Add("POST", "/echo", [](const Request& r) {
      Response out = Text(r.body);
      out.content_type = r.ContentType();
      return out;
    }));
    ASSERT_TRUE(router.Add("GET", "/slow", [this](const Request&) {
      slow_entered_.set_value();
      std::this_thread::sleep_for(300ms);
      return Text("finished");
    }));
    ASSERT_TRUE(router.Add("GET", "/secure", [](const Request& r) {
      return Text(r.secure ? "tls" : "plain");
    }));
    ASSERT_TRUE(router.Add("GET", "/big", [](const Request&) {
      std::string body(kBigBody, 'b');
      for (std::size_t i = 0; i < body.size(); i += 4096) body[i] = 'B';
      return Text(std::move(body));
    }));
    ASSERT_TRUE(router.Add("GET", "/throw", [](const Request&) -> Response {
      throw std::runtime_error("boom");
    }));
    server_ = std::make_unique<Server>(options, std::move(router));
    ASSERT_TRUE(server_->Start());
    ASSERT_NE(server_->port(), 0);
  }

  tcp::socket Connect() {
    tcp::socket socket(ioc_);
    socket.connect(
        tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
    return socket;
  }

  // Sends a request without reading its response.
  static void SendOnly(tcp::socket& socket,
                       bhttp::request<bhttp::string_body> request) {
    request.set(bhttp::field::host, "127.0.0.1");
    bhttp::write(socket, request);
  }

  static bhttp::response<bhttp::string_body> RoundTrip(
      tcp::socket& socket, bhttp::request<bhttp::string_body> request) {
    request.set(bhttp::field::host, "127.0.0.1");
    request.prepare_payload();
    bhttp::write(socket, request);
    beast::flat_buffer buffer;
    bhttp::response<bhttp::string_body> response;
    bhttp::read(socket, buffer, response);
    return response;
  }

  static bhttp::request<bhttp::string_body> Get(std::string target) {
    return {bhttp::verb::get, target, 11};
  }

  asio::io_context ioc_;
  std::unique_ptr<Server> server_;
  std::promise<void> slow_entered_;
};

TEST_F(ServerTest, KeepAliveReusesTheConnection) {
  StartServer();
  tcp::socket socket = Connect();
  const std::string local =
      "127.0.0.1:" + std::to_string(socket.local_endpoint().port());
  for (int i = 0; i < 3; ++i) {
    auto response = RoundTrip(socket, Get("/whoami"));
    EXPECT_EQ(response.result_int(), 200);
    EXPECT_TRUE(response.keep_alive());
    // The server saw every request come from this one client socket.
    EXPECT_EQ(response.body(), local);
    EXPECT_FALSE(response[bhttp::field::date].empty());
  }
}

TEST_F(ServerTest, PostBodyAndContentTypeReachTheHandler) {
  StartServer();
  tcp::socket socket = Connect();
  bhttp::request<bhttp::string_body> post{bhttp::verb::post, "/echo", 11};
  post.set(bhttp::field::content_type, "application/ocsp-request");
  post.body() = std::string("\x30\x03\x02\x01\x05", 5);
  auto response = RoundTrip(socket, post);
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response.body(), std::string("\x30\x03\x02\x01\x05", 5));
  EXPECT_EQ(response[bhttp::field::content_type], "application/ocsp-request");
}

// Several requests sent in one write (RFC 9112 §9.3.2 pipelining) are each
// answered, in order, on the one connection; the bodies come with their
// headers in the server's buffer.
TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  StartServer();
  tcp::socket socket = Connect();
  const std::string local =
      "127.0.0.1:" + std::to_string(socket.local_endpoint().port());
  const std::string wire =
      "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Type: text/plain\r\n"
      "Content-Length: 5\r\n\r\nfirst"
      "GET /whoami HTTP/1.1\r\nHost: a\r\n\r\n"
      "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Type: text/plain\r\n"
      "Content-Length: 5\r\n\r\nthird";
  asio::write(socket, asio::buffer(wire));
  beast::flat_buffer buffer;
  for (const std::string& expected :
       {std::string("first"), local, std::string("third")}) {
    bhttp::response<bhttp::string_body> response;
    bhttp::read(socket, buffer, response);
    EXPECT_EQ(response.result_int(), 200);
    EXPECT_EQ(response.body(), expected);
    EXPECT_TRUE(response.keep_alive());
  }
}

// A body that arrives after its header, in two parts, is waited for.
TEST_F(ServerTest, ABodyThatArrivesAfterItsHeaderIsWaitedFor) {
  StartServer();
  tcp::socket socket = Connect();
  asio::write(socket, asio::buffer(std::string(
                          "POST /echo HTTP/1.1\r\nHost: a\r\n"
                          "Content-Type: text/plain\r\nContent-Length: 10\r\n"
                          "\r\n")));
  std::this_thread::sleep_for(100ms);
  asio::write(socket, asio::buffer(std::string("0123")));
  std::this_thread::sleep_for(100ms);
  asio::write(socket, asio::buffer(std::string("456789")));
  beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> response;
  bhttp::read(socket, buffer, response);
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response.body(), "0123456789");
}

// A peer that stops halfway through its body is closed once read_timeout
// has passed since the header, and holds no worker: another client is
// answered meanwhile on the server's one thread.
TEST_F(ServerTest, APeerThatStopsHalfwayThroughItsBodyIsClosed) {
  ServerOptions options;
  options.threads = 1;
  options.read_timeout = 300ms;
  StartServer(options);
  tcp::socket stalled = Connect();
  asio::write(stalled, asio::buffer(std::string(
                           "POST /echo HTTP/1.1\r\nHost: a\r\n"
                           "Content-Length: 100\r\n\r\nonly part")));
  tcp::socket other = Connect();
  EXPECT_EQ(RoundTrip(other, Get("/whoami")).result_int(), 200);
  char byte;
  beast::error_code ec;
  stalled.read_some(asio::buffer(&byte, 1), ec);
  EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset)
      << ec.message();
}

// A response larger than the socket takes at once, to a peer that reads it
// only later, arrives whole, and the server's one thread answers another
// client meanwhile (the rest is written asynchronously, not by a blocked
// worker).
TEST_F(ServerTest, ALargeResponseToAPeerThatReadsLateArrivesWhole) {
  ServerOptions options;
  options.threads = 1;
  StartServer(options);
  tcp::socket late = Connect();
  SendOnly(late, Get("/big"));
  std::this_thread::sleep_for(200ms);
  auto answered = std::async(std::launch::async, [&] {
    tcp::socket other = Connect();
    return RoundTrip(other, Get("/whoami")).result_int();
  });
  if (answered.wait_for(10s) != std::future_status::ready) {
    late.close();  // frees a worker blocked in its write
    answered.wait();
    FAIL() << "the other client was not answered while a peer did not read";
  }
  EXPECT_EQ(answered.get(), 200);
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(kBigBody);
  bhttp::read(late, buffer, parser);
  const std::string& body = parser.get().body();
  ASSERT_EQ(body.size(), kBigBody);
  EXPECT_EQ(std::count(body.begin(), body.end(), 'B'),
            static_cast<long>(kBigBody / 4096));
  EXPECT_EQ(body[4096], 'B');
  EXPECT_EQ(body[4097], 'b');
  // The connection is kept and serves the next request.
  EXPECT_EQ(RoundTrip(late, Get("/whoami")).result_int(), 200);
}

// A peer that never reads its response is closed once read_timeout has
// passed with the write unfinished: what it reads afterwards ends before
// the body's end.
TEST_F(ServerTest, APeerThatNeverReadsItsResponseIsClosed) {
  ServerOptions options;
  options.read_timeout = 300ms;
  StartServer(options);
  tcp::socket deaf = Connect();
  SendOnly(deaf, Get("/big"));
  std::this_thread::sleep_for(2s);
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(kBigBody);
  beast::error_code ec;
  bhttp::read(deaf, buffer, parser, ec);
  EXPECT_TRUE(ec) << "the whole response arrived";
  EXPECT_LT(parser.get().body().size(), kBigBody);
}

TEST_F(ServerTest, OversizeBodyGets413ProblemAndClose) {
  ServerOptions options;
  options.max_body_bytes = 1000;
  StartServer(options);
  tcp::socket socket = Connect();
  bhttp::request<bhttp::string_body> post{bhttp::verb::post, "/echo", 11};
  post.body() = std::string(5000, 'x');
  auto response = RoundTrip(socket, post);
  EXPECT_EQ(response.result_int(), 413);
  EXPECT_EQ(response[bhttp::field::content_type], "application/problem+json");
  EXPECT_NE(response.body().find("\"status\":413"), std::string::npos);
  EXPECT_FALSE(response.keep_alive());
  // A body exactly at the limit is accepted.
  tcp::socket again = Connect();
  post.body() = std::string(1000, 'y');
  EXPECT_EQ(RoundTrip(again, post).result_int(), 200);
}

TEST_F(ServerTest, OversizeHeadersGet431) {
  ServerOptions options;
  options.max_header_bytes = 1024;
  StartServer(options);
  tcp::socket socket = Connect();
  auto request = Get("/whoami");
  request.set("X-Padding", std::string(4000, 'p'));
  EXPECT_EQ(RoundTrip(socket, request).result_int(), 431);
}

TEST_F(ServerTest, UnknownRouteIs404AndWrongMethodIs405) {
  StartServer();
  tcp::socket socket = Connect();
  auto missing = RoundTrip(socket, Get("/no/such/thing"));
  EXPECT_EQ(missing.result_int(), 404);
  EXPECT_EQ(missing[bhttp::field::content_type], "application/problem+json");
  // Errors do not cost the connection.
  auto wrong = RoundTrip(socket, Get("/echo"));
  EXPECT_EQ(wrong.result_int(), 405);
  EXPECT_EQ(wrong[bhttp::field::allow], "POST");
  EXPECT_NE(wrong.body().find("\"title\":\"Method Not Allowed\""),
            std::string::npos);
}

TEST_F(ServerTest, GarbageIs400) {
  StartServer();
  tcp::socket socket = Connect();
  asio::write(socket, asio::buffer(std::string("NOT HTTP AT ALL\r\n\r\n")));
  beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> response;
  bhttp::read(socket, buffer, response);
  EXPECT_EQ(response.result_int(), 400);
}

TEST_F(ServerTest, HandlerExceptionIs500) {
  StartServer();
  tcp::socket socket = Connect();
  EXPECT_EQ(RoundTrip(socket, Get("/throw")).result_int(), 500);
}

TEST_F(ServerTest, Http10WithoutKeepAliveIsClosed) {
  StartServer();
  tcp::socket socket = Connect();
  bhttp::request<bhttp::string_body> request{bhttp::verb::get, "/whoami", 10};
  auto response = RoundTrip(socket, request);
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_FALSE(response.keep_alive());
  char byte;
  beast::error_code ec;
  socket.read_some(asio::buffer(&byte, 1), ec);
  EXPECT_EQ(ec, asio::error::eof);
}

TEST_F(ServerTest, IdleConnectionIsClosedAfterTheIdleTimeout) {
  ServerOptions options;
  options.idle_timeout = 200ms;
  StartServer(options);
  tcp::socket socket = Connect();
  EXPECT_EQ(RoundTrip(socket, Get("/whoami")).result_int(), 200);
  const auto start = std::chrono::steady_clock::now();
  char byte;
  beast::error_code ec;
  socket.read_some(asio::buffer(&byte, 1), ec);
  EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST_F(ServerTest, StopFinishesTheRequestInProgress) {
  StartServer();
  tcp::socket busy = Connect();
  tcp::socket idle = Connect();
  auto reply = std::async(std::launch::async,
                          [&] { return RoundTrip(busy, Get("/slow")); });
  slow_entered_.get_future().wait();
  server_->Stop();
  auto response = reply.get();
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response.body(), "finished");
  EXPECT_FALSE(response.keep_alive());
  // The idle connection was closed and nobody listens any more.
  char byte;
  beast::error_code ec;
  idle.read_some(asio::buffer(&byte, 1), ec);
  EXPECT_TRUE(ec);
  tcp::socket late(ioc_);
  late.connect(
      tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()), ec);
  EXPECT_TRUE(ec);
}

TEST_F(ServerTest, ManyConcurrentClients) {
  ServerOptions options;
  options.threads = 4;
  StartServer(options);
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 8; ++c) {
    clients.emplace_back([&] {
      asio::io_context ioc;
      tcp::socket socket(ioc);
      socket.connect(
          tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
      for (int i = 0; i < 50; ++i) {
        bhttp::request<bhttp::string_body> post{bhttp::verb::post, "/echo", 11};
        post.body() = std::to_string(i);
        if (RoundTrip(socket, post).body() == std::to_string(i)) ++ok;
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok.load(), 400);
}

TEST_F(ServerTest, CurlReusesOneConnectionAndSeesProblems) {
  if (!std::filesystem::exists("/usr/bin/curl")) {
    GTEST_SKIP() << "curl is not installed";
  }
  StartServer();
  const std::string base =
      "http://127.0.0.1:" + std::to_string(server_->port());
  // One curl invocation, three URLs: curl keeps the connection alive and
  // reports how many new connections each transfer needed.
  const std::string command =
      "curl -s -o /dev/null -o /dev/null -o /dev/null -w "
      "'%{http_code}:%{num_connects} ' " +
      base + "/whoami " + base + "/whoami " + base + "/missing";
  EXPECT_EQ(testing_tools::RunShell(command).output, "200:1 200:0 404:0 ");
}

// Runs a shell command and returns what it printed on stdout.
std::string Shell(const std::string& command) {
  return testing_tools::RunShell(command).output;
}

// A self-signed certificate for 127.0.0.1 and localhost made by the openssl
// command (not by our code), in a fresh folder.
std::filesystem::path MakeOpensslCertificate() {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("openmyna-tls-" + std::to_string(::getpid()) + "-" +
                    std::to_string(std::rand()));
  std::filesystem::create_directories(dir);
  const std::string command =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
      "-subj /CN=localhost -addext subjectAltName=IP:127.0.0.1,DNS:localhost "
      "-days 2 "
      "-keyout " +
      (dir / "key.pem").string() + " -out " + (dir / "cert.pem").string() +
      " 2>/dev/null";
  EXPECT_EQ(std::system(command.c_str()), 0);
  return dir;
}

TEST_F(ServerTest, ServesHttpsBesideHttpWithCurl) {
  if (!std::filesystem::exists("/usr/bin/curl")) {
    GTEST_SKIP() << "curl is not installed";
  }
  const auto dir = MakeOpensslCertificate();
  ServerOptions options;
  options.tls = TlsOptions{dir / "cert.pem", dir / "key.pem", 0};
  StartServer(options);
  ASSERT_NE(server_->tls_port(), 0);
  ASSERT_NE(server_->tls_port(), server_->port());
  const std::string https =
      "https://127.0.0.1:" + std::to_string(server_->tls_port());
  const std::string http =
      "http://127.0.0.1:" + std::to_string(server_->port());
  // curl checks the chain against the certificate openssl made, and keeps
  // the TLS connection alive across the two transfers.
  EXPECT_EQ(Shell("curl -s --cacert " + (dir / "cert.pem").string() +
                  " -w ':%{http_code}:%{num_connects} ' " + https + "/secure " +
                  https + "/secure"),
            "tls:200:1 tls:200:0 ");
  EXPECT_EQ(Shell("curl -s -w ':%{http_code}' " + http + "/secure"),
            "plain:200");
  // Without the root curl refuses the certificate (exit 60, no body).
  EXPECT_EQ(Shell("curl -s -o /dev/null -w '%{http_code}' " + https +
                  "/secure; echo \" $?\""),
            "000 60\n");
  // TLS 1.1 is refused (RFC 8996).
  EXPECT_EQ(Shell("openssl s_client -connect 127.0.0.1:" +
                  std::to_string(server_->tls_port()) +
                  " -tls1_1 </dev/null >/dev/null 2>&1; echo $?"),
            "1\n");
  // A plain HTTP request on the TLS port is dropped; the server lives on.
  EXPECT_EQ(
      Shell("curl -s -m 20 -o /dev/null -w '%{http_code}' http://127.0.0.1:" +
            std::to_string(server_->tls_port()) + "/secure"),
      "000");
  EXPECT_EQ(Shell("curl -s --cacert " + (dir / "cert.pem").string() + " " +
                  https + "/whoami")
                .rfind("127.0.0.1:", 0),
            0u);
  server_->Stop();
  std::filesystem::remove_all(dir);
}

// Our own client (client.h) over TLS to this server: the certificate
// openssl made is checked against the root file and the URL's IP address
// (RFC 6125) or name, the answer read in full; without the right root the
// handshake is refused.
TEST_F(ServerTest, OurClientFetchesOverHttpsAndChecksTheCertificate) {
  const auto dir = MakeOpensslCertificate();
  ServerOptions options;
  options.tls = TlsOptions{dir / "cert.pem", dir / "key.pem", 0};
  options.max_body_bytes = 1 << 20;
  StartServer(options);
  const std::string port = std::to_string(server_->tls_port());
  ClientRequest request;
  request.method = "POST";
  request.url = "https://127.0.0.1:" + port + "/echo";
  request.headers = {{"Content-Type", "text/plain"}};
  request.body = std::string(100'000, 'y');
  request.trusted_root_pem = (dir / "cert.pem").string();
  request.timeout = 10s;
  auto echoed = Fetch(request);
  ASSERT_TRUE(echoed) << echoed.error();
  EXPECT_EQ(echoed->status, 200);
  EXPECT_EQ(echoed->body, request.body);
  // By name: "localhost" is looked up and checked against the certificate's
  // DNS subjectAltName (client_test.cc: never its CN).
  ClientRequest by_name = request;
  by_name.method = "GET";
  by_name.url = "https://localhost:" + port + "/secure";
  by_name.body.clear();
  auto named = Fetch(by_name);
  ASSERT_TRUE(named) << named.error();
  EXPECT_EQ(named->body, "tls");
  // Another root: a second certificate openssl made.
  const auto other = MakeOpensslCertificate();
  ClientRequest wrong_root = request;
  wrong_root.trusted_root_pem = (other / "cert.pem").string();
  auto untrusted = Fetch(wrong_root);
  ASSERT_FALSE(untrusted);
  EXPECT_TRUE(untrusted.error().Is(BaseErrc::kIo)) << untrusted.error();
  server_->Stop();
  std::filesystem::remove_all(dir);
  std::filesystem::remove_all(other);
}

TEST(ServerTlsOptions, MissingKeyFailsToStart) {
  ServerOptions options;
  options.tls = TlsOptions{"/nonexistent/cert.pem", "/nonexistent/key.pem", 0};
  Server server(options, Router());
  const Status started = server.Start();
  ASSERT_FALSE(started);
  EXPECT_EQ(server.tls_port(), 0);
}

}  // namespace
}  // namespace openmyna::http
