// HttpClient against a raw HTTP/1.1 server on 127.0.0.1 that can do what a well-behaved library
// server will not: close a kept-alive connection after reading a request, without answering.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "worker/remote/http_client.hpp"

using namespace vsync;

namespace {

// Serves each connection on a thread of its own: reads requests, answers what `answer` returns, or closes the
// connection without a word when it returns "". Counts the requests by request line.
class RawServer {
 public:
  explicit RawServer(std::function<std::string(const std::string& request_line)> answer)
      : answer_(std::move(answer)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::listen(listener_, 8) == 0);
    socklen_t length = sizeof address;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~RawServer() {  // after the client: its connections are closed, so their threads end
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    thread_.join();
    for (std::thread& connection : connections_) connection.join();
  }

  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  int count(const std::string& request_line_prefix) {
    std::lock_guard lock(mutex_);
    int matches = 0;
    for (const auto& line : requests_) matches += line.rfind(request_line_prefix, 0) == 0 ? 1 : 0;
    return matches;
  }

 private:
  void serve() {
    for (int connection; (connection = ::accept(listener_, nullptr, nullptr)) >= 0;) {
      connections_.emplace_back([this, connection] { converse(connection); });
    }
  }

  void converse(int connection) {
    {
      std::string buffer;
      char chunk[4096];
      bool open = true;
      while (open) {
        std::size_t end;
        while ((end = buffer.find("\r\n\r\n")) == std::string::npos) {
          const ssize_t got = ::recv(connection, chunk, sizeof chunk, 0);
          if (got <= 0) break;
          buffer.append(chunk, static_cast<std::size_t>(got));
        }
        if (end == std::string::npos) break;
        const std::string head = buffer.substr(0, end);
        std::size_t body_length = 0;
        if (const auto at = head.find("Content-Length: "); at != std::string::npos) body_length = std::stoul(head.substr(at + 16));
        while (buffer.size() < end + 4 + body_length) {
          const ssize_t got = ::recv(connection, chunk, sizeof chunk, 0);
          if (got <= 0) break;
          buffer.append(chunk, static_cast<std::size_t>(got));
        }
        const std::string line = head.substr(0, head.find("\r\n"));
        buffer.erase(0, std::min(buffer.size(), end + 4 + body_length));
        {
          std::lock_guard lock(mutex_);
          requests_.push_back(line);
        }
        const std::string reply = answer_(line);
        if (reply.empty()) {
          open = false;  // read the request, say nothing, hang up
        } else {
          ::send(connection, reply.data(), reply.size(), MSG_NOSIGNAL);
        }
      }
      ::close(connection);
    }
  }

  std::function<std::string(const std::string&)> answer_;
  int listener_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::vector<std::thread> connections_;
  std::mutex mutex_;
  std::vector<std::string> requests_;
};

std::string ok(const std::string& body, const std::string& extra_headers = "") {
  return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n" + extra_headers + "\r\n" + body;
}

}  // namespace

TEST_CASE("a create is never sent twice when the server hangs up without an answer", "[http_client]") {
  // The server applies the PUT, then the connection dies before the answer (a restart, a proxy).
  RawServer server([](const std::string& line) { return line.rfind("PUT", 0) == 0 ? std::string() : ok("[]"); });
  HttpClient client(5'000, "tk_test");
  REQUIRE(client.send("GET", server.url("/api/v1/projects")).response);  // the connection is now kept alive

  SECTION("on a fresh connection: the failure reaches the caller, the server saw one create") {
    const HttpResult result = client.send("PUT", server.url("/api/v1/projects/1/tasks"), "{}", HttpClient::Connection::fresh);
    CHECK_FALSE(result.response);
    CHECK_FALSE(result.transport_error.empty());
    CHECK(server.count("PUT") == 1);
  }
  SECTION("on the reused connection libcurl re-sends it by itself: the server saw two creates") {
    // Why creates take a fresh connection: this is libcurl's documented retry of a request on
    // a reused connection that closed without an answer.
    client.send("PUT", server.url("/api/v1/projects/1/tasks"), "{}", HttpClient::Connection::reuse);
    CHECK(server.count("PUT") == 2);
  }
}

TEST_CASE("response headers come from libcurl's parser, names lowercased", "[http_client]") {
  RawServer server([](const std::string&) {
    return ok("[1]", "X-Pagination-Total-Pages: 3\r\nRetry-After:   120  \r\nX-Twice: first\r\nX-Twice: second\r\n");
  });
  HttpClient client(5'000, "tk_test");
  const HttpResult result = client.send("GET", server.url("/api/v1/tasks"));
  REQUIRE(result.response);
  CHECK(result.response->status == 200);
  CHECK(result.response->body == "[1]");
  CHECK(result.response->headers.at("x-pagination-total-pages") == "3");
  CHECK(result.response->headers.at("retry-after") == "120");
  CHECK(result.response->headers.at("x-twice") == "second");
  CHECK(client.requests_sent() == 1);
  CHECK(client.outcomes().at("2xx") == 1);
}
