#pragma once
// A libcurl easy handle, reused for every request of one worker so connections are kept
// alive. Move-only; the handle is released on destruction. TLS peer and host verification stay
// on. The bearer token goes into one request header and nowhere else (no verbose output).

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "shared/clock.hpp"

typedef void CURL;

namespace vsync {

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // names lowercased
  std::string body;
};

struct HttpResult {
  std::optional<HttpResponse> response;  // nullopt when the exchange failed below HTTP
  std::string transport_error;           // curl's message then
};

class HttpClient {
 public:
  HttpClient(UnixMillis timeout, std::string bearer_token);
  ~HttpClient();
  HttpClient(HttpClient&& other) noexcept;
  HttpClient& operator=(HttpClient&& other) noexcept;
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // method: GET, PUT, POST or DELETE; json_body is sent with Content-Type: application/json.
  // A request that must never be sent twice (a create) takes a fresh connection: libcurl
  // re-sends a request on its own when a reused connection closes without an answer, and
  // the server may have applied the first one.
  enum class Connection { reuse, fresh };
  HttpResult send(const std::string& method, const std::string& url,
                  const std::optional<std::string>& json_body = std::nullopt,
                  Connection connection = Connection::reuse);

  // Called from libcurl's progress callback, about once a second while a request is under
  // way, also while it waits for the server (the worker's heartbeat).
  void on_progress(std::function<void()> callback) { on_progress_ = std::move(callback); }

  // A token fixed in its file while the worker runs: the next request carries it.
  void set_bearer_token(const std::string& bearer_token) { authorization_ = "Authorization: Bearer " + bearer_token; }

  long long requests_sent() const { return requests_sent_; }
  // Requests by outcome: "2xx", "3xx", "4xx", "5xx", "error" (no HTTP answer).
  const std::map<std::string, long long>& outcomes() const { return outcomes_; }

  static constexpr std::size_t max_body_bytes = 32 * 1024 * 1024;

 private:
  CURL* handle_ = nullptr;
  UnixMillis timeout_;
  std::string authorization_;
  long long requests_sent_ = 0;
  std::map<std::string, long long> outcomes_;
  std::function<void()> on_progress_;
};

}  // namespace vsync
