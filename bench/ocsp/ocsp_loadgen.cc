// A small closed-loop HTTP load generator for OCSP responders: each of C
// connections sends pre-built OCSP requests one after the other, over
// HTTP/1.1 keep-alive while the server keeps the connection open and
// reconnecting when it closes it (as `openssl ocsp`, an HTTP/1.0 server,
// does after every response). The same program measures every server.
//
//   ocsp_loadgen PORT PATH REQUESTS.bin CONNECTIONS SECONDS [MODE]
//
// MODE (default post):
//   post      POST PATH with the DER request as body;
//   get       GET PATH/<percent-encoded base64 of the DER> (RFC 6960
//             Appendix A.1, RFC 5019 §5), what an HTTP cache can keep;
//   files     GET PATH<i>.der for the i-th request (0-based): the same
//             answers served as static files;
//   save=DIR  no load: fetches each request's answer once by GET (one
//             connection) and writes its body to DIR/<i>.der, for `files`.
// Prints one line: requests, errors (non-200 or not a successful
// OCSPResponse), req/s, p50 and p99 latency in ms (send -> full response,
// including a reconnect when one was needed).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "openmyna/base/bytes.h"
#include "openmyna/pki/revocation/ocsp_responder.h"

namespace {

using Clock = std::chrono::steady_clock;

int Connect(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

bool SendAll(int fd, const std::string& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n =
        ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

// Reads one response. Returns false on a broken connection; sets `ok` when
// it is "200" with a successful OCSPResponse, `close` when the server
// will close the connection.
bool ReadResponse(int fd, std::string& buffer, bool& ok, bool& close,
                  std::string* body_out = nullptr) {
  std::size_t header_end;
  char chunk[16384];
  while ((header_end = buffer.find("\r\n\r\n")) == std::string::npos) {
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer.append(chunk, static_cast<std::size_t>(n));
  }
  std::string head = buffer.substr(0, header_end);
  std::string lower = head;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  const auto cl = lower.find("content-length:");
  if (cl == std::string::npos) return false;
  const std::size_t length = std::stoul(lower.substr(cl + 15));
  close = lower.find("connection: close") != std::string::npos ||
          (lower.starts_with("http/1.0") &&
           lower.find("connection: keep-alive") == std::string::npos);
  const std::size_t total = header_end + 4 + length;
  while (buffer.size() < total) {
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer.append(chunk, static_cast<std::size_t>(n));
  }
  const std::string body = buffer.substr(header_end + 4, length);
  buffer.erase(0, total);
  // OCSPResponse: SEQUENCE (long form length) { ENUMERATED 0 ... }.
  const bool successful =
      body.size() > 8 && body.find(std::string("\x0a\x01\x00", 3)) < 6;
  ok = head.find(" 200 ") != std::string::npos && successful;
  if (body_out != nullptr) *body_out = body;
  return true;
}

std::string Get(const std::string& target) {
  return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
}

// `save=DIR`: one GET per request, each answer's body to DIR/<i>.der.
int Save(int port, const std::vector<std::string>& messages,
         const std::string& dir) {
  int fd = -1;
  std::string buffer;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    if (fd < 0) fd = Connect(port);
    bool ok = false;
    bool close = false;
    std::string body;
    if (fd < 0 || !SendAll(fd, messages[i]) ||
        !ReadResponse(fd, buffer, ok, close, &body) || !ok) {
      std::fprintf(stderr, "ocsp_loadgen: no answer to request %zu\n", i);
      return 1;
    }
    std::ofstream(dir + "/" + std::to_string(i) + ".der", std::ios::binary)
        << body;
    if (close) {
      ::close(fd);
      fd = -1;
      buffer.clear();
    }
  }
  if (fd >= 0) ::close(fd);
  std::printf("saved=%zu\n", messages.size());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc == 7 ? argv[6] : "post";
  if ((argc != 6 && argc != 7) ||
      (mode != "post" && mode != "get" && mode != "files" &&
       !mode.starts_with("save="))) {
    std::fprintf(stderr,
                 "usage: ocsp_loadgen PORT PATH REQUESTS.bin CONNECTIONS "
                 "SECONDS [post|get|files|save=DIR]\n");
    return 2;
  }
  const int port = std::stoi(argv[1]);
  const std::string path = argv[2];
  const int connections = std::stoi(argv[4]);
  const double seconds = std::stod(argv[5]);
  std::vector<std::string> messages;
  {
    std::ifstream in(argv[3], std::ios::binary);
    unsigned char length[4];
    while (in.read(reinterpret_cast<char*>(length), 4)) {
      const std::size_t n = (std::size_t{length[0]} << 24) |
                            (std::size_t{length[1]} << 16) |
                            (std::size_t{length[2]} << 8) | length[3];
      std::string body(n, '\0');
      in.read(body.data(), static_cast<std::streamsize>(n));
      if (mode == "post") {
        messages.push_back("POST " + path +
                           " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                           "application/ocsp-request\r\nContent-Length: " +
                           std::to_string(n) + "\r\n\r\n" + body);
      } else if (mode == "files") {
        messages.push_back(
            Get(path + std::to_string(messages.size()) + ".der"));
      } else {
        messages.push_back(Get(path + "/" +
                               openmyna::pki::revocation::EncodeOcspGetPath(
                                   openmyna::ToBytes(body))));
      }
    }
  }
  if (messages.empty()) {
    std::fprintf(stderr, "ocsp_loadgen: no requests in %s\n", argv[3]);
    return 2;
  }
  if (mode.starts_with("save=")) return Save(port, messages, mode.substr(5));
  std::atomic<long> errors{0};
  std::vector<std::vector<std::uint32_t>> latencies(
      static_cast<std::size_t>(connections));
  const auto deadline =
      Clock::now() +
      std::chrono::microseconds(static_cast<long>(seconds * 1'000'000));
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < connections; ++c) {
    threads.emplace_back([&, c] {
      auto& mine = latencies[static_cast<std::size_t>(c)];
      mine.reserve(1 << 20);
      std::size_t next = static_cast<std::size_t>(c) * 7919 % messages.size();
      int fd = -1;
      std::string buffer;
      while (Clock::now() < deadline) {
        const auto t0 = Clock::now();
        if (fd < 0) {
          fd = Connect(port);
          buffer.clear();
          if (fd < 0) {
            ++errors;
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
            continue;
          }
        }
        bool ok = false;
        bool close = false;
        if (!SendAll(fd, messages[next]) ||
            !ReadResponse(fd, buffer, ok, close)) {
          ::close(fd);
          fd = -1;
          ++errors;
          continue;
        }
        mine.push_back(static_cast<std::uint32_t>(
            std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() -
                                                                  t0)
                .count()));
        if (!ok) ++errors;
        if (close) {
          ::close(fd);
          fd = -1;
        }
        next = (next + 1) % messages.size();
      }
      if (fd >= 0) ::close(fd);
    });
  }
  for (auto& t : threads) t.join();
  const double elapsed =
      std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<std::uint32_t> all;
  for (auto& v : latencies) all.insert(all.end(), v.begin(), v.end());
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) {
    if (all.empty()) return 0.0;
    return all[std::min(all.size() - 1,
                        static_cast<std::size_t>(p * all.size()))] /
           1000.0;
  };
  std::printf("requests=%zu errors=%ld rps=%.0f p50_ms=%.3f p99_ms=%.3f\n",
              all.size(), errors.load(), all.size() / elapsed, pct(0.50),
              pct(0.99));
  return 0;
}
