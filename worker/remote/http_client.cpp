#include "worker/remote/http_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <utility>

#include <fmt/format.h>

#include "shared/error.hpp"

namespace vsync {

namespace {

struct Exchange {
  HttpResponse response;
  bool too_large = false;
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  const size_t bytes = size * count;
  if (exchange->response.body.size() + bytes > HttpClient::max_body_bytes) {
    exchange->too_large = true;
    return 0;  // makes curl abort with CURLE_WRITE_ERROR
  }
  exchange->response.body.append(data, bytes);
  return bytes;
}

// The last response's headers, as libcurl parsed them (curl_easy_nextheader, libcurl 7.83).
// A header repeated keeps its last value.
std::map<std::string, std::string> response_headers(CURL* handle) {
  std::map<std::string, std::string> headers;
  curl_header* previous = nullptr;
  while (curl_header* header = curl_easy_nextheader(handle, CURLH_HEADER, -1, previous)) {
    std::string name = header->name;
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    headers[name] = header->value;
    previous = header;
  }
  return headers;
}

void global_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// A C callback: nothing may unwind through libcurl.
int report_progress(void* callback, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  try {
    (*static_cast<std::function<void()>*>(callback))();
  } catch (...) {
  }
  return 0;  // 0: go on
}

}  // namespace

HttpClient::HttpClient(UnixMillis timeout, std::string bearer_token)
    : timeout_(timeout), authorization_("Authorization: Bearer " + bearer_token) {
  global_init_once();
  handle_ = curl_easy_init();
  if (handle_ == nullptr) throw Error(ExitCode::software, "cannot create a libcurl handle");
}

HttpClient::~HttpClient() {
  if (handle_ != nullptr) curl_easy_cleanup(handle_);
}

HttpClient::HttpClient(HttpClient&& other) noexcept
    : handle_(std::exchange(other.handle_, nullptr)),
      timeout_(other.timeout_),
      authorization_(std::move(other.authorization_)),
      requests_sent_(other.requests_sent_),
      outcomes_(std::move(other.outcomes_)),
      on_progress_(std::move(other.on_progress_)) {}

HttpClient& HttpClient::operator=(HttpClient&& other) noexcept {
  if (this != &other) {
    if (handle_ != nullptr) curl_easy_cleanup(handle_);
    handle_ = std::exchange(other.handle_, nullptr);
    timeout_ = other.timeout_;
    authorization_ = std::move(other.authorization_);
    requests_sent_ = other.requests_sent_;
    outcomes_ = std::move(other.outcomes_);
    on_progress_ = std::move(other.on_progress_);
  }
  return *this;
}

HttpResult HttpClient::send(const std::string& method, const std::string& url,
                            const std::optional<std::string>& json_body, Connection connection) {
  Exchange exchange;
  char error_buffer[CURL_ERROR_SIZE] = "";
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, authorization_.c_str());
  headers = curl_slist_append(headers, "Accept: application/json");
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip for large bodies
  if (json_body) headers = curl_slist_append(headers, "Content-Type: application/json");

  curl_easy_reset(handle_);  // keeps the connection cache: keep-alive survives
  curl_easy_setopt(handle_, CURLOPT_URL, url.c_str());
  curl_easy_setopt(handle_, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(handle_, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(handle_, CURLOPT_USERAGENT, "vikunja-sync/" VSYNC_VERSION);
  curl_easy_setopt(handle_, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle_, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(handle_, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(handle_, CURLOPT_FRESH_CONNECT, connection == Connection::fresh ? 1L : 0L);
  curl_easy_setopt(handle_, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_));
  curl_easy_setopt(handle_, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout_));
  curl_easy_setopt(handle_, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(handle_, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(handle_, CURLOPT_WRITEDATA, &exchange);
  if (on_progress_) {
    curl_easy_setopt(handle_, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(handle_, CURLOPT_XFERINFOFUNCTION, report_progress);
    curl_easy_setopt(handle_, CURLOPT_XFERINFODATA, &on_progress_);
  }
  if (json_body) {
    curl_easy_setopt(handle_, CURLOPT_POSTFIELDS, json_body->data());
    curl_easy_setopt(handle_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(json_body->size()));
  } else if (method == "GET") {
    curl_easy_setopt(handle_, CURLOPT_HTTPGET, 1L);
  }

  ++requests_sent_;
  const CURLcode code = curl_easy_perform(handle_);
  curl_slist_free_all(headers);
  curl_easy_setopt(handle_, CURLOPT_ERRORBUFFER, nullptr);
  if (exchange.too_large) {
    ++outcomes_["error"];
    return {std::nullopt, fmt::format("response body larger than {} bytes", max_body_bytes)};
  }
  if (code != CURLE_OK) {
    ++outcomes_["error"];
    return {std::nullopt, error_buffer[0] != '\0' ? std::string(error_buffer) : curl_easy_strerror(code)};
  }
  curl_easy_getinfo(handle_, CURLINFO_RESPONSE_CODE, &exchange.response.status);
  exchange.response.headers = response_headers(handle_);
  ++outcomes_[fmt::format("{}xx", exchange.response.status / 100)];
  return {std::move(exchange.response), {}};
}

}  // namespace vsync
