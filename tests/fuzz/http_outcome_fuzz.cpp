// Fuzz target: classify_failure, the one classification of a Vikunja answer, with
// server_message, vikunja_error_code and unexpected_body, which read the answer's body.
//
// The input is an answer in this text format:
//   line 1     the HTTP status in decimal (any integer), or "-" for no HTTP answer: the rest of
//              the input is then curl's transport error
//   lines 2..  headers "name: value", names lowercased as HttpClient stores them, up to the
//              first empty line (a later repeat of a name replaces the earlier one)
//   the rest   the body
// Lines end with "\n". For example:
//   429
//   retry-after: 120
//
//   {"code":0,"message":"slow down"}
//
// Nothing here may throw (an answer is a value, however odd: http_outcome.hpp), and every
// outcome names the call and is laid on Vikunja.

#include <cctype>
#include <charconv>

#include <fmt/format.h>

#include "fuzz_support.hpp"
#include "worker/remote/http_outcome.hpp"

namespace {

using vsync::fuzz::fail;

constexpr vsync::UnixMillis now = 1'780'000'000'000;  // 2026-05-28

std::string_view next_line(std::string_view& text) {
  const auto end = text.find('\n');
  const std::string_view line = text.substr(0, end);
  text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
  return line;
}

vsync::HttpResult read_answer(std::string_view text) {
  vsync::HttpResult result;
  const std::string_view status = next_line(text);
  if (status == "-") {
    result.transport_error = std::string(text);
    return result;
  }
  vsync::HttpResponse response;
  std::from_chars(status.data(), status.data() + status.size(), response.status);
  while (!text.empty()) {
    const std::string_view line = next_line(text);
    if (line.empty()) break;
    const auto colon = line.find(':');
    std::string name(line.substr(0, colon));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view value = colon == std::string_view::npos ? "" : line.substr(colon + 1);
    while (value.starts_with(' ')) value.remove_prefix(1);
    response.headers[name] = std::string(value);
  }
  response.body = std::string(text);
  result.response = std::move(response);
  return result;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const vsync::HttpResult result = read_answer(vsync::fuzz::as_text(data, size));
  const std::string call = "GET /api/v1/tasks/5";

  const vsync::JobOutcome outcome = vsync::classify_failure(result, now, call);
  if (outcome.kind == vsync::JobOutcome::Kind::done) fail("a failure was classified as done");
  if (outcome.failed_target != vsync::Target::vikunja) fail("the outcome is not laid on Vikunja");
  if (!outcome.error.starts_with(call + ": ")) {
    fail(fmt::format("the outcome's error does not name the call: {}", outcome.error));
  }
  if (result.response) {
    const long status = result.response->status;
    const auto kind = outcome.kind;
    using Kind = vsync::JobOutcome::Kind;
    const bool expected = status == 429 || status == 401 ? kind == Kind::paused
                          : status == 404 ? kind == Kind::paused || kind == Kind::dead
                          : status == 408 || status >= 500 || status < 400 ? kind == Kind::retry
                                                                           : kind == Kind::dead;
    if (!expected) fail(fmt::format("HTTP {} was classified as {}", status, to_string(kind)));

    vsync::server_message(*result.response);
    vsync::vikunja_error_code(*result.response);
    vsync::unexpected_body(*result.response, call, "fuzz");
  }
  return 0;
}
