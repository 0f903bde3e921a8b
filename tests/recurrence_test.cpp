// Recurrence with the real `task` and the stand-in: a Taskwarrior recurring series is one
// Vikunja repeating task, linked to the series' current instance, and completing it on either
// side completes the instance and moves the link to the next one.

#include <algorithm>
#include <ctime>

#include <catch2/catch.hpp>

#include "queue_dump.hpp"
#include "taskwarrior_fixture.hpp"
#include "worker/sync/field_mapping.hpp"
#include "worker/sync/recurrence.hpp"

using namespace vsync;
using namespace vsync::test;
using json = nlohmann::json;

namespace {

constexpr std::int64_t week_seconds = 7 * 24 * 3600;

// Taskwarrior's clock is the real one: dates are set relative to today, at 09:00 UTC.
std::time_t days_from_today(int days) {
  const std::time_t now = std::time(nullptr);
  return now - now % 86400 + 9 * 3600 + static_cast<std::time_t>(days) * 86400;
}

std::string utc(std::time_t time, const char* format) {
  std::tm parts{};
  gmtime_r(&time, &parts);
  char text[32];
  std::strftime(text, sizeof text, format, &parts);
  return text;
}

// A weekly series whose first due date was 20 days ago: Taskwarrior makes the three past
// instances and the next one (in a day).
struct WeeklySeries {
  TaskwarriorFixture& f;
  std::time_t first_due = days_from_today(-20);
  std::int64_t vikunja_id = 0;

  explicit WeeklySeries(TaskwarriorFixture& fixture) : f(fixture) {
    REQUIRE(f.task({"add", "Water plants", "recur:weekly", "due:" + utc(first_due, "%Y-%m-%dT%H:%M:%SZ")}).exit_code == 0);
    REQUIRE(instances("pending").size() == 4);  // the user's export made them, through the hook
    f.worker()->drain();
    const auto tasks = f.vikunja.tasks();
    REQUIRE(tasks.size() == 1);
    vikunja_id = tasks.front()["id"].get<std::int64_t>();
  }

  std::vector<json> instances(const std::string& status) {
    std::vector<json> found;
    for (json& task : f.exported_with_status(status)) {
      if (task.contains("parent")) found.push_back(std::move(task));
    }
    std::sort(found.begin(), found.end(), [](const json& a, const json& b) { return a["due"] < b["due"]; });
    return found;
  }
  json vikunja() { return *f.vikunja.task(vikunja_id); }
  std::string vikunja_due() { return vikunja()["due_date"].get<std::string>(); }
  static std::string due_of(const json& instance) {
    return utc(static_cast<std::time_t>(*parse_taskwarrior_date(instance["due"].get<std::string>()) / 1000),
               "%Y-%m-%dT%H:%M:%SZ");
  }
  // The one linked instance: the pending one due first, carrying the Vikunja id.
  void check_linked_to_current() {
    const auto pending = instances("pending");
    REQUIRE_FALSE(pending.empty());
    CHECK(pending.front().value("vikunja_id", "") == std::to_string(vikunja_id));
    CHECK(vikunja_due() == due_of(pending.front()));
    CHECK_FALSE(vikunja()["done"].get<bool>());
    CHECK(f.vikunja.tasks().size() == 1);
  }
  void complete_in_vikunja() {
    f.vikunja.edit_task(vikunja_id, {{"done", true}});
    f.notify("task.updated", vikunja_id);
  }
};

}  // namespace

TEST_CASE("Taskwarrior periods as Vikunja repeats: exact ones, and none for those it cannot hold", "[recurrence]") {
  CHECK(repeat_of_recur("weekly") == Repeat{week_seconds, false});
  CHECK(repeat_of_recur("daily") == Repeat{86400, false});
  CHECK(repeat_of_recur("biweekly") == Repeat{2 * week_seconds, false});
  CHECK(repeat_of_recur("fortnight") == Repeat{2 * week_seconds, false});
  CHECK(repeat_of_recur("3d") == Repeat{3 * 86400, false});
  CHECK(repeat_of_recur("2w") == Repeat{2 * week_seconds, false});
  CHECK(repeat_of_recur("12h") == Repeat{12 * 3600, false});
  CHECK(repeat_of_recur("90s") == Repeat{90, false});
  CHECK(repeat_of_recur("P1D") == Repeat{86400, false});
  CHECK(repeat_of_recur("P1DT6H") == Repeat{30 * 3600, false});
  CHECK(repeat_of_recur("monthly") == Repeat{0, true});
  CHECK(repeat_of_recur("1mo") == Repeat{0, true});
  CHECK(repeat_of_recur("P1M") == Repeat{0, true});
  for (const char* inexpressible : {"quarterly", "2mo", "yearly", "annual", "1y", "P1Y", "weekdays", "semiannual", "",
                                    "0d", "-3d", "d3", "99999999999999999999d", "P", "PT"}) {
    INFO(inexpressible);
    CHECK_FALSE(repeat_of_recur(inexpressible));
  }
  CHECK(repeat_of_vikunja({{"repeat_after", week_seconds}, {"repeat_mode", 0}}) == Repeat{week_seconds, false});
  CHECK(repeat_of_vikunja({{"repeat_after", 0}, {"repeat_mode", 1}}) == Repeat{0, true});
  CHECK_FALSE(repeat_of_vikunja({{"repeat_after", 0}, {"repeat_mode", 0}}));
  CHECK_FALSE(repeat_of_vikunja({{"repeat_after", 3600}, {"repeat_mode", 2}}));  // from the day it is done
}

TEST_CASE("a weekly series is one repeating Vikunja task through four completions alternating sides",
          "[recurrence]") {
  TaskwarriorFixture f;
  WeeklySeries series(f);
  CHECK(series.vikunja()["title"] == "Water plants");
  CHECK(series.vikunja()["repeat_after"] == week_seconds);
  series.check_linked_to_current();

  for (int step = 0; step < 4; ++step) {
    INFO("completion " << step + 1 << (step % 2 == 0 ? " in Taskwarrior" : " in Vikunja"));
    const json current = series.instances("pending").front();
    if (step % 2 == 0) {
      REQUIRE(f.task({current["uuid"].get<std::string>(), "done"}).exit_code == 0);
    } else {
      series.complete_in_vikunja();
    }
    f.worker()->drain();
    CHECK(series.instances("completed").size() == static_cast<std::size_t>(step + 1));
    CHECK(series.vikunja_due() == utc(series.first_due + (step + 1) * week_seconds, "%Y-%m-%dT%H:%M:%SZ"));
    CHECK_FALSE(series.vikunja()["done"].get<bool>());
    CHECK(f.vikunja.tasks().size() == 1);
    if (step < 3) series.check_linked_to_current();
  }
  // The fourth was the last instance Taskwarrior made: the link waits on the series.
  CHECK(series.instances("pending").empty());
  CHECK(count_jobs(f.dir / "queue.db", "state = 'dead'") == 0);

  SECTION("every job again, and a reconcile, change nothing and reopen nothing") {
    f.notify("task.updated", series.vikunja_id);
    for (const json& done : series.instances("completed")) {
      f.store.enqueue({JobKind::push, taskwarrior_key(done["uuid"].get<std::string>()), done.dump(), std::nullopt});
    }
    auto worker = f.worker();
    worker->drain();
    ReconcileRequest full;
    full.full = true;
    worker->reconcile(full);
    worker->drain();
    CHECK(series.instances("completed").size() == 4);
    CHECK(series.instances("pending").empty());
    CHECK(f.vikunja.tasks().size() == 1);
    CHECK(series.vikunja_due() == utc(series.first_due + 4 * week_seconds, "%Y-%m-%dT%H:%M:%SZ"));
  }
  SECTION("Taskwarrior's next instance takes the link, due as Vikunja's") {
    REQUIRE(f.task({"rc.recurrence.limit=2", "export"}).exit_code == 0);  // the period began
    REQUIRE(series.instances("pending").size() == 1);
    f.worker()->drain();
    series.check_linked_to_current();
  }
}

TEST_CASE("a period Vikunja cannot hold is not carried: the instance syncs without repeating, and says so",
          "[recurrence]") {
  TaskwarriorFixture f;
  REQUIRE(f.task({"add", "Pay the tax", "recur:quarterly", "due:" + utc(days_from_today(3), "%Y-%m-%dT%H:%M:%SZ")})
              .exit_code == 0);
  REQUIRE(f.exported_with_status("pending").size() == 1);
  f.worker()->drain();
  const auto tasks = f.vikunja.tasks();
  REQUIRE(tasks.size() == 1);
  CHECK(tasks.front()["repeat_after"] == 0);
  CHECK(tasks.front()["repeat_mode"] == 0);
  const bool logged = std::any_of(f.log_lines.begin(), f.log_lines.end(), [](const std::string& line) {
    return line.find("recurrence not carried") != std::string::npos && line.find("quarterly") != std::string::npos;
  });
  CHECK(logged);
}

TEST_CASE("the series' task deleted in Vikunja deletes the current instance only, one skipped in Taskwarrior "
          "keeps the task", "[recurrence]") {
  TaskwarriorFixture f;
  WeeklySeries series(f);
  auto worker = f.worker();
  SECTION("an occurrence deleted in Taskwarrior: the task moves on to the next") {
    REQUIRE(f.task({series.instances("pending").front()["uuid"].get<std::string>(), "delete"}).exit_code == 0);
    worker->drain();
    CHECK(series.instances("deleted").size() == 1);
    CHECK(series.vikunja_due() == utc(series.first_due + week_seconds, "%Y-%m-%dT%H:%M:%SZ"));
    series.check_linked_to_current();
  }
  SECTION("deleted in Vikunja: that instance goes, nothing else; the series' next instance is a new task") {
    const json last = series.vikunja();
    f.vikunja.remove_task(series.vikunja_id);
    f.notify("task.deleted", series.vikunja_id, last);
    worker->drain();
    CHECK(series.instances("deleted").size() == 1);
    CHECK(series.instances("pending").size() == 3);
    CHECK(f.exported_with_status("recurring").size() == 1);
    ReconcileRequest full;
    full.full = true;
    worker->reconcile(full);
    worker->drain();
    REQUIRE(f.vikunja.tasks().size() == 1);
    series.vikunja_id = f.vikunja.tasks().front()["id"].get<std::int64_t>();
    series.check_linked_to_current();
  }
}

TEST_CASE("a change to the next instance pushed before the completion's push waits for it, on the one task",
          "[recurrence]") {
  TaskwarriorFixture f;
  WeeklySeries series(f);
  const auto pending = series.instances("pending");
  REQUIRE(f.task({pending[1]["uuid"].get<std::string>(), "modify", "+outside"}).exit_code == 0);
  REQUIRE(f.task({pending[0]["uuid"].get<std::string>(), "done"}).exit_code == 0);
  f.worker()->drain();
  CHECK(count_jobs(f.dir / "queue.db", "state = 'dead'") == 0);
  series.check_linked_to_current();
  CHECK(series.vikunja().value("labels", json::array()).size() == 1);
}

TEST_CASE("an instance completed on both sides before the worker ran moves the series on once", "[recurrence]") {
  TaskwarriorFixture f;
  WeeklySeries series(f);
  REQUIRE(f.task({series.instances("pending").front()["uuid"].get<std::string>(), "done"}).exit_code == 0);
  series.complete_in_vikunja();
  f.worker()->drain();
  CHECK(series.instances("completed").size() == 1);
  CHECK(series.vikunja_due() == utc(series.first_due + week_seconds, "%Y-%m-%dT%H:%M:%SZ"));
  series.check_linked_to_current();
}

TEST_CASE("a series' last occurrence before its until ends the repeating task: done, no longer repeating",
          "[recurrence]") {
  TaskwarriorFixture f;
  const std::time_t first_due = days_from_today(-6);
  REQUIRE(f.task({"add", "Water plants", "recur:weekly", "due:" + utc(first_due, "%Y-%m-%dT%H:%M:%SZ"),
                  "until:" + utc(days_from_today(3), "%Y-%m-%dT%H:%M:%SZ")})
              .exit_code == 0);
  auto worker = f.worker();
  f.exported();  // the user's export makes the two instances
  worker->drain();
  REQUIRE(f.vikunja.tasks().size() == 1);
  const std::int64_t id = f.vikunja.tasks().front()["id"].get<std::int64_t>();
  for (int step = 0; step < 2; ++step) {
    std::vector<json> pending = f.exported_with_status("pending");
    REQUIRE(pending.size() == static_cast<std::size_t>(2 - step));
    std::sort(pending.begin(), pending.end(), [](const json& a, const json& b) { return a["due"] < b["due"]; });
    REQUIRE(f.task({pending.front()["uuid"].get<std::string>(), "done"}).exit_code == 0);
    worker->drain();
  }
  const json task = *f.vikunja.task(id);
  CHECK(task["done"] == true);
  CHECK(task["repeat_after"] == 0);
  CHECK(f.vikunja.tasks().size() == 1);
  CHECK(count_jobs(f.dir / "queue.db", "state = 'dead'") == 0);
}
