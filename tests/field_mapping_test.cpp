// The field mapping both ways, and the fingerprint that recognises our own changes coming back:
// pure functions on JSON, no Taskwarrior and no server.

#include <catch2/catch.hpp>

#include "worker/queue/job_outcome.hpp"
#include "worker/sync/field_mapping.hpp"

using namespace vsync;
using json = nlohmann::json;

namespace {

constexpr long long day = 86'400;
constexpr UnixMillis now = 1'800'000'000'000;

json vikunja_task(json fields = json::object()) {
  json task{{"id", 42},           {"title", "Pay rent"}, {"done", false},
            {"due_date", "0001-01-01T00:00:00Z"}, {"priority", 0}, {"labels", nullptr},
            {"project_id", 3}};
  for (auto& [key, value] : fields.items()) task[key] = value;
  return task;
}

json taskwarrior_task(json fields = json::object()) {
  json task{{"uuid", "00000000-0000-4000-8000-000000000001"}, {"description", "Pay rent"},
            {"status", "pending"}, {"entry", "20261126T231229Z"}};
  for (auto& [key, value] : fields.items()) task[key] = value;
  return task;
}

std::string dead_error(const std::function<void()>& apply) {
  try {
    apply();
  } catch (const JobStopped& stopped) {
    CHECK(stopped.outcome.kind == JobOutcome::Kind::dead);
    return stopped.outcome.error;
  }
  FAIL("no JobStopped");
  return "";
}

}  // namespace

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


TEST_CASE("months, quarters and years repeat within a day either way, shorter periods exactly",
          "[field_mapping]") {
  struct Case {
    const char* recur;
    long long vikunja_repeat;
    bool same;
  };
  for (const Case& c : {Case{"monthly", 30 * day, true}, Case{"monthly", 31 * day, true},
                        Case{"monthly", 29 * day, true}, Case{"monthly", 32 * day, false},
                        Case{"quarterly", 91 * day, true}, Case{"quarterly", 92 * day, false},
                        Case{"yearly", 366 * day, true}, Case{"yearly", 364 * day, true},
                        Case{"yearly", 367 * day, false}, Case{"weekly", 7 * day + 3600, false},
                        Case{"daily", day + 1, false}}) {
    CAPTURE(c.recur, c.vikunja_repeat);
    json vikunja = vikunja_task({{"repeat_after", c.vikunja_repeat}, {"repeat_mode", 0}});
    apply_taskwarrior_fields(vikunja, taskwarrior_task());  // everything else in place
    vikunja["repeat_after"] = c.vikunja_repeat;
    CHECK(apply_taskwarrior_fields(vikunja, taskwarrior_task({{"recur", c.recur}})) == !c.same);
    if (!c.same) CHECK(vikunja["repeat_after"] == *repeat_seconds(c.recur));
  }
}

TEST_CASE("Vikunja fields map onto a Taskwarrior task", "[field_mapping]") {
  json tw = taskwarrior_task({{"tags", {"old"}}, {"priority", "L"}, {"project", "home"}});
  const json vikunja = vikunja_task({{"title", "Pay the rent"},
                                     {"due_date", "2026-12-07T10:00:00+01:00"},
                                     {"start_date", "2026-12-01T00:00:00Z"},
                                     {"priority", 4},
                                     {"labels", json::array({{{"title", "money"}}, {{"title", "home"}}})}});
  CHECK(apply_vikunja_fields(tw, vikunja, std::string("inbox"), "inbox", now));
  CHECK(tw["description"] == "Pay the rent");
  CHECK(tw["status"] == "pending");
  CHECK(tw["due"] == "20261207T090000Z");
  CHECK(tw["scheduled"] == "20261201T000000Z");
  CHECK_FALSE(tw.contains("until"));
  CHECK(tw["priority"] == "H");
  CHECK(tw["tags"] == json{"home", "money"});
  CHECK_FALSE(tw.contains("project"));  // the default project means none
  CHECK(tw["vikunja_id"] == "42");
  CHECK_FALSE(apply_vikunja_fields(tw, vikunja, std::string("inbox"), "inbox", now));  // idempotent

  SECTION("zero dates, priority 0 and no labels remove the fields") {
    CHECK(apply_vikunja_fields(tw, vikunja_task(), std::nullopt, "inbox", now));
    for (const char* field : {"due", "scheduled", "priority", "tags"}) CHECK_FALSE(tw.contains(field));
  }
  SECTION("a project named by the webhook is set; without one the project is kept") {
    CHECK(apply_vikunja_fields(tw, vikunja, std::string("work"), "inbox", now));
    CHECK(tw["project"] == "work");
    CHECK_FALSE(apply_vikunja_fields(tw, vikunja, std::nullopt, "inbox", now));
    CHECK(tw["project"] == "work");
  }
  SECTION("done completes with Vikunja's done_at; undone is pending again without an end") {
    json done = vikunja;
    done["done"] = true;
    done["done_at"] = "2026-12-02T08:30:00Z";
    CHECK(apply_vikunja_fields(tw, done, std::nullopt, "inbox", now));
    CHECK(tw["status"] == "completed");
    CHECK(tw["end"] == "20261202T083000Z");
    CHECK(apply_vikunja_fields(tw, vikunja, std::nullopt, "inbox", now));
    CHECK(tw["status"] == "pending");
    CHECK_FALSE(tw.contains("end"));
  }
  SECTION("done without done_at ends now") {
    CHECK(apply_vikunja_fields(tw, vikunja_task({{"done", true}}), std::nullopt, "inbox", now));
    CHECK(tw["end"] == format_taskwarrior_date(now));
  }
}

TEST_CASE("a recurring template keeps its status whatever Vikunja's done flag says", "[field_mapping]") {
  json tw = taskwarrior_task({{"status", "recurring"}, {"recur", "weekly"}});
  apply_vikunja_fields(tw, vikunja_task({{"done", true}}), std::nullopt, "inbox", now);
  CHECK(tw["status"] == "recurring");
  CHECK_FALSE(tw.contains("end"));
}

TEST_CASE("the link alone is no change: an echo of our own push costs no import", "[field_mapping]") {
  json linked_only = taskwarrior_task();
  CHECK_FALSE(apply_vikunja_fields(linked_only, vikunja_task(), std::nullopt, "inbox", now));
  CHECK(linked_only["vikunja_id"] == "42");
}

TEST_CASE("a Vikunja task without a title or with an unreadable date is dead, with the reason",
          "[field_mapping]") {
  json tw = taskwarrior_task();
  CHECK(dead_error([&] { apply_vikunja_fields(tw, vikunja_task({{"title", ""}}), std::nullopt, "inbox", now); }) ==
        "the Vikunja task has no title");
  CHECK(dead_error([&] { apply_vikunja_fields(tw, vikunja_task({{"due_date", "next friday"}}), std::nullopt, "inbox", now); }) ==
        "the Vikunja task has a due_date that is not a date: \"next friday\"");
  CHECK(dead_error([&] { apply_vikunja_fields(tw, vikunja_task({{"end_date", 7}}), std::nullopt, "inbox", now); }) ==
        "the Vikunja task has a end_date that is not a date: 7");
}

TEST_CASE("the fingerprint sees what the sync carries and nothing else", "[field_mapping]") {
  const std::string base = vikunja_fingerprint(vikunja_task({{"due_date", "2026-12-07T09:00:00Z"},
                                                             {"priority", 4},
                                                             {"labels", json::array({{{"title", "b"}}, {{"title", "a"}}})}}));
  SECTION("the same meaning in other spellings: the same fingerprint") {
    CHECK(vikunja_fingerprint(vikunja_task({{"due_date", "2026-12-07T10:00:00+01:00"},
                                            {"priority", 5},
                                            {"labels", json::array({{{"title", "a"}}, {{"title", "b"}}})},
                                            {"description", "<p>notes</p>"},
                                            {"updated", "2026-12-09T00:00:00Z"}})) == base);
  }
  SECTION("each carried field changes it") {
    for (const json& change : {json{{"title", "Other"}}, json{{"done", true}},
                               json{{"due_date", "2026-12-08T09:00:00Z"}}, json{{"start_date", "2026-12-01T00:00:00Z"}},
                               json{{"end_date", "2026-12-31T00:00:00Z"}}, json{{"priority", 2}},
                               json{{"labels", json::array({{{"title", "a"}}})}}, json{{"project_id", 9}}}) {
      CAPTURE(change);
      json task = vikunja_task({{"due_date", "2026-12-07T09:00:00Z"},
                                {"priority", 4},
                                {"labels", json::array({{{"title", "b"}}, {{"title", "a"}}})}});
      for (auto& [key, value] : change.items()) task[key] = value;
      CHECK(vikunja_fingerprint(task) != base);
    }
  }
}
