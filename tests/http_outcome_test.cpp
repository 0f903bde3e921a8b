// classify_failure: every HTTP answer (or none) as a job outcome, decided in one place.

#include <catch2/catch.hpp>

#include "worker/remote/http_outcome.hpp"

using namespace vsync;

TEST_CASE("HTTP failures are classified in one place", "[http_outcome]") {
  const auto with_status = [](long status, std::map<std::string, std::string> headers = {}, std::string body = "") {
    return classify_failure(HttpResult{HttpResponse{status, std::move(headers), std::move(body)}, ""}, 1'000'000, "GET /x");
  };
  CHECK(with_status(503).kind == JobOutcome::Kind::retry);
  CHECK(with_status(503).trips_breaker);
  CHECK(with_status(408).trips_breaker);
  CHECK(with_status(404, {}, R"({"code":4002,"message":"This task does not exist"})").kind == JobOutcome::Kind::dead);
  CHECK(with_status(404, {}, R"({"code":4002,"message":"This task does not exist"})").error ==
        "GET /x: HTTP 404: (code 4002) This task does not exist");
  CHECK(with_status(401).reason == "authentication");
  const JobOutcome router_404 = with_status(404, {}, R"({"message":"Not Found"})");
  CHECK(router_404.kind == JobOutcome::Kind::paused);  // no Vikunja error code: a wrong URL
  CHECK(router_404.reason == "configuration");
  CHECK(router_404.error == "GET /x: HTTP 404: Not Found (not Vikunja's answer: check VIKUNJA_URL; /api/v1 is added to it)");
  CHECK(with_status(404, {}, "").reason == "configuration");
  CHECK(with_status(404, {}, R"({"code":3001,"message":"This project does not exist."})").kind == JobOutcome::Kind::dead);
  CHECK(router_404.failed_target == Target::vikunja);
  CHECK(with_status(429, {{"x-ratelimit-reset", "2000"}}).not_before == 2'000'000);
  CHECK(with_status(429, {{"retry-after", "Wed, 21 Oct 2015 07:28:00 GMT"}}).not_before == 1445412480000);
  CHECK(with_status(429).not_before == std::nullopt);
  const auto refused = classify_failure(HttpResult{std::nullopt, "Connection refused"}, 0, "GET /x");
  CHECK(refused.kind == JobOutcome::Kind::retry);
  CHECK(refused.error == "GET /x: cannot reach Vikunja: Connection refused");
}

TEST_CASE("a rate limit too far off to hold in milliseconds is no rate limit end", "[http_outcome]") {
  // seconds * 1000 overflowed: UB, reproduced with tests/fuzz/http_outcome_fuzz.
  const auto rate_limited = [](std::map<std::string, std::string> headers) {
    return classify_failure(HttpResult{HttpResponse{429, std::move(headers), ""}, ""}, 1'000'000, "GET /x");
  };
  CHECK(rate_limited({{"retry-after", "9223372036854775807"}}).not_before == std::nullopt);
  CHECK(rate_limited({{"x-ratelimit-reset", "9223372036854775807"}}).not_before == std::nullopt);
  CHECK(rate_limited({{"retry-after", "9223372036854775807"}, {"x-ratelimit-reset", "2000"}}).not_before ==
        2'000'000);
  // The largest delay that fits, from now = 1'000'000 ms, and one second more.
  CHECK(rate_limited({{"retry-after", "9223372036853775"}}).not_before == 9'223'372'036'854'775'000);
  CHECK(rate_limited({{"retry-after", "9223372036853776"}}).not_before == std::nullopt);
  CHECK(rate_limited({{"retry-after", "9223372036853776"}}).kind == JobOutcome::Kind::paused);
}
