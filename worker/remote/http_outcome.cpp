#include "worker/remote/http_outcome.hpp"

#include <curl/curl.h>

#include <charconv>
#include <limits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace vsync {

namespace {

constexpr std::size_t max_message_chars = 300;

std::optional<long long> integer_header(const HttpResponse& response, const std::string& name) {
  const auto found = response.headers.find(name);
  if (found == response.headers.end()) return std::nullopt;
  long long value = 0;
  const std::string& text = found->second;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

// `seconds` after `base`, in milliseconds; nullopt past what UnixMillis holds (a header of
// twenty nines is no time at all, not an overflow).
std::optional<UnixMillis> seconds_after(UnixMillis base, long long seconds) {
  if (seconds > (std::numeric_limits<UnixMillis>::max() - base) / 1000) return std::nullopt;
  return base + seconds * 1000;
}

// Retry-After is delta-seconds or an HTTP date (a proxy may add it); Vikunja itself sends only
// X-RateLimit-Reset, in Unix seconds.
std::optional<UnixMillis> rate_limit_end(const HttpResponse& response, UnixMillis now) {
  if (const auto seconds = integer_header(response, "retry-after")) {
    if (const auto end = seconds_after(now, *seconds)) return end;
  } else if (const auto date = response.headers.find("retry-after"); date != response.headers.end()) {
    const time_t when = curl_getdate(date->second.c_str(), nullptr);
    if (when > 0) return seconds_after(0, when);
  }
  if (const auto reset = integer_header(response, "x-ratelimit-reset")) return seconds_after(0, *reset);
  return std::nullopt;
}

}  // namespace

long long vikunja_error_code(const HttpResponse& response) {
  const auto body = nlohmann::json::parse(response.body, nullptr, false);
  if (body.is_object() && body.contains("code") && body["code"].is_number_integer()) {
    return body["code"].get<long long>();
  }
  return -1;
}

std::string server_message(const HttpResponse& response) {
  const auto body = nlohmann::json::parse(response.body, nullptr, false);
  if (body.is_object() && body.contains("message") && body["message"].is_string()) {
    const std::string message = body["message"].get<std::string>();
    if (body.contains("code") && body["code"].is_number_integer()) {
      return fmt::format("(code {}) {}", body["code"].get<long long>(), message);
    }
    return message;
  }
  if (response.body.empty()) return "(empty body)";
  return response.body.substr(0, max_message_chars);
}

namespace {

JobOutcome classify(const HttpResult& result, UnixMillis now, const std::string& call) {
  if (!result.response) {
    return JobOutcome::retry(fmt::format("{}: cannot reach Vikunja: {}", call, result.transport_error), true);
  }
  const HttpResponse& response = *result.response;
  const long status = response.status;
  const std::string error = fmt::format("{}: HTTP {}: {}", call, status, server_message(response));
  if (status == 429) return JobOutcome::paused("rate limited", rate_limit_end(response, now), error);
  if (status == 401) return JobOutcome::paused("authentication", std::nullopt, error);
  if (status == 404 && vikunja_error_code(response) < 0) {
    return JobOutcome::paused("configuration", std::nullopt,
                              error + " (not Vikunja's answer: check VIKUNJA_URL; /api/v1 is added to it)");
  }
  if (status == 408 || status >= 500 || status < 400) return JobOutcome::retry(error, true);
  return JobOutcome::dead(error);
}

}  // namespace

JobOutcome classify_failure(const HttpResult& result, UnixMillis now, const std::string& call) {
  return classify(result, now, call).on(Target::vikunja);
}

JobOutcome unexpected_body(const HttpResponse& response, const std::string& call,
                           const std::string& problem) {
  return JobOutcome::retry(fmt::format("{}: HTTP {} with an unexpected body ({}): {}", call,
                                       response.status, problem,
                                       response.body.substr(0, max_message_chars)),
                           true)
      .on(Target::vikunja);
}

}  // namespace vsync
