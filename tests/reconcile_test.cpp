// reconcile: lost events on either side found by comparing both sides in full, onboarding of
// existing tasks, and nothing queued or written when there is nothing to do.

#include <catch2/catch.hpp>

#include "queue_dump.hpp"
#include "shared/error.hpp"
#include "taskwarrior_fixture.hpp"
#include "worker/sync/task_map.hpp"

using namespace vsync;
using namespace vsync::test;
using json = nlohmann::json;

namespace {

// Reconciles, then drains everything that queued; returns the plan.
ReconcilePlan reconcile_and_drain(TaskwarriorFixture& f, Worker& worker) {
  const ReconcilePlan plan = worker.reconcile();
  worker.drain();
  f.clock.advance(1);
  return plan;
}

std::map<std::string, int> titles(const std::vector<json>& tasks, const char* field) {
  std::map<std::string, int> counts;
  for (const json& task : tasks) ++counts[task[field].get<std::string>()];
  return counts;
}

}  // namespace

TEST_CASE("a reconcile with nothing to do queues nothing and sends no write", "[reconcile]") {
  TaskwarriorFixture f;
  REQUIRE(f.task({"add", "Pay rent", "+bills"}).exit_code == 0);
  const auto id = f.vikunja_task("inbox", {{"title", "Water plants"}});
  f.notify("task.created", id);
  auto worker = f.worker();
  worker->drain();
  const long long jobs = count_jobs(f.dir / "queue.db");
  f.vikunja.forget_requests();

  const ReconcilePlan plan = worker->reconcile();
  CHECK(plan.nothing_to_do());
  CHECK(plan.agreeing_pairs == 2);
  CHECK(count_jobs(f.dir / "queue.db") == jobs);
  CHECK(f.vikunja.requests_matching("PUT", "/") == 0);
  CHECK(f.vikunja.requests_matching("POST", "/") == 0);
  CHECK(f.vikunja.requests_matching("DELETE", "/") == 0);
  CHECK_THAT(describe_plan(plan, false), Catch::EndsWith("nothing to do\n"));
}

TEST_CASE("reconcile finds creates, edits and deletes in Vikunja whose webhooks were lost", "[reconcile]") {
  TaskwarriorFixture f;
  auto worker = f.worker();
  const auto id = f.vikunja_task("Home", {{"title", "Lost create"}, {"priority", 3}});  // no webhook
  reconcile_and_drain(f, *worker);
  REQUIRE(f.by_vikunja_id(id));
  CHECK((*f.by_vikunja_id(id))["priority"] == "M");

  f.vikunja.edit_task(id, {{"title", "Lost edit"}});  // no webhook
  const ReconcilePlan edit = reconcile_and_drain(f, *worker);
  REQUIRE(edit.jobs.size() == 1);
  CHECK(edit.jobs[0].reason == "changed in Vikunja");
  CHECK((*f.by_vikunja_id(id))["description"] == "Lost edit");

  f.vikunja.remove_task(id);  // no webhook
  // Vikunja lists no deleted task: a pass over changes cannot see it, the day's full pass does.
  const ReconcilePlan changes = reconcile_and_drain(f, *worker);
  CHECK(changes.kind == ReconcileKind::changes);
  CHECK(changes.nothing_to_do());
  f.clock.advance(full_pass_every);
  const ReconcilePlan removal = reconcile_and_drain(f, *worker);
  CHECK(removal.kind == ReconcileKind::full);
  REQUIRE(removal.jobs.size() == 1);
  CHECK(removal.jobs[0].reason == "gone from Vikunja");
  CHECK((*f.by_vikunja_id(id))["status"] == "deleted");
  CHECK(reconcile_and_drain(f, *worker).nothing_to_do());
}

TEST_CASE("reconcile finds Taskwarrior changes that ran no hook", "[reconcile]") {
  TaskwarriorFixture f;
  REQUIRE(f.task({"add", "Renew passport", "priority:L"}).exit_code == 0);
  auto worker = f.worker();
  worker->drain();
  const std::string uuid = f.exported().at(0)["uuid"];
  const std::int64_t id = f.vikunja.tasks().at(0)["id"];

  // As `task sync` or an import with hooks off would change it.
  REQUIRE(f.task({"rc.hooks=off", uuid, "modify", "priority:H", "+travel"}).exit_code == 0);
  REQUIRE(f.task({"rc.hooks=off", "add", "Book flights"}).exit_code == 0);
  const ReconcilePlan changed = reconcile_and_drain(f, *worker);
  CHECK(changed.jobs.size() == 2);
  CHECK((*f.vikunja.task(id))["priority"] == 5);
  CHECK(f.vikunja.tasks().size() == 2);

  REQUIRE(f.task({"rc.hooks=off", uuid, "delete"}).exit_code == 0);
  reconcile_and_drain(f, *worker);
  CHECK_FALSE(f.vikunja.task(id));
  CHECK(TaskMap(f.store.database(), f.clock).buried_uuid(uuid));
  CHECK(reconcile_and_drain(f, *worker).nothing_to_do());
}

TEST_CASE("a linked task missing from Taskwarrior altogether is reported and left alone", "[reconcile]") {
  TaskwarriorFixture f;
  auto worker = f.worker();
  const auto id = f.vikunja_task("inbox", {{"title", "Kept in Vikunja"}});
  f.notify("task.created", id);
  worker->drain();
  // Its Taskwarrior half purged (`task purge`, a restored backup): the link names a uuid nobody has.
  f.store.database().exec("UPDATE task_map SET tw_uuid = '00000000-0000-4000-8000-00000000abcd' WHERE vikunja_id = " +
                          std::to_string(id));
  const ReconcilePlan plan = worker->reconcile();
  REQUIRE(plan.left_alone.size() == 1);
  CHECK_THAT(plan.left_alone[0], Catch::Contains("Taskwarrior no longer has the task (purged?); nothing deleted"));
  CHECK(f.vikunja.task(id));
}

TEST_CASE("onboarding: 30 Taskwarrior-only, 20 Vikunja-only and 10 same-title tasks become 60 on each side",
          "[reconcile][onboarding]") {
  TaskwarriorFixture f;
  for (int n = 1; n <= 30; ++n) REQUIRE(f.task({"rc.hooks=off", "add", fmt::format("Taskwarrior task {}", n)}).exit_code == 0);
  for (int n = 1; n <= 10; ++n) {
    REQUIRE(f.task({"rc.hooks=off", "add", fmt::format("Shared task {}", n), "project:Home"}).exit_code == 0);
    f.vikunja_task("Home", {{"title", fmt::format("Shared task {}", n)}});
  }
  for (int n = 1; n <= 20; ++n) f.vikunja_task("inbox", {{"title", fmt::format("Vikunja task {}", n)}});

  auto worker = f.worker();
  SECTION("--dry-run plans and changes nothing") {
    const ReconcilePlan plan = worker->reconcile({.dry_run = true});
    CHECK(plan.jobs.size() == 70);  // a push for each of the 40 in Taskwarrior, a webhook for each of the 30 in Vikunja
    CHECK(count_jobs(f.dir / "queue.db") == 0);
    CHECK(f.vikunja.tasks().size() == 30);
    CHECK(f.exported().size() == 40);
    CHECK(f.store.database().execAndGet("SELECT count(*) FROM task_map").getInt() == 0);
  }
  SECTION("the first reconcile links and creates, the second changes nothing") {
    reconcile_and_drain(f, *worker);
    CHECK(count_jobs(f.dir / "queue.db", "state <> 'done'") == 0);
    const auto taskwarrior = f.exported_with_status("pending");
    const auto vikunja = f.vikunja.tasks();
    CHECK(taskwarrior.size() == 60);
    CHECK(vikunja.size() == 60);
    const auto taskwarrior_titles = titles(taskwarrior, "description");
    CHECK(taskwarrior_titles == titles(vikunja, "title"));
    for (const auto& [title, count] : taskwarrior_titles) {
      CAPTURE(title);
      CHECK(count == 1);
    }
    CHECK(f.store.database().execAndGet("SELECT count(*) FROM task_map").getInt() == 60);

    f.vikunja.forget_requests();
    const long long processes = worker->task_processes();
    const ReconcilePlan second = reconcile_and_drain(f, *worker);
    CHECK(second.nothing_to_do());
    CHECK(second.agreeing_pairs == 60);
    CHECK(f.vikunja.requests_matching("PUT", "/") + f.vikunja.requests_matching("POST", "/") == 0);
    CHECK(worker->task_processes() == processes + 1);  // the one export
  }
}

TEST_CASE("reconcile waits while a breaker is open and counts a failed read on it", "[reconcile]") {
  TaskwarriorFixture f;
  auto worker = f.worker();
  SECTION("Vikunja unreachable") {
    f.vikunja.refuse_connections();
    try {
      worker->reconcile();
      FAIL("reconciled without Vikunja");
    } catch (const Error& e) {
      CHECK(e.exit_code() == ExitCode::temp_fail);
      CHECK_THAT(std::string(e.what()), Catch::StartsWith("reconcile: GET /api/v1/tasks?page=1&per_page=50: cannot reach Vikunja"));
    }
    CHECK(f.breaker_column("vikunja", "consecutive_failures") == "1");
  }
  SECTION("the breaker open") {
    f.store.database().exec(fmt::format("UPDATE breaker SET state = 'open', retry_at = {} WHERE target = 'vikunja'",
                                        test_epoch + 60'000));
    f.vikunja.forget_requests();
    CHECK_THROWS_WITH(worker->reconcile(), Catch::StartsWith("reconcile skipped: the vikunja breaker pauses calls until"));
    CHECK(f.vikunja.requests() == 0);
  }
}

TEST_CASE("reconcile leaves a job already waiting for a task as it is", "[reconcile]") {
  TaskwarriorFixture f;
  REQUIRE(f.task({"add", "Pay rent"}).exit_code == 0);
  auto worker = f.worker();
  worker->drain();
  const std::string uuid = f.exported().at(0)["uuid"];
  REQUIRE(f.task({uuid, "modify", "priority:H"}).exit_code == 0);  // a push, pending
  f.store.database().exec("UPDATE jobs SET attempts = 3 WHERE state = 'pending'");
  const ReconcilePlan plan = worker->reconcile();
  REQUIRE(plan.jobs.size() == 1);  // planned, but the pending job stays
  CHECK(count_jobs(f.dir / "queue.db", "state = 'pending' AND attempts = 3") == 1);
  CHECK(count_jobs(f.dir / "queue.db", "state = 'pending'") == 1);
}

TEST_CASE("onboarding: a task without a project links to its namesake in Vikunja's default project", "[reconcile]") {
  TaskwarriorFixture f;
  f.env.erase("VIKUNJA_DEFAULT_PROJECT");  // as the shipped env.example leaves it
  std::string default_title = "Inbox";
  SECTION("the token may read /user: the user's default project, whatever its title") {
    default_title = "Tasks";
    f.vikunja.set_users_default_project(f.vikunja.add_project(default_title));
  }
  SECTION("a token scoped to the sync's routes: the project titled inbox, in any case") {
    f.vikunja.refuse_user_route();
    f.vikunja.add_project(default_title);
  }
  const std::int64_t vikunja_id = f.vikunja_task(default_title, {{"title", "Buy milk"}});
  REQUIRE(f.task({"add", "Buy milk"}).exit_code == 0);
  // A task that names the default project by its title keeps it, on both sides.
  REQUIRE(f.task({"add", "Plan the week", "project:" + default_title}).exit_code == 0);
  REQUIRE(f.task({"add", "Call mum", "project:family"}).exit_code == 0);
  f.vikunja_task("Family", {{"title", "Call mum"}});
  auto worker = f.worker();
  reconcile_and_drain(f, *worker);

  CHECK(f.vikunja.projects().size() == 2);  // no second "inbox", no second "family"
  CHECK(f.vikunja.tasks().size() == 3);
  CHECK(f.exported().size() == 3);
  const auto milk = f.by_vikunja_id(vikunja_id);
  REQUIRE(milk);
  CHECK((*milk)["description"] == "Buy milk");
  CHECK_FALSE(milk->contains("project"));
  CHECK(count_jobs(f.dir / "queue.db", "state IN ('pending', 'dead')") == 0);
  // Nothing left to do: the two sides agree, the project spelt differently on each side.
  CHECK(worker->reconcile().agreeing_pairs == 3);
  for (const json& task : f.exported()) {
    if (task["description"] == "Plan the week") CHECK(task["project"] == default_title);
  }
  // A change in Vikunja comes back without taking the project away.
  for (const json& task : f.vikunja.tasks()) {
    if (task["title"] != "Plan the week") continue;
    f.vikunja.edit_task(task["id"], {{"priority", 4}});
    f.notify("task.updated", task["id"]);
  }
  worker->drain();
  for (const json& task : f.exported()) {
    if (task["description"] == "Plan the week") CHECK((task["project"] == default_title && task["priority"] == "H"));
  }
}

TEST_CASE("the dry run says why same-title tasks will not be linked", "[reconcile]") {
  TaskwarriorFixture f;
  f.vikunja_task("inbox", {{"title", "Call mum"}});
  f.vikunja_task("inbox", {{"title", "Water plants"}});
  f.vikunja_task("inbox", {{"title", "Water plants"}});
  REQUIRE(f.task({"rc.hooks=off", "add", "Call mum", "project:Family"}).exit_code == 0);
  REQUIRE(f.task({"rc.hooks=off", "add", "Water plants"}).exit_code == 0);
  REQUIRE(f.task({"rc.hooks=off", "add", "Pay rent"}).exit_code == 0);
  f.vikunja_task("inbox", {{"title", "Pay rent"}});
  auto worker = f.worker();
  const std::string plan = describe_plan(worker->reconcile({.dry_run = true}), true);
  CHECK_THAT(plan, Catch::Contains("namesakes not linked: \"Call mum\": Taskwarrior's project is \"Family\", "
                                   "Vikunja's none (the default project)\n") &&
                       Catch::Contains("namesakes not linked: \"Water plants\": more than one namesake on a side"));
  CHECK(plan.find("namesakes not linked: \"Pay rent\"") == std::string::npos);  // the first job links them
}

namespace {

// History from before the sync: one completed task on each side, its events long gone.
struct CompletedHistory {
  std::int64_t vikunja_id;
  explicit CompletedHistory(TaskwarriorFixture& f) {
    const json old_chore{{"uuid", "00000000-0000-4000-8000-00000000c0de"}, {"description", "Old chore"},
                         {"status", "completed"}, {"entry", "20261001T080000Z"}, {"end", "20261002T080000Z"},
                         {"modified", "20261002T080000Z"}};
    REQUIRE(f.task({"rc.hooks=off", "import", "-"}, old_chore.dump()).exit_code == 0);
    vikunja_id = f.vikunja_task("Home", {{"title", "Old errand"}, {"done", true}});
  }
};

int completed_on_both(TaskwarriorFixture& f, const std::string& title) {
  int found = 0;
  for (const json& task : f.exported_with_status("completed")) found += task["description"] == title;
  for (const json& task : f.vikunja.tasks()) found += task["title"] == title && task["done"] == true;
  return found;
}

}  // namespace

TEST_CASE("completed tasks never linked: carried over when completed after the sync began, both ways",
          "[reconcile]") {
  TaskwarriorFixture f;
  auto worker = f.worker();
  CompletedHistory history(f);
  const ReconcilePlan onboarding = reconcile_and_drain(f, *worker);
  CHECK(onboarding.completed_skipped == 2);
  CHECK_THAT(describe_plan(onboarding, false),
             Catch::Contains("left alone: 2 completed tasks never linked, completed before the sync began "
                             "(reconcile --include-completed carries them over)\n"));
  CHECK(f.vikunja.tasks().size() == 1);
  CHECK(f.exported().size() == 1);

  // Made and completed on each side after the sync began, every event lost.
  REQUIRE(f.task({"rc.hooks=off", "add", "Renew passport"}).exit_code == 0);
  REQUIRE(f.task({"rc.hooks=off", "description:Renew passport", "done"}).exit_code == 0);
  const auto errand = f.vikunja_task("Home", {{"title", "Return library books"}});
  f.vikunja.edit_task(errand, {{"done", true}});  // no webhook
  reconcile_and_drain(f, *worker);
  CHECK(completed_on_both(f, "Renew passport") == 2);
  CHECK(completed_on_both(f, "Return library books") == 2);
  // The history stays where it was, and a full pass leaves it alone too.
  f.clock.advance(full_pass_every);
  const ReconcilePlan full = reconcile_and_drain(f, *worker);
  CHECK(full.kind == ReconcileKind::full);
  CHECK(full.nothing_to_do());
  CHECK(full.completed_skipped == 2);
  CHECK(completed_on_both(f, "Old chore") == 1);
  CHECK(completed_on_both(f, "Old errand") == 1);
}

TEST_CASE("reconcile --include-completed onboards completed history too", "[reconcile]") {
  TaskwarriorFixture f;
  auto worker = f.worker();
  CompletedHistory history(f);
  const ReconcilePlan plan = worker->reconcile({.include_completed = true});
  CHECK(plan.kind == ReconcileKind::full);
  CHECK(plan.completed_skipped == 0);
  worker->drain();
  CHECK(completed_on_both(f, "Old chore") == 2);
  CHECK(completed_on_both(f, "Old errand") == 2);
  CHECK(f.exported_with_status("pending").empty());
}

TEST_CASE("the hourly reconcile reads only what changed, with Vikunja's own filter", "[reconcile]") {
  TaskwarriorFixture f;
  auto worker = f.worker();
  for (const char* title : {"One", "Two", "Three", "Four", "Five"}) REQUIRE(f.task({"add", title}).exit_code == 0);
  worker->drain();
  reconcile_and_drain(f, *worker);
  const std::int64_t changed = f.vikunja.tasks().at(1)["id"];
  f.vikunja.edit_task(changed, {{"title", "Two, renamed"}});  // no webhook
  f.vikunja.forget_requests();
  const ReconcilePlan plan = reconcile_and_drain(f, *worker);
  CHECK(plan.kind == ReconcileKind::changes);
  // The edited task, and the one changed last before the reconcile (a second's margin): the
  // stand-in applies `updated >` as Vikunja does.
  CHECK(plan.vikunja_tasks <= 2);
  REQUIRE(plan.jobs.size() == 1);
  CHECK(plan.jobs[0].reason == "changed in Vikunja");
  CHECK(f.vikunja.requests_matching("GET", "/tasks?page=1&per_page=50&filter=updated%20%3E%20%22") == 1);
  CHECK((*f.by_vikunja_id(changed))["description"] == "Two, renamed");
  CHECK_THAT(describe_plan(plan, false), Catch::StartsWith("reconcile (changes since the last): "));
}

TEST_CASE("the hourly reconcile does not read Taskwarrior when its files were not written since", "[reconcile]") {
  TaskwarriorFixture f;
  auto worker = f.worker();
  for (const char* title : {"One", "Two"}) REQUIRE(f.task({"add", title}).exit_code == 0);
  worker->drain();
  reconcile_and_drain(f, *worker);
  // An hour on: the files as the hour leaves them (a write in the last second is not trusted).
  const auto age_files = [&] {
    for (const char* file : {"pending.data", "completed.data"}) {
      const std::filesystem::path path = std::filesystem::path(f.env["TASKDATA"]) / file;
      std::filesystem::last_write_time(path, std::filesystem::last_write_time(path) - std::chrono::hours(1));
    }
  };
  age_files();
  CHECK(reconcile_and_drain(f, *worker).taskwarrior_tasks > 0);  // not known yet: read
  const long long processes = worker->task_processes();
  const ReconcilePlan quiet = reconcile_and_drain(f, *worker);
  CHECK(quiet.kind == ReconcileKind::changes);
  CHECK(quiet.taskwarrior_tasks == 0);
  CHECK(worker->task_processes() == processes);  // no `task export` at all

  REQUIRE(f.task({"rc.hooks=off", "add", "Three"}).exit_code == 0);  // written now: read again
  const ReconcilePlan changed = reconcile_and_drain(f, *worker);
  CHECK(changed.taskwarrior_tasks > 0);
  REQUIRE(changed.jobs.size() == 1);
  CHECK(changed.jobs[0].reason == "only in Taskwarrior");
}
