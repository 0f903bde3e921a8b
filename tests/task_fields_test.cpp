// The typed record of the mapped fields: read from and written to each side, compared with the
// tolerances design.md allows, and stored as the agreed state. Pure functions on JSON.

#include <catch2/catch.hpp>

#include "worker/queue/job_outcome.hpp"
#include "worker/sync/task_fields.hpp"

using namespace vsync;
using json = nlohmann::json;

namespace {

constexpr long long day = 86'400;
constexpr UnixMillis now = 1'800'000'000'000;
constexpr UnixMillis december_7 = 1'796'634'000'000;  // 2026-12-07T09:00:00Z

json vikunja_task(json fields = json::object()) {
  json task{{"id", 42}, {"title", "Pay rent"}, {"done", false}, {"due_date", "0001-01-01T00:00:00Z"},
            {"priority", 0}, {"labels", nullptr}, {"project_id", 3}, {"repeat_after", 0}};
  for (auto& [key, value] : fields.items()) task[key] = value;
  return task;
}

json taskwarrior_task(json fields = json::object()) {
  json task{{"uuid", "00000000-0000-4000-8000-000000000001"}, {"description", "Pay rent"},
            {"status", "pending"}, {"entry", "20261126T231229Z"}};
  for (auto& [key, value] : fields.items()) task[key] = value;
  return task;
}

std::string dead_error(const std::function<void()>& read) {
  try {
    read();
  } catch (const JobStopped& stopped) {
    CHECK(stopped.outcome.kind == JobOutcome::Kind::dead);
    return stopped.outcome.error;
  }
  FAIL("no JobStopped");
  return "";
}

}  // namespace

TEST_CASE("a Taskwarrior task and a Vikunja task that mean the same read as the same fields", "[task_fields]") {
  const TaskFields from_taskwarrior = read_taskwarrior(
      taskwarrior_task({{"status", "completed"}, {"due", "20261207T090000Z"}, {"priority", "H"},
                        {"recur", "2weeks"}, {"tags", {"money", "home"}}, {"project", "home"}}),
      "inbox");
  const TaskFields from_vikunja = read_vikunja(
      vikunja_task({{"done", true}, {"due_date", "2026-12-07T10:00:00.5+01:00"}, {"priority", 4},
                    {"repeat_after", 14 * day}, {"labels", json::array({{{"title", "home"}}, {{"title", "money"}}})}}),
      "home", "inbox");
  CHECK(from_taskwarrior.title == "Pay rent");
  CHECK(from_taskwarrior.done);
  CHECK(from_taskwarrior.due == december_7);
  CHECK(from_taskwarrior.priority == Priority::high);
  CHECK(from_taskwarrior.tags == std::set<std::string>{"home", "money"});
  CHECK(from_taskwarrior.project == "home");
  CHECK(from_vikunja.due == december_7);  // to the second, whatever the offset
  CHECK(same_fields(from_taskwarrior, from_vikunja));
  for (Field field : all_fields) CHECK(same_field(field, from_taskwarrior, from_vikunja));
}

TEST_CASE("the default project reads as no project on both sides", "[task_fields]") {
  CHECK(read_taskwarrior(taskwarrior_task(), "inbox").project.empty());
  CHECK(read_taskwarrior(taskwarrior_task({{"project", "inbox"}}), "inbox").project.empty());
  CHECK(read_vikunja(vikunja_task(), "inbox", "inbox").project.empty());
  CHECK(read_vikunja(vikunja_task(), "work", "inbox").project == "work");
}

TEST_CASE("recurrence is no field of the record: an update never writes it, a create's repeat is the series'",
          "[task_fields]") {
  const TaskFields fields = read_taskwarrior(taskwarrior_task({{"recur", "weekly"}, {"due", "20261207T090000Z"}}), "inbox");
  json task = vikunja_task({{"repeat_after", 3 * day}, {"repeat_mode", 1}});
  write_vikunja(task, fields);
  CHECK(task["repeat_after"] == 3 * day);  // a repeat set in Vikunja stays
  CHECK(task["repeat_mode"] == 1);
  json fresh = json::object();
  write_vikunja(fresh, fields);
  CHECK_FALSE(fresh.contains("repeat_after"));  // set by VikunjaTasks::create for a series' instance
  CHECK(same_fields(read_vikunja(vikunja_task({{"repeat_after", 7 * day}}), "inbox", "inbox"),
                    read_vikunja(vikunja_task(), "inbox", "inbox")));
}

TEST_CASE("fields written to Vikunja keep what only Vikunja has", "[task_fields]") {
  TaskFields fields;
  fields.title = "Pay the rent";
  fields.done = true;
  fields.due = december_7;
  fields.priority = Priority::high;
  json task = vikunja_task({{"hex_color", "1973ff"}, {"priority", 4}, {"start_date", "2026-12-01T00:00:00Z"}});
  write_vikunja(task, fields);
  CHECK(task["title"] == "Pay the rent");
  CHECK(task["done"] == true);
  CHECK(task["due_date"] == "2026-12-07T09:00:00Z");
  CHECK(task["start_date"] == "0001-01-01T00:00:00Z");  // cleared
  CHECK(task["priority"] == 4);  // already high: an "urgent" 4 is not rewritten as 5
  CHECK(task["hex_color"] == "1973ff");
  fields.priority = Priority::medium;
  write_vikunja(task, fields);
  CHECK(task["priority"] == 3);
}

TEST_CASE("fields written to Taskwarrior: completion with its end, removals, tags and project", "[task_fields]") {
  json task = taskwarrior_task({{"tags", {"old"}}, {"priority", "L"}, {"project", "home"}, {"due", "20261201T000000Z"},
                                {"annotations", json::array({{{"description", "kept"}}})}});
  TaskFields fields = read_taskwarrior(task, "inbox");
  fields.done = true;
  fields.due.reset();
  fields.priority = Priority::none;
  fields.tags = {"money"};
  fields.project.clear();
  write_taskwarrior(task, fields, december_7, now);
  CHECK(task["status"] == "completed");
  CHECK(task["end"] == "20261207T090000Z");
  CHECK_FALSE(task.contains("due"));
  CHECK_FALSE(task.contains("priority"));
  CHECK_FALSE(task.contains("project"));
  CHECK(task["tags"] == json{"money"});
  CHECK(task["annotations"][0]["description"] == "kept");
  CHECK(same_fields(read_taskwarrior(task, "inbox"), fields));

  fields.done = false;
  write_taskwarrior(task, fields, std::nullopt, now);
  CHECK(task["status"] == "pending");
  CHECK_FALSE(task.contains("end"));
  fields.done = true;
  write_taskwarrior(task, fields, std::nullopt, now);
  CHECK(task["end"] == "20270115T080000Z");  // done without done_at ends now
}

TEST_CASE("a recurring template keeps its status and recurrence whatever is written", "[task_fields]") {
  json task = taskwarrior_task({{"status", "recurring"}, {"recur", "weekly"}});
  TaskFields fields = read_taskwarrior(task, "inbox");
  fields.done = true;
  write_taskwarrior(task, fields, std::nullopt, now);
  CHECK(task["status"] == "recurring");
  CHECK(task["recur"] == "weekly");
  CHECK_FALSE(task.contains("end"));
}

TEST_CASE("the agreed state round-trips through its stored JSON", "[task_fields]") {
  TaskFields fields = read_taskwarrior(
      taskwarrior_task({{"due", "20261207T090000Z"}, {"tags", {"a", "b"}}, {"priority", "M"}, {"project", "p"}}),
      "inbox");
  const auto stored = fields_from_json(to_json(fields).dump());
  REQUIRE(stored);
  CHECK(same_fields(*stored, fields));
  CHECK_FALSE(fields_from_json("not json"));
  CHECK_FALSE(fields_from_json(R"({"title":"x"})"));
  CHECK_FALSE(fields_from_json(R"({"title":"x","done":false,"due":null,"scheduled":null,"until":null,
                                   "priority":9,"tags":[],"project":""})"));
}

TEST_CASE("a Vikunja task without a title or with an unreadable date is dead, with the reason", "[task_fields]") {
  CHECK(dead_error([] { read_vikunja(vikunja_task({{"title", ""}}), "inbox", "inbox"); }) ==
        "the Vikunja task has no title");
  CHECK(dead_error([] { read_vikunja(vikunja_task({{"end_date", 7}}), "inbox", "inbox"); }) ==
        "the Vikunja task has a end_date that is not a date: 7");
  CHECK(dead_error([] { read_taskwarrior(taskwarrior_task({{"due", "soon"}}), "inbox"); }) ==
        "the Taskwarrior task has a due that is not a date: 'soon'");
}

TEST_CASE("the description is Vikunja's HTML read as text and Taskwarrior's vikunja_description", "[task_fields]") {
  const TaskFields from_vikunja =
      read_vikunja(vikunja_task({{"description", "<p>Call <strong>Bob</strong></p><p>at 5 &amp; bring keys</p>"}}),
                   "home", "inbox");
  const TaskFields from_taskwarrior =
      read_taskwarrior(taskwarrior_task({{"vikunja_description", "Call Bob\nat 5 & bring keys"}}), "inbox");
  CHECK(from_vikunja.description == "Call Bob\nat 5 & bring keys");
  CHECK(same_field(Field::description, from_taskwarrior, from_vikunja));
  CHECK(read_taskwarrior(taskwarrior_task(), "inbox").description == "");
  CHECK(read_vikunja(vikunja_task(), "home", "inbox").description == "");

  json taskwarrior = taskwarrior_task({{"vikunja_description", "old"}});
  TaskFields fields = from_vikunja;
  write_taskwarrior(taskwarrior, fields, std::nullopt, now);
  CHECK(taskwarrior["vikunja_description"] == "Call Bob\nat 5 & bring keys");
  fields.description = "";
  write_taskwarrior(taskwarrior, fields, std::nullopt, now);
  CHECK_FALSE(taskwarrior.contains("vikunja_description"));
}

TEST_CASE("Vikunja's HTML is rewritten only when its text changed", "[task_fields]") {
  const std::string rich = "<p>Call <strong>Bob</strong></p>";
  json task = vikunja_task({{"description", rich}});
  TaskFields fields = read_vikunja(task, "home", "inbox");
  fields.title = "Call Bob today";
  write_vikunja(task, fields);
  CHECK(task["description"] == rich);

  fields.description = "Call <Alice>\nat 6";
  write_vikunja(task, fields);
  CHECK(task["description"] == "<p>Call &lt;Alice&gt;</p><p>at 6</p>");
}

TEST_CASE("a description too large to carry agrees with any and is written nowhere", "[task_fields]") {
  const std::string huge(300 * 1024, 'x');
  const TaskFields from_vikunja = read_vikunja(vikunja_task({{"description", huge}}), "home", "inbox");
  CHECK_FALSE(from_vikunja.description);
  const TaskFields from_taskwarrior = read_taskwarrior(taskwarrior_task({{"vikunja_description", "small"}}), "inbox");
  CHECK(same_field(Field::description, from_vikunja, from_taskwarrior));
  CHECK(describe_field(Field::description, from_vikunja) == "(too large to carry)");

  json taskwarrior = taskwarrior_task({{"vikunja_description", "small"}});
  write_taskwarrior(taskwarrior, from_vikunja, std::nullopt, now);
  CHECK(taskwarrior["vikunja_description"] == "small");
  json vikunja = vikunja_task({{"description", huge}});
  write_vikunja(vikunja, from_taskwarrior);
  CHECK(vikunja["description"] == huge);

  json huge_in_taskwarrior = taskwarrior_task({{"vikunja_description", huge}});
  CHECK_FALSE(read_taskwarrior(huge_in_taskwarrior, "inbox").description);
  write_taskwarrior(huge_in_taskwarrior, from_taskwarrior, std::nullopt, now);
  CHECK(huge_in_taskwarrior["vikunja_description"] == huge);
}

TEST_CASE("an agreed state stored before descriptions were carried reads as agreeing on none", "[task_fields]") {
  json stored = to_json(read_taskwarrior(taskwarrior_task(), "inbox"));
  CHECK(stored["description"] == "");
  stored.erase("description");
  const auto fields = fields_from_json(stored.dump());
  REQUIRE(fields);
  CHECK(fields->description == "");
  stored["description"] = nullptr;
  CHECK(fields_from_json(stored.dump())->description == "");
  TaskFields not_carried = *fields;
  not_carried.description.reset();
  CHECK(to_json(not_carried)["description"] == "");
}

TEST_CASE("dependencies are stored in the agreed state, and one stored before them reads as none", "[task_fields]") {
  TaskFields fields = read_taskwarrior(taskwarrior_task(), "inbox");
  CHECK_FALSE(fields.depends);  // read through the links (dependencies.hpp), not here
  fields.depends = std::set<std::string>{"00000000-0000-4000-8000-000000000002"};
  json stored = to_json(fields);
  CHECK(fields_from_json(stored.dump())->depends == fields.depends);
  stored.erase("depends");
  CHECK(fields_from_json(stored.dump())->depends == std::set<std::string>{});
}
