// The HTTP client (client.h) against peers that stop answering: a socket
// that listens and never reads (the kernel completes the connection, nobody
// answers: a frozen or stalled server), one that sends half an answer and
// then holds the connection, and a name server that never answers; and
// against the real server, which it must still read in full.
// Over TLS: the host name checked against certificates openssl made (and
// server_test.cc).
#include "openmyna/http/client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <net/if.h>
#include <netdb.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
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

// The TLS handshake is within the timeout too: the silent peer never
// answers the ClientHello.
TEST(HttpClient, AHandshakeNeverAnsweredIsGivenUpAtTheTimeout) {
  const char* roots = "/etc/ssl/certs/ca-certificates.crt";
  if (!std::filesystem::exists(roots)) GTEST_SKIP() << roots << " missing";
  SilentPeer peer;
  ClientRequest request;
  request.url = "https" + peer.Url().substr(4);
  request.trusted_root_pem = roots;
  request.timeout = 400ms;
  ExpectGivenUpAfter(request.timeout, [&] { return Fetch(request); });
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

// GET /name answers "found".
Router NameRouter() {
  Router router;
  EXPECT_TRUE(router.Add("GET", "/name", [](const Request&) {
    Response out;
    out.content_type = "text/plain";
    out.body = "found";
    return out;
  }));
  return router;
}

// A host name (not a literal address) is looked up, here through
// /etc/hosts, and the answer read as by address.
TEST(HttpClient, AHostNameIsLookedUp) {
  Server server(ServerOptions{}, NameRouter());
  ASSERT_TRUE(server.Start());
  ClientRequest request;
  request.url = "http://localhost:" + std::to_string(server.port()) + "/name";
  request.timeout = 10s;
  auto once = Fetch(request);
  ASSERT_TRUE(once) << once.error();
  EXPECT_EQ(once->body, "found");
  KeepAliveClient client;
  auto kept = client.Fetch(request);
  ASSERT_TRUE(kept) << kept.error();
  EXPECT_EQ(kept->body, "found");
  server.Stop();
}

// A self-signed certificate for CN=localhost made by the openssl command
// (not by our code) in a fresh folder, with the subjectAltName extension
// `san` ("" for none): its cert.pem and key.pem.
std::filesystem::path OpensslLocalhostCertificate(const std::string& san) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("openmyna-client-tls-" + std::to_string(::getpid()) + "-" +
                    std::to_string(std::rand()));
  std::filesystem::create_directories(dir);
  const std::string command =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
      "-subj /CN=localhost " +
      (san.empty() ? std::string() : "-addext subjectAltName=" + san + " ") +
      "-days 2 -keyout " + (dir / "key.pem").string() + " -out " +
      (dir / "cert.pem").string() + " 2>/dev/null";
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
  return dir;
}

// https://localhost against a server whose certificate openssl made for
// CN=localhost: without a DNS subjectAltName the host is not matched by the
// CN (RFC 6125 §6.4.4; OpenSSL's X509_check_host would, see the openssl
// verify line), with subjectAltName=DNS:localhost it is.
TEST(HttpClient, AHostNameIsMatchedByTheDnsSubjectAltNameNotTheCn) {
  for (const std::string san : {"", "DNS:localhost"}) {
    SCOPED_TRACE("subjectAltName " + (san.empty() ? "none" : san));
    const auto dir = OpensslLocalhostCertificate(san);
    const std::string cert = (dir / "cert.pem").string();
    // The chain and the name as openssl itself checks them (CN included).
    EXPECT_EQ(
        std::system(("openssl verify -CAfile " + cert +
                     " -verify_hostname localhost " + cert + " >/dev/null 2>&1")
                        .c_str()),
        0);
    ServerOptions options;
    options.tls = TlsOptions{dir / "cert.pem", dir / "key.pem", 0};
    Server server(options, NameRouter());
    ASSERT_TRUE(server.Start());
    ClientRequest request;
    request.url =
        "https://localhost:" + std::to_string(server.tls_port()) + "/name";
    request.trusted_root_pem = cert;
    request.timeout = 10s;
    auto answer = Fetch(request);
    if (san.empty()) {
      ASSERT_FALSE(answer) << "status " << answer->status;
      EXPECT_TRUE(answer.error().Is(BaseErrc::kIo)) << answer.error();
      EXPECT_NE(answer.error().message().find("certificate verify failed"),
                std::string::npos)
          << answer.error();
    } else {
      ASSERT_TRUE(answer) << answer.error();
      EXPECT_EQ(answer->body, "found");
    }
    server.Stop();
    std::filesystem::remove_all(dir);
  }
}

// In private mount and network namespaces (this process only):
// /etc/resolv.conf names one name server, 127.0.0.1, with glibc's resolver
// waiting 3 s for it (resolv.conf(5) timeout:3 attempts:1), and a UDP socket
// on 127.0.0.1:53 takes every query and never answers. False (why) when the
// namespaces cannot be made.
bool EnterSilentNameServer(std::string& why) {
  if (::unshare(CLONE_NEWNS | CLONE_NEWNET) != 0) return why = "unshare", false;
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    return why = "mount private", false;
  }
  const auto conf = std::filesystem::temp_directory_path() /
                    ("openmyna-resolv-" + std::to_string(::getpid()));
  std::ofstream(conf) << "nameserver 127.0.0.1\noptions timeout:3 attempts:1\n";
  const bool bound =
      ::mount(conf.c_str(), "/etc/resolv.conf", nullptr, MS_BIND, nullptr) == 0;
  std::filesystem::remove(conf);  // the mount holds it
  if (!bound) return why = "bind resolv.conf", false;
  const int control = ::socket(AF_INET, SOCK_DGRAM, 0);
  ifreq lo{};
  std::strcpy(lo.ifr_name, "lo");
  const bool up =
      ::ioctl(control, SIOCGIFFLAGS, &lo) == 0 &&
      (lo.ifr_flags |= IFF_UP, ::ioctl(control, SIOCSIFFLAGS, &lo)) == 0;
  ::close(control);
  if (!up) return why = "loopback up", false;
  const int silent = ::socket(AF_INET, SOCK_DGRAM, 0);  // open until exit
  sockaddr_in at{};
  at.sin_family = AF_INET;
  at.sin_port = htons(53);
  at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(silent, reinterpret_cast<sockaddr*>(&at), sizeof at) != 0) {
    return why = "bind 127.0.0.1:53", false;
  }
  return true;
}

std::int64_t MillisecondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now() - t0)
      .count();
}

// The host name's look-up is within the timeout: a real glibc resolver
// waiting for a name server that never answers (checked first: getaddrinfo
// alone takes its 3 s) is left behind at the request's 500 ms.
TEST(HttpClient, ANameServerThatNeverAnswersIsGivenUpAtTheTimeout) {
  if (::geteuid() != 0 || std::system("unshare -m -n true 2>/dev/null") != 0) {
    GTEST_SKIP() << "needs private mount and network namespaces (root)";
  }
  GTEST_FLAG_SET(death_test_style, "threadsafe");  // a fresh process
  EXPECT_EXIT(
      {
        std::string why;
        if (!EnterSilentNameServer(why)) {
          std::fprintf(stderr, "namespace: %s\n", why.c_str());
          std::_Exit(2);
        }
        const char* name = "openmyna-slow-resolver.test";  // RFC 6761 §6.2
        addrinfo hints{};
        hints.ai_socktype = SOCK_STREAM;
        addrinfo* list = nullptr;
        auto t0 = std::chrono::steady_clock::now();
        const int status = ::getaddrinfo(name, "8080", &hints, &list);
        const std::int64_t alone = MillisecondsSince(t0);
        if (status == 0 || alone < 2500) {
          std::fprintf(stderr, "the resolver answered (%d) after %lld ms\n",
                       status, static_cast<long long>(alone));
          std::_Exit(3);
        }
        ClientRequest request;
        request.url = std::string("http://") + name + ":8080/";
        request.timeout = 500ms;
        KeepAliveClient client;
        for (int i = 0; i < 2; ++i) {
          t0 = std::chrono::steady_clock::now();
          auto answer = i == 0 ? Fetch(request) : client.Fetch(request);
          const std::int64_t waited = MillisecondsSince(t0);
          if (answer ||
              answer.error().message().find("timeout") == std::string::npos ||
              waited < 500 || waited >= 2500) {
            std::fprintf(stderr, "call %d: %s after %lld ms\n", i,
                         answer ? "answered" : answer.error().message().c_str(),
                         static_cast<long long>(waited));
            std::_Exit(4);
          }
        }
        std::_Exit(0);
      },
      ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace openmyna::http
