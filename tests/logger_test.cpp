#include "worker/log/logger.hpp"

#include <catch2/catch.hpp>

#include "shared/error.hpp"

using namespace vsync;

TEST_CASE("log lines are one event each, with a journald priority under systemd", "[logger]") {
  std::vector<std::string> lines;
  const auto sink = [&](std::string_view line) { lines.emplace_back(line); };
  Logger plain(LogLevel::info, false, sink);
  plain.log(LogLevel::info, "job", "id={} key={}", 4, "tw:x");
  plain.log(LogLevel::debug, "hidden", "");
  plain.log(LogLevel::warning, "breaker transition", "reason={}", log_quote("3 consecutive failures"));
  Logger journald(LogLevel::debug, true, sink);
  journald.log(LogLevel::error, "queue", "error={}", log_quote("disk \"full\"\nreally"));
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] == "level=info event=job id=4 key=tw:x\n");
  CHECK(lines[1] == "level=warning event=\"breaker transition\" reason=\"3 consecutive failures\"\n");
  CHECK(lines[2] == "<3>level=error event=queue error=\"disk \\\"full\\\"\\\\nreally\"\n");
}

TEST_CASE("VIKUNJA_SYNC_LOG_LEVEL picks the level, an unknown one is a configuration error", "[logger]") {
  CHECK_NOTHROW(Logger::from_environment(Environment::from_map({{"VIKUNJA_SYNC_LOG_LEVEL", "debug"}})));
  REQUIRE_THROWS_WITH(Logger::from_environment(Environment::from_map({{"VIKUNJA_SYNC_LOG_LEVEL", "loud"}})),
                      "VIKUNJA_SYNC_LOG_LEVEL is 'loud'; expected error, warning, notice, info or debug");
}
