// The worker's settings from the environment: defaults, origins, refusals.

#include <catch2/catch.hpp>

#include "shared/error.hpp"
#include "worker/worker_config.hpp"

using namespace vsync;

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
