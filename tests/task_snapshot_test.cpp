#include "shared/task_snapshot.hpp"

#include <catch2/catch.hpp>

#include "temp_dir.hpp"

using namespace vsync;

TEST_CASE("real `task export` lines are valid snapshots", "[task_snapshot]") {
  const std::string lines = test::read_file(FIXTURES_DIR "/taskwarrior-export.jsonl");
  const auto first = parse_task_snapshot(lines.substr(0, lines.find('\n')), "line 1");
  CHECK(first.uuid == "bf153689-a744-44f5-9cd0-9720dddfec46");
  CHECK(first.status == TaskStatus::pending);
}

TEST_CASE("task snapshots need a valid uuid and a description", "[task_snapshot]") {
  const std::string uuid = R"("uuid":"BF153689-A744-44F5-9CD0-9720DDDFEC46")";
  CHECK(parse_task_snapshot("{" + uuid + R"(,"description":"x"})", "t").uuid ==
        "bf153689-a744-44f5-9cd0-9720dddfec46");
  REQUIRE_THROWS_WITH(parse_task_snapshot(R"({"description":"x"})", "t"), "t has no \"uuid\"");
  REQUIRE_THROWS_WITH(parse_task_snapshot(R"({"uuid":"12","description":"x"})", "t"),
                      "t has an invalid \"uuid\": expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx in hex");
  REQUIRE_THROWS_WITH(
      parse_task_snapshot(R"({"uuid":"zf153689-a744-44f5-9cd0-9720dddfec46","description":"x"})", "t"),
      Catch::StartsWith("t has an invalid \"uuid\""));
  REQUIRE_THROWS_WITH(parse_task_snapshot("{" + uuid + "}", "t"), "t has no \"description\"");
  REQUIRE_THROWS_WITH(parse_task_snapshot("{" + uuid + R"(,"description":7})", "t"),
                      "t has \"description\" of type number, expected a string");
  REQUIRE_THROWS_WITH(parse_task_snapshot("{" + uuid + R"(,"description":"x","status":false})", "t"),
                      "t has \"status\" of type boolean, expected a string");
  REQUIRE_THROWS_WITH(parse_task_snapshot("{" + uuid + R"(,"description":"x","status":"someday"})", "t"),
                      "t has an unknown \"status\" 'someday': expected pending, waiting, completed, "
                      "deleted or recurring");
}

TEST_CASE("is_uuid checks the 8-4-4-4-12 hex shape", "[task_snapshot]") {
  CHECK(is_uuid("be483695-23ab-463e-8f94-6cf9c8b7f7d8"));
  CHECK_FALSE(is_uuid("be483695-23ab-463e-8f94-6cf9c8b7f7d"));
  CHECK_FALSE(is_uuid("be483695023ab-463e-8f94-6cf9c8b7f7d8"));
  CHECK_FALSE(is_uuid(""));
}
