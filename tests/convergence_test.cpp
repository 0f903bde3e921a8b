// Convergence (design.md): edits on both sides of a linked task, in either queue order, end
// with both sides holding the same mapped fields and nobody's edit lost; conflicts are decided
// by the configured rule and recorded; applying every job again changes nothing.

#include <catch2/catch.hpp>

#include "linked_task.hpp"
#include "queue_dump.hpp"
#include "taskwarrior_fixture.hpp"
#include "worker/queue_status.hpp"
#include "worker/sync/task_map.hpp"

using namespace vsync;
using namespace vsync::test;
using json = nlohmann::json;

namespace {

std::set<std::string> label_titles(const json& task) {
  std::set<std::string> titles;
  if (task["labels"].is_array()) {
    for (const auto& label : task["labels"]) titles.insert(label["title"].get<std::string>());
  }
  return titles;
}

std::set<std::string> tags(const json& task) {
  return task.contains("tags") ? task["tags"].get<std::set<std::string>>() : std::set<std::string>{};
}

}  // namespace

TEST_CASE("edits to different fields on the two sides both survive, in either queue order", "[convergence]") {
  TaskwarriorFixture f;
  LinkedTask linked(f);
  const bool webhook_first = GENERATE(true, false);
  CAPTURE(webhook_first);

  // The worker is stopped (a timer between runs): both edits are queued.
  const auto edit_in_vikunja = [&] {
    f.vikunja.edit_task(linked.id, {{"priority", 5}});
    f.notify("task.updated", linked.id);
  };
  const auto edit_in_taskwarrior = [&] {
    REQUIRE(f.task({linked.uuid, "modify", "Pay the rent"}).exit_code == 0);
  };
  if (webhook_first) {
    edit_in_vikunja();
    edit_in_taskwarrior();
  } else {
    edit_in_taskwarrior();
    edit_in_vikunja();
  }
  auto worker = f.worker();
  worker->drain();
  f.notify("task.updated", linked.id);  // the webhook Vikunja sends for our own write
  f.clock.advance(1);
  worker->drain();

  const json taskwarrior = linked.taskwarrior();
  const json vikunja = linked.vikunja();
  CHECK(taskwarrior["description"] == "Pay the rent");
  CHECK(taskwarrior["priority"] == "H");
  CHECK(vikunja["title"] == "Pay the rent");
  CHECK(vikunja["priority"] == 5);
  CHECK(tags(taskwarrior) == label_titles(vikunja));
  CHECK(count_jobs(f.dir / "queue.db", "state NOT IN ('done')") == 0);
  CHECK(f.store.database().execAndGet("SELECT count(*) FROM conflicts").getInt() == 0);
}

TEST_CASE("tags added and removed on both sides merge as sets", "[convergence]") {
  TaskwarriorFixture f;
  LinkedTask linked(f);
  REQUIRE(f.task({linked.uuid, "modify", "+urgent"}).exit_code == 0);
  f.attach(linked.id, "flat");
  f.vikunja.edit_task(linked.id, {});
  f.notify("task.updated", linked.id);
  auto worker = f.worker();
  worker->drain();
  f.notify("task.updated", linked.id);
  worker->drain();
  const std::set<std::string> expected{"bills", "flat", "urgent"};
  CHECK(tags(linked.taskwarrior()) == expected);
  CHECK(label_titles(linked.vikunja()) == expected);

  REQUIRE(f.task({linked.uuid, "modify", "-bills"}).exit_code == 0);
  worker->drain();
  CHECK(label_titles(linked.vikunja()) == std::set<std::string>{"flat", "urgent"});
}

TEST_CASE("the same field changed on both sides is decided by VIKUNJA_SYNC_CONFLICT and recorded", "[convergence]") {
  TaskwarriorFixture f;
  struct Case {
    const char* rule;
    bool vikunja_newer;
    const char* winner;
  };
  const Case c = GENERATE(Case{"newest", false, "taskwarrior"}, Case{"newest", true, "vikunja"},
                          Case{"taskwarrior", true, "taskwarrior"}, Case{"vikunja", false, "vikunja"});
  CAPTURE(c.rule, c.vikunja_newer);
  f.env["VIKUNJA_SYNC_CONFLICT"] = c.rule;
  LinkedTask linked(f);
  REQUIRE(f.task({linked.uuid, "modify", "Title from Taskwarrior"}).exit_code == 0);
  // Taskwarrior's `modified` is the real time of that modify; Vikunja's clock goes either side.
  const long long now_seconds = std::chrono::duration_cast<std::chrono::seconds>(
                                    std::chrono::system_clock::now().time_since_epoch()).count();
  f.vikunja.set_server_time(c.vikunja_newer ? now_seconds + 3600 : now_seconds - 3600);
  f.vikunja.edit_task(linked.id, {{"title", "Title from Vikunja"}});
  f.notify("task.updated", linked.id);
  auto worker = f.worker();
  worker->drain();
  f.notify("task.updated", linked.id);
  worker->drain();

  const std::string expected = std::string(c.winner) == "vikunja" ? "Title from Vikunja" : "Title from Taskwarrior";
  CHECK(linked.taskwarrior()["description"] == expected);
  CHECK(linked.vikunja()["title"] == expected);
  SQLite::Statement row(f.store.database(),
                        "SELECT field, base_value, taskwarrior_value, vikunja_value, winner, rule FROM conflict_log");
  REQUIRE(row.executeStep());
  CHECK(row.getColumn(0).getString() == "title");
  CHECK(row.getColumn(1).getString() == "Pay rent");
  CHECK(row.getColumn(2).getString() == "Title from Taskwarrior");
  CHECK(row.getColumn(3).getString() == "Title from Vikunja");
  CHECK(row.getColumn(4).getString() == c.winner);
  CHECK(row.getColumn(5).getString() == c.rule);
  CHECK_FALSE(row.executeStep());  // recorded once, not again by the echo
  CHECK(f.logged("event=conflict tw_uuid=" + linked.uuid));
}

TEST_CASE("a delete on one side wins over an edit on the other, and the edit is kept in conflicts", "[convergence]") {
  TaskwarriorFixture f;
  LinkedTask linked(f);
  auto worker = f.worker();

  SECTION("deleted in Vikunja, edited in Taskwarrior") {
    REQUIRE(f.task({linked.uuid, "modify", "priority:H"}).exit_code == 0);
    const json last = linked.vikunja();
    f.vikunja.remove_task(linked.id);
    f.notify("task.deleted", linked.id, last);
    worker->drain();
    CHECK(f.exported_with_status("deleted").size() == 1);
    CHECK(f.vikunja.tasks().empty());
    const std::string kept = f.store.database().execAndGet("SELECT taskwarrior_value FROM conflicts WHERE field = 'deleted'").getString();
    CHECK(json::parse(kept)["priority"] == "H");
  }
  SECTION("deleted in Taskwarrior, edited in Vikunja") {
    f.vikunja.edit_task(linked.id, {{"title", "Edited in Vikunja"}});
    f.notify("task.updated", linked.id);
    REQUIRE(f.task({linked.uuid, "delete"}).exit_code == 0);
    worker->drain();
    CHECK(f.vikunja.tasks().empty());
    CHECK(f.exported_with_status("deleted").size() == 1);
    const std::string kept = f.store.database().execAndGet("SELECT vikunja_value FROM conflicts WHERE field = 'deleted'").getString();
    CHECK(json::parse(kept)["title"] == "Edited in Vikunja");
  }
  TaskMap map(f.store.database(), f.clock);
  CHECK(map.buried_uuid(linked.uuid));
  CHECK(map.buried_vikunja_id(linked.id));
}

TEST_CASE("every job applied twice changes nothing the second time", "[convergence]") {
  TaskwarriorFixture f;
  LinkedTask linked(f);
  REQUIRE(f.task({linked.uuid, "modify", "due:2026-12-24T10:00:00Z", "+travel"}).exit_code == 0);
  f.vikunja.edit_task(linked.id, {{"priority", 3}});
  f.notify("task.updated", linked.id);
  auto worker = f.worker();
  worker->drain();
  const json taskwarrior = linked.taskwarrior();
  const json vikunja = linked.vikunja();
  const std::string agreed = f.store.database().execAndGet("SELECT agreed FROM task_map").getString();

  // Both jobs again, as a retried delivery and a repeated hook would queue them.
  f.vikunja.forget_requests();
  const long long processes = worker->task_processes();
  f.notify("task.updated", linked.id);
  f.enqueue(JobKind::push, taskwarrior);
  CHECK(worker->drain().done == 2);
  CHECK(linked.taskwarrior() == taskwarrior);
  CHECK(linked.vikunja() == vikunja);
  CHECK(f.store.database().execAndGet("SELECT agreed FROM task_map").getString() == agreed);
  CHECK(f.vikunja.requests() == 2);  // the webhook's GETs (task, comments); the push matched the agreed state
  CHECK(worker->task_processes() == processes);
}

TEST_CASE("conflicts show in status and metrics", "[convergence]") {
  TaskwarriorFixture f;
  f.env["VIKUNJA_SYNC_CONFLICT"] = "taskwarrior";
  LinkedTask linked(f);
  REQUIRE(f.task({linked.uuid, "modify", "priority:H"}).exit_code == 0);
  f.vikunja.edit_task(linked.id, {{"priority", 3}});
  f.notify("task.updated", linked.id);
  f.worker()->drain();
  const QueueStatus status = read_status(f.store);
  CHECK(status.conflicts_total == 1);
  REQUIRE(status.conflicts.size() == 1);
  CHECK(status.conflicts[0].field == "priority");
  CHECK(status.conflicts[0].winner == "taskwarrior");
  CHECK_THAT(status_text(status, f.config(), "/q.db", f.clock.now()), Catch::Contains("conflicts (1"));
}

TEST_CASE("a task in a project Vikunja does not list, or in one of two same-named projects, stays there",
          "[convergence]") {
  TaskwarriorFixture f;
  LinkedTask linked(f);  // project Home
  auto worker = f.worker();

  SECTION("an archived project") {
    const auto archive = f.vikunja.add_project("Old stuff");
    f.vikunja.edit_task(linked.id, {{"project_id", archive}, {"title", "Pay rent (archived)"}});
    f.vikunja.archive_project(archive);
    f.notify("task.updated", linked.id);
    worker->drain();
    CHECK(linked.taskwarrior()["description"] == "Pay rent (archived)");
    CHECK(linked.taskwarrior()["project"] == "Home");  // not moved to the default project
    REQUIRE(f.task({linked.uuid, "modify", "priority:H"}).exit_code == 0);
    worker->drain();
    CHECK(linked.vikunja()["priority"] == 5);
    CHECK(linked.vikunja()["project_id"] == archive);  // not moved either
  }
  SECTION("two projects named Home") {
    const auto second_home = f.vikunja.add_project("Home");
    f.vikunja.edit_task(linked.id, {{"project_id", second_home}});
    REQUIRE(f.task({linked.uuid, "modify", "priority:H"}).exit_code == 0);
    worker->drain();
    CHECK(linked.vikunja()["priority"] == 5);
    CHECK(linked.vikunja()["project_id"] == second_home);
  }
}


TEST_CASE("a create whose answer was lost is linked by whatever comes next, never made twice or left behind",
          "[convergence]") {
  TaskwarriorFixture f;
  f.vikunja.lose_next_create_answer(std::chrono::milliseconds(5000));
  REQUIRE(f.task({"add", "Pay rent", "project:Home", "+bills"}).exit_code == 0);
  auto worker = f.worker();
  REQUIRE(worker->drain().retried == 1);
  REQUIRE(f.vikunja.tasks().size() == 1);  // the server made it; the worker never heard
  REQUIRE(label_titles(f.vikunja.tasks().at(0)).empty());  // nor sent its labels
  const std::int64_t made = f.vikunja.tasks().at(0)["id"];
  const std::string uuid = f.exported().at(0)["uuid"];
  TaskMap map(f.store.database(), f.clock);

  SECTION("the retry: the task made is linked and gets its labels; the tag stays in Taskwarrior") {
    f.clock.advance(3'600'000);
    worker->drain();
    REQUIRE(f.vikunja.tasks().size() == 1);
    CHECK(label_titles(f.vikunja.tasks().at(0)) == std::set<std::string>{"bills"});
    CHECK(f.exported().at(0)["tags"] == json::array({"bills"}));
    CHECK(map.by_uuid(uuid)->vikunja_id == made);
  }
  SECTION("completed before the retry: the task made is linked and completed") {
    REQUIRE(f.task({uuid, "done"}).exit_code == 0);
    f.clock.advance(3'600'000);
    worker->drain();
    REQUIRE(f.vikunja.tasks().size() == 1);
    CHECK(f.vikunja.tasks().at(0)["done"] == true);
    REQUIRE(map.by_uuid(uuid));
    CHECK(map.by_uuid(uuid)->vikunja_id == made);
  }
  SECTION("deleted before the retry: the task made is deleted too") {
    REQUIRE(f.task({uuid, "delete"}).exit_code == 0);
    f.clock.advance(3'600'000);
    worker->drain();
    CHECK(f.vikunja.tasks().empty());
    CHECK(map.buried_uuid(uuid));
  }
  SECTION("renamed before the retry: the task made is linked and renamed") {
    REQUIRE(f.task({uuid, "modify", "Pay the rent"}).exit_code == 0);
    f.clock.advance(3'600'000);
    worker->drain();
    REQUIRE(f.vikunja.tasks().size() == 1);
    CHECK(f.vikunja.tasks().at(0)["title"] == "Pay the rent");
  }
  SECTION("its webhook before the retry: linked to the Taskwarrior task, not created there again") {
    f.notify("task.created", made);
    CHECK(worker->drain().done == 1);  // the webhook; the push's retry is not due yet
    CHECK(f.exported().size() == 1);
    REQUIRE(map.by_uuid(uuid));
    CHECK(map.by_uuid(uuid)->vikunja_id == made);
    f.clock.advance(3'600'000);
    CHECK(worker->drain().done == 1);
    CHECK(f.vikunja.tasks().size() == 1);
  }
  SECTION("a reconcile finds it: linked") {
    worker->reconcile();  // queues the Vikunja task as "only in Vikunja"
    f.clock.advance(3'600'000);
    worker->drain();
    CHECK(f.vikunja.tasks().size() == 1);
    CHECK(f.exported().size() == 1);
    CHECK(map.by_uuid(uuid)->vikunja_id == made);
  }
}

TEST_CASE("an unlinked task's job waits, spending no attempt, while another job decides about its title",
          "[convergence]") {
  TaskwarriorFixture f;
  const auto id = f.vikunja_task("Home", {{"title", "Pay rent"}});
  f.notify("task.created", id);
  // Another worker's push, running now, holds the title (it might be creating this task).
  const std::int64_t other = f.store.database()
                                 .execAndGet("INSERT INTO jobs (kind, target, key, payload, state, created_at, "
                                             "updated_at, due_at, lease_until, lease_owner) VALUES ('push', "
                                             "'vikunja', 'tw:other', '{}', 'running', 0, 0, 0, " +
                                             std::to_string(f.clock.now() + 30'000) + ", 'worker-b') RETURNING id")
                                 .getInt64();
  LinkLocks(f.store.database(), f.clock, "worker-b").lock(other, {"Pay rent"});
  // A task of another title is decided beside it.
  const auto beside = f.vikunja_task("Home", {{"title", "Call Bob"}});
  f.notify("task.created", beside);
  auto worker = f.worker();
  const DrainStats first = worker->drain();
  CHECK(first.waited == 1);
  CHECK(first.done == 1);
  CHECK(first.retried == 0);
  CHECK(f.exported().size() == 1);
  CHECK(f.store.database().execAndGet("SELECT attempts || ' ' || waits_for FROM jobs WHERE state = 'pending'")
            .getString() == "0 Pay rent");
  f.clock.advance(10'000);
  CHECK(worker->drain().total() == 0);  // not claimed while the lock is held, however long
  CHECK(worker->next_wake() == f.clock.now() + 20'000);  // the holder's lease, should it die

  f.store.database().exec("UPDATE jobs SET state = 'done', lease_until = NULL WHERE id = " + std::to_string(other));
  CHECK(worker->next_wake() == f.clock.now());  // the lock ended: due now, no fixed wait
  CHECK(worker->drain().done == 1);
  CHECK(f.exported().size() == 2);
  CHECK(f.store.database().execAndGet("SELECT value FROM counters WHERE name = 'link_lock_waits_total'").getInt() == 1);
}

TEST_CASE("a lost create is never taken for a namesake that was there before it", "[convergence]") {
  TaskwarriorFixture f;
  const auto before = f.vikunja_task("Home", {{"title", "Call Bob"}});
  // Two Taskwarrior namesakes: no title match is certain, so the push creates.
  REQUIRE(f.task({"rc.hooks=off", "add", "Call Bob", "project:Home"}).exit_code == 0);
  f.vikunja.lose_next_create_answer(std::chrono::milliseconds(5000));
  REQUIRE(f.task({"add", "Call Bob", "project:Home", "priority:H"}).exit_code == 0);
  auto worker = f.worker();
  REQUIRE(worker->drain().retried == 1);
  REQUIRE(f.vikunja.tasks().size() == 2);
  std::string uuid;
  for (const auto& task : f.exported()) {
    if (task.contains("priority")) uuid = task["uuid"];
  }
  REQUIRE(f.task({uuid, "delete"}).exit_code == 0);
  f.clock.advance(3'600'000);
  worker->drain();
  REQUIRE(f.vikunja.tasks().size() == 1);
  CHECK(f.vikunja.tasks().at(0)["id"] == before);  // the user's own task is untouched
}
