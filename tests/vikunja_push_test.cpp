// Push and delete jobs against the local Vikunja stand-in: field mapping, projects, labels,
// the task map, and the request counts the worker issue promises.

#include <catch2/catch.hpp>

#include "worker/sync/task_map.hpp"
#include "worker_fixture.hpp"

using namespace vsync;
using namespace vsync::test;
using json = nlohmann::json;

namespace {

std::optional<json> only_task(FakeVikunja& vikunja) {
  const auto tasks = vikunja.tasks();
  if (tasks.size() != 1) return std::nullopt;
  return tasks.front();
}

std::set<std::string> label_titles(const json& task) {
  std::set<std::string> titles;
  if (task["labels"].is_array()) {
    for (const auto& label : task["labels"]) titles.insert(label["title"].get<std::string>());
  }
  return titles;
}

}  // namespace

TEST_CASE("a new task is created with every mapped field, its project and its labels", "[push]") {
  WorkerFixture f;
  const std::int64_t job = f.enqueue(JobKind::push, WorkerFixture::tw_task(1, "Pay rent", {
      {"project", "home.finance"}, {"priority", "H"}, {"due", "20261207T090000Z"},
      {"scheduled", "20261201T080000Z"}, {"until", "20261231T230000Z"}, {"recur", "weekly"},
      {"tags", {"bills", "monthly"}}}));
  const auto stats = f.worker()->drain();
  CHECK(stats.done == 1);
  CHECK(f.job_column(job, "state") == "done");

  const auto task = only_task(f.vikunja);
  REQUIRE(task);
  CHECK((*task)["title"] == "Pay rent");
  CHECK((*task)["done"] == false);
  CHECK((*task)["priority"] == 5);
  CHECK((*task)["due_date"] == "2026-12-07T09:00:00Z");
  CHECK((*task)["start_date"] == "2026-12-01T08:00:00Z");
  CHECK((*task)["end_date"] == "2026-12-31T23:00:00Z");
  CHECK((*task)["repeat_after"] == 0);  // `recur` without a series (`parent`): no instance, no repeat
  CHECK(label_titles(*task) == std::set<std::string>{"bills", "monthly"});
  REQUIRE(f.vikunja.projects().size() == 1);
  CHECK(f.vikunja.projects()[0]["title"] == "home.finance");
  CHECK((*task)["project_id"] == f.vikunja.projects()[0]["id"]);

  TaskMap map(f.store.database(), f.clock);
  const auto link = map.by_uuid("00000000-0000-4000-8000-000000000001");
  REQUIRE(link);
  CHECK(link->vikunja_id == (*task)["id"]);
}

TEST_CASE("a task without a project goes to the default project, found by title", "[push]") {
  WorkerFixture f;
  const auto inbox = f.vikunja.add_project("inbox");
  f.enqueue(JobKind::push, WorkerFixture::tw_task(1, "Call the plumber"));
  f.worker()->drain();
  REQUIRE(only_task(f.vikunja));
  CHECK((*only_task(f.vikunja))["project_id"] == inbox);
  CHECK(f.vikunja.projects().size() == 1);
}

TEST_CASE("an update of a mapped task reads, writes the whole task, and touches only changed labels",
          "[push]") {
  WorkerFixture f;
  auto task = WorkerFixture::tw_task(1, "Pay rent", {{"project", "home"}, {"priority", "M"},
                                                     {"due", "20261207T090000Z"}, {"tags", {"bills"}}});
  f.enqueue(JobKind::push, task);
  auto worker = f.worker();
  worker->drain();
  const std::int64_t id = (*only_task(f.vikunja))["id"];
  f.vikunja.forget_requests();

  SECTION("a changed field and a swapped tag: GET, POST, one label add, one label remove") {
    task["priority"] = "H";
    task["tags"] = {"urgent"};
    f.enqueue(JobKind::push, task);
    const long long before = worker->requests_sent();
    worker->drain();
    // warm caches would make it 4 here only because a brand-new label must be found and created
    CHECK(f.vikunja.requests_matching("GET", "/tasks/") == 1);
    CHECK(f.vikunja.requests_matching("POST", "/tasks/") == 1);
    CHECK(f.vikunja.requests_matching("PUT", "/tasks/") == 1);
    CHECK(f.vikunja.requests_matching("DELETE", "/tasks/") == 1);
    CHECK(worker->requests_sent() - before == 6);  // + label search and label create (cold)
    const auto updated = *f.vikunja.task(id);
    CHECK(updated["priority"] == 5);
    CHECK(updated["due_date"] == "2026-12-07T09:00:00Z");
    CHECK(label_titles(updated) == std::set<std::string>{"urgent"});
  }
  SECTION("with warm caches an update costs at most three requests") {
    task["description"] = "Pay the rent";
    f.enqueue(JobKind::push, task);
    const long long before = worker->requests_sent();
    worker->drain();
    CHECK(worker->requests_sent() - before == 2);  // GET + POST, labels unchanged
    CHECK((*f.vikunja.task(id))["title"] == "Pay the rent");
  }
  SECTION("an unchanged task costs no request: it matches the state both sides agreed on") {
    f.enqueue(JobKind::push, task);
    const long long before = worker->requests_sent();
    worker->drain();
    CHECK(worker->requests_sent() - before == 0);
    CHECK(f.vikunja.requests_matching("POST", "/tasks/") == 0);
  }
  SECTION("a Vikunja priority that means the same (4 for H) is not rewritten") {
    task["priority"] = "H";
    f.enqueue(JobKind::push, task);
    worker->drain();
    CHECK((*f.vikunja.task(id))["priority"] == 5);
  }
}

TEST_CASE("an update keeps what only Vikunja has: description, reminders, favourite", "[push]") {
  WorkerFixture f;
  auto task = WorkerFixture::tw_task(1, "Water the plants", {{"due", "20261207T090000Z"}});
  f.enqueue(JobKind::push, task);
  auto worker = f.worker();
  worker->drain();
  const std::int64_t id = (*only_task(f.vikunja))["id"];
  const json reminders = json::array({{{"relative_period", -3600}, {"relative_to", "due_date"}}});
  f.vikunja.edit_task(id, {{"description", "<p>the ferns too</p>"}, {"is_favorite", true},
                           {"reminders", reminders}, {"hex_color", "1973ff"}});
  task["status"] = "completed";
  f.enqueue(JobKind::push, task);
  worker->drain();
  const auto stored = *f.vikunja.task(id);
  CHECK(stored["done"] == true);
  CHECK(stored["description"] == "<p>the ferns too</p>");
  CHECK(stored["is_favorite"] == true);
  CHECK(stored["hex_color"] == "1973ff");
  CHECK(stored["reminders"] == reminders);
  CHECK(stored["due_date"] == "2026-12-07T09:00:00Z");
}

TEST_CASE("removing a date or a tag in Taskwarrior removes it in Vikunja", "[push]") {
  WorkerFixture f;
  auto task = WorkerFixture::tw_task(1, "Dentist", {{"due", "20261207T090000Z"}, {"tags", {"health", "call"}}});
  f.enqueue(JobKind::push, task);
  auto worker = f.worker();
  worker->drain();
  task.erase("due");
  task["tags"] = {"health"};
  f.enqueue(JobKind::push, task);
  worker->drain();
  const auto stored = *only_task(f.vikunja);
  CHECK(stored["due_date"] == "0001-01-01T00:00:00Z");
  CHECK(label_titles(stored) == std::set<std::string>{"health"});
}

TEST_CASE("labels are found by exact title, never by the substring search alone", "[push]") {
  WorkerFixture f;
  const auto bill = f.vikunja.add_label("bill");
  const auto bills = f.vikunja.add_label("bills");
  f.enqueue(JobKind::push, WorkerFixture::tw_task(1, "Pay", {{"tags", {"bill"}}}));
  f.worker()->drain();
  const auto stored = *only_task(f.vikunja);
  REQUIRE(stored["labels"].size() == 1);
  CHECK(stored["labels"][0]["id"] == bill);
  CHECK(bill != bills);
  CHECK(f.vikunja.labels().size() == 2);  // none created
}

TEST_CASE("lists are read page by page and pseudo-projects are skipped", "[push]") {
  WorkerFixture f;
  f.vikunja.set_max_items_per_page(2);
  for (int i = 0; i < 5; ++i) f.vikunja.add_project("project " + std::to_string(i));
  const auto last = f.vikunja.add_project("target");
  f.enqueue(JobKind::push, WorkerFixture::tw_task(1, "Deep", {{"project", "target"}}));
  f.worker()->drain();
  CHECK((*only_task(f.vikunja))["project_id"] == last);
  CHECK(f.vikunja.projects().size() == 6);
}

TEST_CASE("an unmapped task that already exists in Vikunja by title is adopted, not duplicated",
          "[push]") {
  WorkerFixture f;
  const auto inbox = f.vikunja.add_project("inbox");
  const auto existing = f.vikunja.add_task(inbox, json{{"title", "Call the plumber"}, {"description", "<p>his number</p>"}});
  f.vikunja.add_task(inbox, json{{"title", "Call the plumber again"}});
  f.enqueue(JobKind::push, WorkerFixture::tw_task(1, "Call the plumber", {{"priority", "L"}}));
  f.worker()->drain();
  CHECK(f.vikunja.tasks().size() == 2);
  CHECK((*f.vikunja.task(existing))["priority"] == 1);
  CHECK((*f.vikunja.task(existing))["description"] == "<p>his number</p>");
}

TEST_CASE("a create whose answer was lost is not duplicated by the retry", "[push]") {
  WorkerFixture f;
  f.env["VIKUNJA_SYNC_HTTP_TIMEOUT"] = "1";
  f.vikunja.add_project("inbox");
  f.vikunja.lose_next_create_answer(std::chrono::milliseconds(5000));
  const auto job = f.enqueue(JobKind::push, WorkerFixture::tw_task(1, "Renew passport"));
  auto worker = f.worker();
  CHECK(worker->drain().retried == 1);
  CHECK(f.vikunja.tasks().size() == 1);  // the server did create it
  f.clock.advance(3'600'000);
  CHECK(worker->drain().done == 1);
  CHECK(f.vikunja.tasks().size() == 1);
  CHECK(f.job_column(job, "state") == "done");
}

TEST_CASE("a delete removes the mapped task, one already gone is success", "[push]") {
  WorkerFixture f;
  const auto task = WorkerFixture::tw_task(1, "Cancel the gym");
  f.enqueue(JobKind::push, task);
  auto worker = f.worker();
  worker->drain();
  REQUIRE(f.vikunja.tasks().size() == 1);

  SECTION("mapped") {
    const auto job = f.enqueue(JobKind::del, task);
    worker->drain();
    CHECK(f.vikunja.tasks().empty());
    CHECK(f.job_column(job, "state") == "done");
    TaskMap map(f.store.database(), f.clock);
    CHECK_FALSE(map.by_uuid(task["uuid"]));
  }
  SECTION("already gone") {
    const std::int64_t id = f.vikunja.tasks()[0]["id"];
    f.vikunja.remove_task(id);  // deleted in the web UI meanwhile
    const auto job = f.enqueue(JobKind::del, task);
    worker->drain();
    CHECK(f.job_column(job, "state") == "done");
    CHECK(f.job_column(job, "last_error") == "");
  }
}

TEST_CASE("a push with status deleted is a delete, a recurring template is skipped", "[push]") {
  WorkerFixture f;
  auto task = WorkerFixture::tw_task(1, "Temp");
  f.enqueue(JobKind::push, task);
  auto worker = f.worker();
  worker->drain();
  task["status"] = "deleted";
  f.enqueue(JobKind::push, task);
  worker->drain();
  CHECK(f.vikunja.tasks().empty());

  const auto template_job = f.enqueue(JobKind::push, WorkerFixture::tw_task(2, "Weekly review", {{"status", "recurring"}, {"recur", "weekly"}}));
  worker->drain();
  CHECK(f.job_column(template_job, "state") == "done");
  CHECK(f.vikunja.tasks().empty());
}

TEST_CASE("coalesced pushes reach Vikunja once, with the newest snapshot", "[push]") {
  WorkerFixture f;
  auto task = WorkerFixture::tw_task(1, "Draft");
  f.enqueue(JobKind::push, task);
  task["description"] = "Final";
  f.enqueue(JobKind::push, task);
  const auto stats = f.worker()->drain();
  CHECK(stats.done == 1);
  REQUIRE(only_task(f.vikunja));
  CHECK((*only_task(f.vikunja))["title"] == "Final");
}

TEST_CASE("a payload that is not a task is dead, with the reason kept", "[push]") {
  WorkerFixture f;
  f.store.database().exec(
      "INSERT INTO jobs (kind, target, key, payload, created_at, updated_at, due_at) VALUES "
      "('push', 'vikunja', 'tw:x', '{\"uuid\":\"00000000-0000-4000-8000-000000000001\"}', 0, 0, 0)");
  f.worker()->drain();
  CHECK(f.job_column(1, "state") == "dead");
  CHECK(f.job_column(1, "last_error") == "the job's payload has no \"description\"");

  f.enqueue(JobKind::push, WorkerFixture::tw_task(2, "Bad date", {{"due", "tomorrow"}}));
  f.worker()->drain();
  CHECK(f.job_column(2, "state") == "dead");
  CHECK(f.job_column(2, "last_error") == "the Taskwarrior task has a due that is not a date: 'tomorrow'");
}

TEST_CASE("a finished Vikunja task with the same title is never adopted for a new one", "[push]") {
  WorkerFixture f;
  const auto inbox = f.vikunja.add_project("inbox");
  const auto last_week = f.vikunja.add_task(inbox, json{{"title", "Take out the bins"}, {"done", true}});
  f.enqueue(JobKind::push, WorkerFixture::tw_task(1, "Take out the bins"));
  f.worker()->drain();
  CHECK(f.vikunja.tasks().size() == 2);
  CHECK((*f.vikunja.task(last_week))["done"] == true);
}

TEST_CASE("a project deleted in Vikunja after it was cached is looked up and created again", "[push]") {
  WorkerFixture f;
  auto worker = f.worker();
  f.enqueue(JobKind::push, WorkerFixture::tw_task(1, "First", {{"project", "garden"}}));
  worker->drain();
  f.vikunja.remove_project(f.vikunja.projects().at(0)["id"]);
  const auto job = f.enqueue(JobKind::push, WorkerFixture::tw_task(2, "Second", {{"project", "garden"}}));
  CHECK(worker->drain().done == 1);
  CHECK(f.job_column(job, "state") == "done");
  REQUIRE(f.vikunja.projects().size() == 1);
  CHECK(f.vikunja.projects()[0]["title"] == "garden");
}

TEST_CASE("deleting a task never pushed deletes no Vikunja namesake", "[push]") {
  WorkerFixture f;
  const auto inbox = f.vikunja.add_project("inbox");
  const auto namesake = f.vikunja.add_task(inbox, json{{"title", "Call the plumber"}});
  const auto job = f.enqueue(JobKind::del, WorkerFixture::tw_task(1, "Call the plumber", {{"status", "deleted"}}));
  f.worker()->drain();
  CHECK(f.job_column(job, "state") == "done");
  CHECK(f.vikunja.task(namesake));
  CHECK(f.vikunja.requests_matching("DELETE", "/tasks/") == 0);
  CHECK(f.logged("reason=\"never linked to a Vikunja task; nothing to delete there\""));
}

TEST_CASE("a push for a task deleted in Vikunja deletes it in Taskwarrior instead of re-creating it", "[push]") {
  WorkerFixture f;
  auto task = WorkerFixture::tw_task(1, "Cancel the gym");
  f.enqueue(JobKind::push, task);
  auto worker = f.worker();
  worker->drain();
  const std::int64_t id = (*only_task(f.vikunja))["id"];
  f.vikunja.remove_task(id);  // deleted in the web UI; its webhook was lost
  task["description"] = "Cancel the gym today";
  f.enqueue(JobKind::push, task);
  worker->drain();
  CHECK(f.vikunja.tasks().empty());
  TaskMap map(f.store.database(), f.clock);
  CHECK(map.buried_uuid(task["uuid"]));
  f.enqueue(JobKind::push, task);  // and a later push of it stays skipped
  worker->drain();
  CHECK(f.vikunja.tasks().empty());
  CHECK(f.logged("reason=\"deleted in Vikunja; the delete wins\""));
}
