// Webhook jobs against the Vikunja stand-in and the real `task` in a temporary TASKDATA with
// our hook installed. A webhook is a hint: what Vikunja holds when the job runs is applied.

#include <catch2/catch.hpp>

#include "queue_dump.hpp"
#include "taskwarrior_fixture.hpp"
#include "worker/sync/task_map.hpp"

using namespace vsync;
using namespace vsync::test;
using json = nlohmann::json;

TEST_CASE("a task created, changed, completed, re-opened and deleted in Vikunja follows in Taskwarrior",
          "[taskwarrior]") {
  TaskwarriorFixture f;
  auto worker = f.worker();
  const auto id = f.vikunja_task("Home", {{"title", "Pay rent"}, {"due_date", "2025-12-01T09:00:00Z"}, {"priority", 3}});
  f.notify("task.created", id);
  CHECK(worker->drain().done == 1);
  auto task = f.by_vikunja_id(id);
  REQUIRE(task);
  CHECK((*task)["description"] == "Pay rent");
  CHECK((*task)["status"] == "pending");
  CHECK((*task)["project"] == "Home");
  CHECK((*task)["priority"] == "M");
  CHECK((*task)["due"] == "20251201T090000Z");
  CHECK_FALSE(task->contains("tags"));

  f.vikunja.edit_task(id, {{"priority", 1}, {"due_date", "0001-01-01T00:00:00Z"}, {"repeat_after", 604800}});
  f.attach(id, "bills");
  f.attach(id, "with space");
  f.notify("task.updated", id);
  CHECK(worker->drain().done == 1);
  task = f.by_vikunja_id(id);
  CHECK((*task)["priority"] == "L");
  CHECK_FALSE(task->contains("due"));
  CHECK((*task)["tags"] == json({"bills", "with space"}));
  CHECK_FALSE(task->contains("recur"));  // recurrence stays on each side
  CHECK((*f.vikunja.task(id))["repeat_after"] == 604800);

  // No longer repeating: marked done, it is done (a repeating one would stay open, moved on).
  f.vikunja.edit_task(id, {{"done", true}, {"done_at", "2026-11-26T10:02:00Z"}, {"repeat_after", 0}});
  f.notify("task.updated", id);
  worker->drain();
  task = f.by_vikunja_id(id);
  CHECK((*task)["status"] == "completed");
  CHECK((*task)["end"] == "20261126T100200Z");

  f.vikunja.edit_task(id, {{"done", false}});
  f.notify("task.updated", id);
  worker->drain();
  task = f.by_vikunja_id(id);
  CHECK((*task)["status"] == "pending");
  CHECK_FALSE(task->contains("end"));

  const json last = *f.vikunja.task(id);
  f.vikunja.remove_task(id);
  f.notify("task.deleted", id, last);
  CHECK(worker->drain().done == 1);
  CHECK((*f.by_vikunja_id(id))["status"] == "deleted");
  TaskMap map(f.store.database(), f.clock);
  CHECK_FALSE(map.by_vikunja_id(id));
  CHECK(map.buried_vikunja_id(id));
  CHECK(count_jobs(f.dir / "queue.db", "kind != 'webhook'") == 0);  // no echo: the hook queued nothing
}

TEST_CASE("a webhook is a hint: a stale or reordered payload applies what Vikunja holds now", "[taskwarrior]") {
  TaskwarriorFixture f;
  auto worker = f.worker();
  const auto id = f.vikunja_task("inbox", {{"title", "Pay rent (old)"}});
  const json old_snapshot = *f.vikunja.task(id);
  f.vikunja.edit_task(id, {{"title", "Pay rent (new)"}});
  f.notify("task.updated", id);
  f.clock.advance(1);
  worker->drain();
  f.notify("task.updated", id, old_snapshot);  // a late retry of an older delivery
  worker->drain();
  CHECK((*f.by_vikunja_id(id))["description"] == "Pay rent (new)");
  CHECK(f.exported().size() == 1);
}

TEST_CASE("a duplicate delivery or our own change echoing back runs no task process", "[taskwarrior]") {
  TaskwarriorFixture f;
  auto worker = f.worker();
  const auto id = f.vikunja_task("inbox", {{"title", "Water plants"}});
  f.notify("task.created", id);
  worker->drain();
  const long long processes = worker->task_processes();
  f.vikunja.forget_requests();
  f.notify("task.created", id);
  f.notify("task.updated", id);  // coalesced with the duplicate
  CHECK(worker->drain().done == 1);
  CHECK(worker->task_processes() == processes);
  CHECK(f.vikunja.requests() == 2);  // the GETs that read the task and its comments back
}

TEST_CASE("a late or repeated event after a delete never brings the task back", "[taskwarrior]") {
  TaskwarriorFixture f;
  auto worker = f.worker();
  const auto id = f.vikunja_task("inbox", {{"title", "Old task"}});
  f.notify("task.updated", id);
  worker->drain();
  const json updated = *f.vikunja.task(id);
  f.vikunja.remove_task(id);
  f.notify("task.deleted", id, updated);
  worker->drain();
  f.notify("task.updated", id, updated);  // the same task.updated, delivered again late
  f.notify("task.created", id, updated);
  worker->drain();
  CHECK(f.exported_with_status("pending").empty());
  CHECK(f.exported_with_status("deleted").size() == 1);
  CHECK(f.logged("reason=\"the task was deleted; its link is a tombstone\""));
}

TEST_CASE("a delete in Vikunja of a task never linked deletes nothing in Taskwarrior", "[taskwarrior]") {
  TaskwarriorFixture f;
  REQUIRE(f.task({"rc.hooks=off", "add", "Pay rent", "project:Home"}).exit_code == 0);
  REQUIRE(f.task({"rc.hooks=off", "add", "Pay rent", "project:Work"}).exit_code == 0);
  REQUIRE(f.task({"rc.hooks=off", "add", "Pay rent"}).exit_code == 0);
  const auto id = f.vikunja_task("Home", {{"title", "Pay rent"}});
  const json last = *f.vikunja.task(id);
  f.vikunja.remove_task(id);
  f.notify("task.deleted", id, last);
  CHECK(f.worker()->drain().done == 1);
  CHECK(f.exported_with_status("pending").size() == 3);
  CHECK(f.logged("reason=\"gone from Vikunja and never linked; nothing to delete in Taskwarrior\""));
}

TEST_CASE("a task.deleted for a task Vikunja still has deletes nothing", "[taskwarrior]") {
  TaskwarriorFixture f;
  auto worker = f.worker();
  const auto id = f.vikunja_task("inbox", {{"title", "Still here"}});
  f.notify("task.created", id);
  worker->drain();
  f.notify("task.deleted", id);  // stale or forged: Vikunja answers the GET with the task
  worker->drain();
  CHECK((*f.by_vikunja_id(id))["status"] == "pending");
}

TEST_CASE("hostile titles and tags land as text, never as filters, commands or overrides", "[taskwarrior]") {
  TaskwarriorFixture f;
  REQUIRE(f.task({"add", "Bystander"}).exit_code == 0);
  auto worker = f.worker();
  const std::vector<std::string> titles = {
      "rc.data.location=/tmp", "1-100 delete", "\"quoted\" and 'single'", "-leading dash",
      "--", "$(touch /tmp/vsync-pwned) `id`", "ünïcødé ☃ title", "description:x due:tomorrow +tag"};
  std::vector<std::int64_t> ids;
  for (const auto& title : titles) {
    ids.push_back(f.vikunja_task("inbox", {{"title", title}}, {"with space", "-dash", "rc.hooks=off"}));
    f.notify("task.created", ids.back());
  }
  CHECK(worker->drain().done == static_cast<int>(titles.size()) + 1);  // + the bystander's push
  for (std::size_t n = 0; n < titles.size(); ++n) {
    const auto task = f.by_vikunja_id(ids[n]);
    REQUIRE(task);
    CHECK((*task)["description"] == titles[n]);
    CHECK((*task)["tags"] == json({"-dash", "rc.hooks=off", "with space"}));
  }
  CHECK(f.exported().size() == titles.size() + 1);
  CHECK(f.exported_with_status("pending").size() == titles.size() + 1);
  CHECK_FALSE(std::filesystem::exists("/tmp/vsync-pwned"));
}

TEST_CASE("a task made before the sync is linked by title and project when it is the only one on each side",
          "[taskwarrior]") {
  TaskwarriorFixture f;
  REQUIRE(f.task({"rc.hooks=off", "add", "Pay rent", "project:Home", "priority:L"}).exit_code == 0);

  SECTION("one on each side: linked, not duplicated; the newer side's priority wins") {
    f.env["VIKUNJA_SYNC_CONFLICT"] = "vikunja";
    const auto id = f.vikunja_task("Home", {{"title", "Pay rent"}, {"priority", 3}});
    f.notify("task.created", id);
    f.worker()->drain();
    CHECK(f.exported().size() == 1);
    CHECK((*f.by_vikunja_id(id))["priority"] == "M");
  }
  SECTION("two namesakes in Taskwarrior: neither is taken, the Vikunja task is created anew") {
    REQUIRE(f.task({"rc.hooks=off", "add", "Pay rent", "project:Home"}).exit_code == 0);
    const auto id = f.vikunja_task("Home", {{"title", "Pay rent"}});
    f.notify("task.created", id);
    f.worker()->drain();
    CHECK(f.exported().size() == 3);
    CHECK(f.by_vikunja_id(id));
  }
  SECTION("a namesake in another project is not the same task") {
    const auto id = f.vikunja_task("Work", {{"title", "Pay rent"}});
    f.notify("task.created", id);
    f.worker()->drain();
    CHECK(f.exported().size() == 2);
  }
}

TEST_CASE("while Vikunja is down a webhook job waits on Vikunja's breaker and applies nothing", "[taskwarrior]") {
  TaskwarriorFixture f;
  auto worker = f.worker();
  const auto id = f.vikunja_task("inbox", {{"title", "Pay rent"}});
  f.notify("task.created", id);
  f.vikunja.refuse_connections();
  CHECK(worker->drain().retried == 1);
  CHECK(f.breaker_column("vikunja", "consecutive_failures") == "1");
  CHECK(f.breaker_column("taskwarrior", "consecutive_failures") == "0");
  CHECK(f.exported().empty());
  f.vikunja.answer_normally();
  f.clock.advance(3'600'000);
  CHECK(worker->drain().done == 1);
  CHECK(f.by_vikunja_id(id));
}

TEST_CASE("a failing or hanging task is retried on the taskwarrior breaker, a bad task is dead", "[taskwarrior]") {
  TaskwarriorFixture f;
  const auto id = f.vikunja_task("inbox", {{"title", "Pay rent"}});
  SECTION("task exits non-zero") {
    f.env["VIKUNJA_SYNC_TASK_BIN"] = "/bin/false";
    f.notify("task.created", id);
    CHECK(f.worker()->drain().retried == 1);
    CHECK_THAT(f.job_column(1, "last_error"), Catch::StartsWith("task export: task exited 1"));
    CHECK(f.breaker_column("taskwarrior", "consecutive_failures") == "1");
    CHECK(f.breaker_column("vikunja", "consecutive_failures") == "0");
  }
  SECTION("task hangs and is killed") {
    const auto slow = f.dir.write("slow-task", "#!/bin/sh\nexec sleep 30\n");
    std::filesystem::permissions(slow, std::filesystem::perms::owner_all);
    f.env["VIKUNJA_SYNC_TASK_BIN"] = slow.string();
    f.env["VIKUNJA_SYNC_HTTP_TIMEOUT"] = "0.3";
    f.notify("task.created", id);
    CHECK(f.worker()->drain().retried == 1);
    CHECK_THAT(f.job_column(1, "last_error"), Catch::Contains("did not finish within 0.3 s and was killed"));
  }
  SECTION("an invalid date in Vikunja's task") {
    f.vikunja.edit_task(id, {{"due_date", "next tuesday"}});
    f.notify("task.created", id);
    CHECK(f.worker()->drain().dead == 1);
    CHECK(f.job_column(1, "last_error") == "the Vikunja task has a due_date that is not a date: \"next tuesday\"");
  }
}

TEST_CASE("a round trip Taskwarrior -> Vikunja -> webhook -> Taskwarrior leaves both sides unchanged",
          "[taskwarrior][roundtrip]") {
  TaskwarriorFixture f;
  REQUIRE(f.task({"add", "Renew passport", "project:admin", "priority:H", "due:2026-12-24T10:00:00Z",
                  "scheduled:2026-12-01T08:00:00Z", "+paperwork", "+travel"}).exit_code == 0);
  REQUIRE(count_jobs(f.dir / "queue.db", "kind = 'push'") == 1);  // queued by the real hook
  auto worker = f.worker();
  CHECK(worker->drain().done == 1);
  const auto before = f.exported();
  REQUIRE(before.size() == 1);
  const std::int64_t id = f.vikunja.tasks().at(0)["id"];
  const json vikunja_before = *f.vikunja.task(id);
  f.vikunja.forget_requests();

  f.notify("task.updated", id);  // Vikunja echoes our own change back
  const long long processes = worker->task_processes();
  CHECK(worker->drain().done == 1);
  CHECK(worker->task_processes() == processes);  // an echo runs no task process at all

  auto after = f.exported();
  REQUIRE(after.size() == 1);
  CHECK(after[0] == before[0]);
  CHECK(*f.vikunja.task(id) == vikunja_before);
  CHECK(f.vikunja.requests_matching("POST", "/api/v1/tasks") == 0);
  CHECK(count_jobs(f.dir / "queue.db", "kind = 'push'") == 1);  // and no new push job
}

TEST_CASE("a wrong VIKUNJA_URL pauses Vikunja with reason configuration and never reads as a delete",
          "[taskwarrior]") {
  TaskwarriorFixture f;
  auto worker = f.worker();
  const auto id = f.vikunja_task("inbox", {{"title", "Keep me"}});
  f.notify("task.created", id);
  worker->drain();
  REQUIRE(f.by_vikunja_id(id));
  f.env["VIKUNJA_URL"] = f.vikunja.url() + "/vikunja";  // a reverse proxy's prefix that is not there
  auto misconfigured = f.worker("worker-b");
  f.notify("task.updated", id);
  REQUIRE(f.task({"add", "Pushed too"}).exit_code == 0);
  misconfigured->drain();
  CHECK((*f.by_vikunja_id(id))["status"] == "pending");  // a router's 404 is no delete
  CHECK(f.breaker_column("vikunja", "reason") == "configuration");
  CHECK(f.breaker_column("vikunja", "state") == "open");
  CHECK_THAT(f.breaker_column("vikunja", "last_error"), Catch::Contains("check VIKUNJA_URL"));
  CHECK(count_jobs(f.dir / "queue.db", "state = 'dead'") == 0);
  CHECK(count_jobs(f.dir / "queue.db", "state = 'pending'") == 2);
}
