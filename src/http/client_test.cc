// The HTTP client (client.h) against peers that stop answering: a socket
// that listens and never reads (the kernel completes the connection, nobody
// answers: a frozen or stalled server), and one that sends half an answer
// and then holds the connection; and against the real server, which it
// must still read in full.
#include "openmyna/http/client.h"

#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <future>
#include <thread>

#include "openmyna/base/errors.h"
#include "openmyna/http/server.h"

namespace openmyna::http {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// Listens on a kernel-chosen loopback port and never accepts: connections
// complete in the backlog and are never read.
struct SilentPeer {
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc,
                         tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  std::string Url(std::string_view path = "/x") const {
    return "http://127.0.0.1:" +
           std::to_string(acceptor.local_endpoint().port()) + std::string(path);
  }
};

// The request given up on: kIo naming the timeout, after `timeout` and
// long before forever (the bound leaves room for a loaded machine).
template <class Call>
void ExpectGivenUpAfter(std::chrono::milliseconds timeout, Call call) {
  const auto start = std::chrono::steady_clock::now();
  Result<ClientResponse> answer = call();
  const auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(answer) << "status " << answer->status;
  EXPECT_TRUE(answer.error().Is(BaseErrc::kIo)) << answer.error();
  EXPECT_NE(answer.error().message().find("timeout"), std::string::npos)
      << answer.error();
  EXPECT_GE(waited, timeout);
  EXPECT_LT(waited, 20s);
}

TEST(HttpClient, TheDocumentedTimeoutIsSixtySeconds) {
  EXPECT_EQ(ClientRequest{}.timeout, std::chrono::milliseconds(60'000));
}

TEST(HttpClient, APeerThatNeverAnswersIsGivenUpAtTheTimeout) {
  SilentPeer peer;
  ClientRequest request;
  request.method = "POST";
  request.url = peer.Url("/konbini/v1/issuer/printed");
  request.body = "{}";
  request.timeout = 400ms;
  ExpectGivenUpAfter(request.timeout, [&] { return Fetch(request); });
  KeepAliveClient client;
  ExpectGivenUpAfter(request.timeout, [&] { return client.Fetch(request); });
}

// The timeout bounds the whole answer, not each read: a peer that sends
// the head and part of the body, then holds the connection open.
TEST(HttpClient, AnAnswerThatStopsHalfWayIsGivenUpAtTheTimeout) {
  asio::io_context ioc;
  tcp::acceptor acceptor(ioc,
                         tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  std::promise<void> release;
  std::thread peer([&] {
    for (int i = 0; i < 2; ++i) {  // Fetch, then KeepAliveClient
      tcp::socket socket(ioc);
      acceptor.accept(socket);
      asio::streambuf head;
      asio::read_until(socket, head, "\r\n\r\n");
      asio::write(socket, asio::buffer(std::string_view(
                              "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"
                              "only part of it")));
      if (i == 1)
        release.get_future().wait();  // held until the test ends
      else
        std::this_thread::sleep_for(2s);
    }
  });
  ClientRequest request;
  request.url =
      "http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()) +
      "/";
  request.timeout = 500ms;
  ExpectGivenUpAfter(request.timeout, [&] { return Fetch(request); });
  KeepAliveClient client;
  ExpectGivenUpAfter(request.timeout, [&] { return client.Fetch(request); });
  release.set_value();
  peer.join();
}

// The real server answers in full within the timeout, on one connection
// or on a kept one.
TEST(HttpClient, TheServersAnswerIsReadInFull) {
  Router router;
  const std::string big(200'000, 'x');
  ASSERT_TRUE(router.Add("POST", "/echo", [](const Request& r) {
    Response out;
    out.content_type = "text/plain";
    out.body = r.body;
    return out;
  }));
  ServerOptions options;
  options.max_body_bytes = 1 << 20;
  Server server(options, std::move(router));
  ASSERT_TRUE(server.Start());
  ClientRequest request;
  request.method = "POST";
  request.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/echo";
  request.body = big;
  request.timeout = 10s;
  auto once = Fetch(request);
  ASSERT_TRUE(once) << once.error();
  EXPECT_EQ(once->status, 200);
  EXPECT_EQ(once->body, big);
  KeepAliveClient client;
  for (int i = 0; i < 2; ++i) {
    auto kept = client.Fetch(request);
    ASSERT_TRUE(kept) << kept.error();
    EXPECT_EQ(kept->body, big);
  }
  EXPECT_EQ(client.connections(), 1);
  server.Stop();
}

}  // namespace
}  // namespace openmyna::http
