// The mass-delete guard: a Vikunja that lost the linked tasks (a reinstall, an old backup,
// another instance) deletes nothing on either side; the user confirms or relinks.

#include <catch2/catch.hpp>

#include "queue_dump.hpp"
#include "taskwarrior_fixture.hpp"
#include "worker/doctor.hpp"
#include "worker/queue_status.hpp"
#include "worker/sync/delete_guard.hpp"

using namespace vsync;
using namespace vsync::test;
using json = nlohmann::json;

namespace {

long long rows(TaskwarriorFixture& f, const char* table) {
  return f.store.database().execAndGet(fmt::format("SELECT count(*) FROM {}", table)).getInt64();
}

BreakerRow taskwarrior_breaker(TaskwarriorFixture& f) {
  for (const BreakerRow& row : read_status(f.store).breakers) {
    if (row.target == Target::taskwarrior) return row;
  }
  FAIL("no taskwarrior breaker row");
  return {};
}

// Seven tasks made in Taskwarrior (one of them completed) and two in Vikunja, all linked.
void nine_linked_tasks(TaskwarriorFixture& f, Worker& worker) {
  for (int n = 1; n <= 7; ++n) REQUIRE(f.task({"add", fmt::format("Task {}", n)}).exit_code == 0);
  for (int n = 8; n <= 9; ++n) f.notify("task.created", f.vikunja_task("inbox", {{"title", fmt::format("Task {}", n)}}));
  worker.drain();
  REQUIRE(f.task({"rc.confirmation=off", "1", "done"}).exit_code == 0);
  worker.drain();
  REQUIRE(rows(f, "task_map") == 9);
  REQUIRE(f.exported_with_status("pending").size() == 8);
}

// Nothing deleted anywhere: every task still pending (or completed) and linked.
void nothing_deleted(TaskwarriorFixture& f) {
  CHECK(f.exported_with_status("pending").size() == 8);
  CHECK(f.exported_with_status("completed").size() == 1);
  CHECK(f.exported_with_status("deleted").empty());
  CHECK(rows(f, "task_map") == 9);
  CHECK(rows(f, "tombstones") == 0);
}

}  // namespace

TEST_CASE("a Vikunja emptied under a running worker: nothing deleted until the user confirms or relinks",
          "[mass_delete]") {
  TaskwarriorFixture f;
  auto worker = f.worker();
  nine_linked_tasks(f, *worker);
  // The link travels with every task: the ones made in Taskwarrior carry vikunja_id too.
  for (const json& task : f.exported()) CHECK(task.contains("vikunja_id"));
  CHECK(count_jobs(f.dir / "queue.db", "state = 'pending'") == 0);  // writing it queued no echo

  f.vikunja.lose_everything();
  const ReconcilePlan plan = worker->reconcile({.full = true});
  REQUIRE(plan.held_back.size() == 1);
  CHECK_THAT(plan.held_back[0], Catch::StartsWith("held back 9 deletes of tasks gone from Vikunja: 9 of 9 linked tasks"));
  CHECK_THAT(describe_plan(plan, false), Catch::Contains("vikunja-worker reconcile --allow-deletes") &&
                                             Catch::Contains("vikunja-worker relink"));
  worker->drain();
  nothing_deleted(f);
  CHECK(taskwarrior_breaker(f).state == BreakerState::open);
  CHECK(taskwarrior_breaker(f).reason == mass_delete_reason);

  const QueueStatus status = read_status(f.store);
  CHECK_FALSE(status.healthy());
  CHECK_THAT(status_text(status, f.config(), "q.db", f.clock.now()),
             Catch::Contains("reason: mass delete") && Catch::Contains("held back 9 deletes"));
  const WorkerConfig config = f.config();
  const Environment env = Environment::from_map(f.env);
  const std::vector<Check> checks = run_checks(DoctorInput{env, config, f.store, worker.get(), f.clock, std::nullopt});
  const auto breaker_check = std::find_if(checks.begin(), checks.end(),
                                          [](const Check& check) { return check.name == "taskwarrior breaker"; });
  REQUIRE(breaker_check != checks.end());
  CHECK(breaker_check->result == Check::Result::attention);
  CHECK_THAT(breaker_check->detail, Catch::Contains("mass delete") && Catch::Contains("held back 9 deletes"));
  CHECK_THAT(breaker_check->fix, Catch::Contains("`vikunja-worker reconcile --allow-deletes`") &&
                                     Catch::Contains("`vikunja-worker relink`"));

  // The pause runs out, the held jobs run again, and the guard holds them again.
  f.clock.advance(mass_delete_pause + 1);
  worker->drain();
  nothing_deleted(f);
  CHECK(taskwarrior_breaker(f).reason == mass_delete_reason);
  // A reconcile while they wait is not refused, and holds them still.
  CHECK(worker->reconcile({.full = true}).held_back.size() == 1);
  worker->drain();
  nothing_deleted(f);

  SECTION("reconcile --allow-deletes lets them go ahead") {
    CHECK(worker->reconcile({.allow_deletes = true}).held_back.empty());
    worker->drain();
    CHECK(f.exported_with_status("pending").empty());
    CHECK(f.exported_with_status("deleted").size() == 9);
    CHECK(rows(f, "task_map") == 0);
    CHECK(rows(f, "tombstones") == 9);
    CHECK(taskwarrior_breaker(f).state == BreakerState::closed);
  }

  SECTION("relink forgets the lost links and sends the tasks to Vikunja again") {
    CHECK(worker->relink() == 9);
    CHECK(rows(f, "task_map") == 0);
    CHECK(taskwarrior_breaker(f).state == BreakerState::closed);
    for (const json& task : f.exported()) CHECK_FALSE(task.contains("vikunja_id"));
    worker->reconcile({.full = true});
    worker->drain();
    CHECK(f.exported_with_status("deleted").empty());
    CHECK(f.exported_with_status("completed").size() == 1);
    const std::vector<json> pending = f.exported_with_status("pending");
    CHECK(pending.size() == 8);
    // Not the completed one: it was completed before the sync began (the first reconcile).
    CHECK(f.vikunja.tasks().size() == 8);
    for (const json& task : pending) {
      REQUIRE(task.contains("vikunja_id"));
      const auto in_vikunja = f.vikunja.task(std::stoll(task["vikunja_id"].get<std::string>()));
      REQUIRE(in_vikunja);
      CHECK((*in_vikunja)["title"] == task["description"]);
    }
    CHECK(count_jobs(f.dir / "queue.db", "state IN ('pending', 'dead')") == 0);
  }
}

TEST_CASE("a push that finds its task gone, in a Vikunja that has none of the others, is held", "[mass_delete]") {
  TaskwarriorFixture f;
  auto worker = f.worker();
  nine_linked_tasks(f, *worker);
  f.vikunja.lose_everything();
  const std::string uuid = f.exported_with_status("pending").front()["uuid"];
  REQUIRE(f.task({uuid, "modify", "+urgent"}).exit_code == 0);
  worker->drain();
  nothing_deleted(f);
  CHECK(taskwarrior_breaker(f).reason == mass_delete_reason);
  CHECK_THAT(taskwarrior_breaker(f).last_error, Catch::Contains("Vikunja has none of the 3 other linked tasks"));
  CHECK(count_jobs(f.dir / "queue.db", "state = 'pending' AND kind = 'push'") == 1);  // held, not dropped
}

TEST_CASE("one delete among many linked tasks goes ahead, a burst of deletes from Vikunja is held", "[mass_delete]") {
  TaskwarriorFixture f;
  auto worker = f.worker();
  nine_linked_tasks(f, *worker);
  const std::vector<json> in_vikunja = f.vikunja.tasks();

  // One delete: Vikunja still has the other linked tasks.
  const std::int64_t first = in_vikunja.front()["id"];
  f.vikunja.remove_task(first);
  f.notify("task.deleted", first, in_vikunja.front());
  worker->drain();
  CHECK(rows(f, "tombstones") == 1);
  CHECK(taskwarrior_breaker(f).state == BreakerState::closed);

  // Six more at once (a project deleted, say): more than 5 and more than 20 % of the links.
  for (std::size_t n = 1; n <= 6; ++n) {
    const std::int64_t id = in_vikunja[n]["id"];
    f.vikunja.remove_task(id);
    f.notify("task.deleted", id, in_vikunja[n]);
  }
  worker->drain();
  CHECK(rows(f, "tombstones") == 1);
  CHECK(rows(f, "task_map") == 8);
  CHECK(taskwarrior_breaker(f).reason == mass_delete_reason);
  CHECK_THAT(taskwarrior_breaker(f).last_error, Catch::StartsWith("held back 7 deletes of tasks gone from Vikunja"));

  worker->reconcile({.allow_deletes = true});
  worker->drain();
  CHECK(rows(f, "tombstones") == 7);
  CHECK(rows(f, "task_map") == 2);
  CHECK(f.exported_with_status("deleted").size() == 7);
  CHECK(taskwarrior_breaker(f).state == BreakerState::closed);
}

TEST_CASE("mass deletes in Taskwarrior are held too, and the threshold is configurable", "[mass_delete]") {
  TaskwarriorFixture f;
  f.env["VIKUNJA_SYNC_MASS_DELETE_COUNT"] = "2";  // three deletes of nine: held here, not by the defaults
  f.env["VIKUNJA_SYNC_MASS_DELETE_PERCENT"] = "10";
  auto worker = f.worker();
  nine_linked_tasks(f, *worker);
  REQUIRE(f.task({"rc.confirmation=off", "rc.bulk=0", "2-4", "delete"}).exit_code == 0);
  worker->drain();
  CHECK(f.vikunja.tasks().size() == 9);
  CHECK(rows(f, "tombstones") == 0);
  CHECK(read_status(f.store).breakers.front().reason == mass_delete_reason);  // vikunja's
  CHECK_THAT(read_status(f.store).breakers.front().last_error,
             Catch::StartsWith("held back 3 deletes of tasks gone from Taskwarrior"));
  worker->reconcile({.allow_deletes = true});
  worker->drain();
  CHECK(f.vikunja.tasks().size() == 6);
  CHECK(rows(f, "tombstones") == 3);
}

TEST_CASE("a confirmation covers the deletes queued before it, not later ones under reused job ids", "[mass_delete]") {
  TaskwarriorFixture f;
  auto worker = f.worker();
  nine_linked_tasks(f, *worker);
  CHECK(worker->reconcile({.allow_deletes = true}).held_back.empty());  // a confirmation with nothing to delete
  f.clock.advance(1000);
  // A week on, every done job purged: SQLite gives their ids out again.
  f.store.database().exec("DELETE FROM jobs");
  f.vikunja.lose_everything();
  CHECK(worker->reconcile({.full = true}).held_back.size() == 1);
  CHECK(f.store.database().execAndGet("SELECT min(id) FROM jobs").getInt64() == 1);
  f.clock.advance(mass_delete_pause + 1);
  worker->drain();
  nothing_deleted(f);
}

TEST_CASE("a replaced Vikunja that gives out the linked ids again: its tasks are not the linked ones", "[mass_delete]") {
  TaskwarriorFixture f;
  auto worker = f.worker();
  nine_linked_tasks(f, *worker);
  const std::map<std::string, std::string> titles_before = [&] {
    std::map<std::string, std::string> titles;
    for (const json& task : f.exported()) titles[task["uuid"]] = task["description"];
    return titles;
  }();
  // A reinstall: ids start again, and the user's new tasks take the old ids.
  f.vikunja.lose_everything(true);
  f.clock.advance(60'000);
  f.vikunja.set_server_time(1'900'000'000);  // later than every `updated` the links saw
  f.vikunja_task("inbox", {{"title", "Dentist appointment"}});
  f.vikunja_task("inbox", {{"title", "Pay rent"}});
  worker->reconcile({.full = true});
  worker->drain();
  f.clock.advance(mass_delete_pause + 1);
  worker->drain();
  // Nothing renamed, nothing deleted: the new tasks under old ids are not the linked ones.
  for (const json& task : f.exported()) CHECK(titles_before.at(task["uuid"]) == task["description"]);
  nothing_deleted(f);
  CHECK(rows(f, "conflicts") == 0);
  // relink forgets all nine links (two of those ids now hold other tasks) and links anew.
  CHECK(worker->relink() == 9);
  worker->reconcile({.full = true});
  worker->drain();
  CHECK(f.exported_with_status("pending").size() == 10);  // our eight and the two new ones, once each
  CHECK(f.vikunja.tasks().size() == 10);
  CHECK(f.exported_with_status("deleted").empty());
}

TEST_CASE("VIKUNJA_SYNC_MASS_DELETE_COUNT=0 turns the guard off", "[mass_delete]") {
  TaskwarriorFixture f;
  f.env["VIKUNJA_SYNC_MASS_DELETE_COUNT"] = "0";
  auto worker = f.worker();
  nine_linked_tasks(f, *worker);
  f.vikunja.lose_everything();
  CHECK(worker->reconcile({.full = true}).held_back.empty());
  worker->drain();
  CHECK(f.exported_with_status("deleted").size() == 9);
  CHECK(taskwarrior_breaker(f).state == BreakerState::closed);
  f.env["VIKUNJA_SYNC_MASS_DELETE_COUNT"] = "-1";
  CHECK_THROWS_WITH(f.config(), "VIKUNJA_SYNC_MASS_DELETE_COUNT is '-1'; expected a whole number of at least 0");
  f.env["VIKUNJA_SYNC_MASS_DELETE_COUNT"] = "5";
  f.env["VIKUNJA_SYNC_MASS_DELETE_PERCENT"] = "101";
  CHECK_THROWS_WITH(f.config(), "VIKUNJA_SYNC_MASS_DELETE_PERCENT is '101'; expected a percentage from 1 to 100");
}
