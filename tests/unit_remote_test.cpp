// Units of the worker side that need no server: configuration, field mapping, outcomes, backoff.

#include <catch2/catch.hpp>

#include "worker/queue/backoff.hpp"
#include "shared/error.hpp"
#include "worker/sync/field_mapping.hpp"
#include "worker/remote/http_outcome.hpp"
#include "worker/worker_config.hpp"

using namespace vsync;
using json = nlohmann::json;

TEST_CASE("worker configuration: defaults, origins and refusals naming the variable", "[worker_config]") {
  const WorkerConfig defaults = load_worker_config(Environment::from_map({}));
  CHECK(defaults.breaker_threshold.value == 3);
  CHECK(defaults.breaker_recovery.value == 60'000);
  CHECK(defaults.breaker_recovery.origin == "default");
  CHECK(defaults.default_project.value == "inbox");
  CHECK_FALSE(defaults.vikunja_url);
  REQUIRE_THROWS_WITH(require_vikunja_access(defaults), "VIKUNJA_URL is not set (e.g. https://vikunja.example.com)");

  const WorkerConfig set = load_worker_config(Environment::from_map(
      {{"VIKUNJA_URL", "https://v.example.com/api/v1/"}, {"VIKUNJA_API_TOKEN", "tk_secret"},
       {"VIKUNJA_SYNC_BREAKER_RECOVERY", "0.5"}, {"VIKUNJA_SYNC_HTTP_TIMEOUT", "2"}}));
  CHECK(set.vikunja_url->value == "https://v.example.com");
  CHECK(set.breaker_recovery.value == 500);
  CHECK(set.breaker_recovery.origin == "VIKUNJA_SYNC_BREAKER_RECOVERY");
  for (const auto& row : describe_settings(set)) CHECK(row.value.find("tk_secret") == std::string::npos);

  const auto refuses = [](std::map<std::string, std::string> env, const std::string& message) {
    REQUIRE_THROWS_WITH(load_worker_config(Environment::from_map(std::move(env))), message);
  };
  refuses({{"VIKUNJA_SYNC_BREAKER_THRESHOLD", "three"}}, "VIKUNJA_SYNC_BREAKER_THRESHOLD is 'three'; expected a whole number of at least 1");
  refuses({{"VIKUNJA_SYNC_MAX_ATTEMPTS", "0"}}, "VIKUNJA_SYNC_MAX_ATTEMPTS is '0'; expected a whole number of at least 1");
  refuses({{"VIKUNJA_SYNC_BREAKER_RECOVERY", "-1"}}, "VIKUNJA_SYNC_BREAKER_RECOVERY is '-1'; expected a number of seconds greater than 0, such as 60 or 0.5");
  refuses({{"VIKUNJA_SYNC_HTTP_TIMEOUT", "nan"}}, "VIKUNJA_SYNC_HTTP_TIMEOUT is 'nan'; expected a number of seconds greater than 0, such as 60 or 0.5");
  refuses({{"VIKUNJA_URL", "vikunja.local"}}, "VIKUNJA_URL is 'vikunja.local'; expected an http:// or https:// URL such as https://vikunja.example.com");
  refuses({{"VIKUNJA_API_TOKEN", "a"}, {"VIKUNJA_API_TOKEN_FILE", "/x"}}, "set only one of VIKUNJA_API_TOKEN and VIKUNJA_API_TOKEN_FILE");
  refuses({{"VIKUNJA_API_TOKEN_FILE", "/nonexistent"}}, "VIKUNJA_API_TOKEN_FILE: cannot open /nonexistent: No such file or directory");
  refuses({{"VIKUNJA_SYNC_BACKOFF_BASE", "10"}, {"VIKUNJA_SYNC_BACKOFF_CAP", "5"}}, "VIKUNJA_SYNC_BACKOFF_CAP (5s) is below VIKUNJA_SYNC_BACKOFF_BASE (10s)");
}

TEST_CASE("Taskwarrior fields map onto a Vikunja task as design.md says", "[field_mapping]") {
  json vikunja = json::object();
  const json tw = {{"description", "Pay rent"}, {"status", "completed"}, {"due", "20261207T090000Z"},
                   {"priority", "L"}, {"recur", "2weeks"}};
  CHECK(apply_taskwarrior_fields(vikunja, tw));
  CHECK(vikunja["title"] == "Pay rent");
  CHECK(vikunja["done"] == true);
  CHECK(vikunja["due_date"] == "2026-12-07T09:00:00Z");
  CHECK(vikunja["start_date"] == "0001-01-01T00:00:00Z");
  CHECK(vikunja["priority"] == 1);
  CHECK(vikunja["repeat_after"] == 1209600);
  CHECK_FALSE(apply_taskwarrior_fields(vikunja, tw));  // already equal: no change

  json same_instant = vikunja;
  same_instant["due_date"] = "2026-12-07T10:00:00+01:00";
  CHECK_FALSE(apply_taskwarrior_fields(same_instant, tw));

  CHECK(repeat_seconds("daily") == 86400);
  CHECK(repeat_seconds("yearly") == 31536000);
  CHECK(repeat_seconds("3days") == 3 * 86400);
  CHECK_FALSE(repeat_seconds("weekdays"));
  CHECK(taskwarrior_priority(4) == "H");
  CHECK(taskwarrior_priority(2) == "M");
  CHECK_FALSE(taskwarrior_priority(0));
  CHECK(parse_taskwarrior_date("20261207T090000Z") == parse_taskwarrior_date("2026-12-07T09:00:00Z"));
}

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
  CHECK(with_status(429, {{"x-ratelimit-reset", "2000"}}).not_before == 2'000'000);
  CHECK(with_status(429, {{"retry-after", "Wed, 21 Oct 2015 07:28:00 GMT"}}).not_before == 1445412480000);
  CHECK(with_status(429).not_before == std::nullopt);
  const auto refused = classify_failure(HttpResult{std::nullopt, "Connection refused"}, 0, "GET /x");
  CHECK(refused.kind == JobOutcome::Kind::retry);
  CHECK(refused.error == "GET /x: cannot reach Vikunja: Connection refused");
}

TEST_CASE("backoff doubles per attempt up to the cap, with jitter into the upper half", "[backoff]") {
  Backoff backoff(1'000, 60'000, 42);
  for (int attempt = 1; attempt <= 12; ++attempt) {
    const UnixMillis full = std::min<UnixMillis>(60'000, 1'000LL << (attempt - 1));
    const UnixMillis delay = backoff.delay(attempt);
    CHECK(delay >= full / 2);
    CHECK(delay <= full);
  }
}
