// Value conversions of the field mapping, one field at a time.

#include <catch2/catch.hpp>

#include "worker/queue/job_outcome.hpp"
#include "worker/sync/field_mapping.hpp"

using namespace vsync;
using json = nlohmann::json;

TEST_CASE("dates and priorities convert as design.md's table says", "[field_mapping]") {
  CHECK(parse_taskwarrior_date("20261207T090000Z") == parse_taskwarrior_date("2026-12-07T09:00:00Z"));
  CHECK(parse_taskwarrior_date("20261207T090000Z") == 1'796'634'000'000);
  CHECK_FALSE(parse_taskwarrior_date("tomorrow"));
  CHECK(format_taskwarrior_date(1'796'634'000'000) == "20261207T090000Z");

  CHECK(vikunja_priority("H") == 5);
  CHECK(vikunja_priority("M") == 3);
  CHECK(vikunja_priority("L") == 1);
  CHECK(vikunja_priority(std::nullopt) == 0);
  CHECK(taskwarrior_priority(5) == "H");
  CHECK(taskwarrior_priority(4) == "H");
  CHECK(taskwarrior_priority(3) == "M");
  CHECK(taskwarrior_priority(2) == "M");
  CHECK(taskwarrior_priority(1) == "L");
  CHECK_FALSE(taskwarrior_priority(0));


  CHECK(taskwarrior_tags(json{{"tags", {"a", "", 7, "b"}}}) == std::vector<std::string>{"a", "b"});
  CHECK(taskwarrior_tags(json::object()).empty());
}

TEST_CASE("a Vikunja date is none when absent, null or zero, and unreadable otherwise", "[field_mapping]") {
  CHECK_FALSE(strict_vikunja_date(json::object(), "due_date"));
  CHECK_FALSE(strict_vikunja_date(json{{"due_date", nullptr}}, "due_date"));
  CHECK_FALSE(strict_vikunja_date(json{{"due_date", "0001-01-01T00:00:00Z"}}, "due_date"));
  // Found by tests/fuzz/field_mapping_fuzz: a fraction into the zero second was a date, kept as
  // that second, which write_vikunja sends as "none".
  CHECK_FALSE(strict_vikunja_date(json{{"due_date", "0001-01-01T00:00:00.5Z"}}, "due_date"));
  CHECK(strict_vikunja_date(json{{"due_date", "0001-01-01T00:00:01Z"}}, "due_date") == -62'135'596'799'000);
  CHECK(strict_vikunja_date(json{{"due_date", "2026-12-07T10:00:00+01:00"}}, "due_date") == 1'796'634'000'000);
  for (const json& bad : {json("next friday"), json(7), json::array()}) {
    try {
      strict_vikunja_date(json{{"due_date", bad}}, "due_date");
      FAIL("read an unreadable date");
    } catch (const JobStopped& stopped) {
      CHECK(stopped.outcome.kind == JobOutcome::Kind::dead);
      CHECK(stopped.outcome.error == "the Vikunja task has a due_date that is not a date: " + bad.dump());
    }
  }
}
