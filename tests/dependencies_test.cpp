// Dependencies cross both ways with the real `task` and the stand-in: Taskwarrior's `depends`
// and Vikunja's "blocked" relations, between linked tasks only, merged as sets.

#include <catch2/catch.hpp>

#include "taskwarrior_fixture.hpp"
#include "worker/sync/dependencies.hpp"

using namespace vsync;
using namespace vsync::test;
using json = nlohmann::json;

namespace {

json exported_task(TaskwarriorFixture& f, const std::string& uuid) {
  for (json& task : f.exported()) {
    if (task["uuid"] == uuid) return task;
  }
  FAIL("no task " << uuid);
  return {};
}

// The event Vikunja sends for a relation: about the task it was made on, naming the other.
void notify_relation(TaskwarriorFixture& f, const std::string& event, std::int64_t task_id, const std::string& kind,
                     std::int64_t other_id) {
  const json body{{"event_name", event},
                  {"time", "2026-11-26T10:15:02Z"},
                  {"data",
                   {{"doer", {{"id", 1}}},
                    {"relation", {{"task_id", task_id}, {"other_task_id", other_id}, {"relation_kind", kind}}},
                    {"task", *f.vikunja.task(task_id)}}}};
  f.store.enqueue({JobKind::webhook, vikunja_key(task_id), body.dump(), std::nullopt});
}

// Two linked tasks made in Taskwarrior: "Buy paint" and "Paint the fence".
struct TwoLinked {
  TaskwarriorFixture& f;
  std::string paint_uuid, fence_uuid;
  std::int64_t paint_id = 0, fence_id = 0;

  explicit TwoLinked(TaskwarriorFixture& fixture) : f(fixture) {
    REQUIRE(f.task({"add", "Buy paint"}).exit_code == 0);
    REQUIRE(f.task({"add", "Paint the fence"}).exit_code == 0);
    REQUIRE(f.worker()->drain().done == 2);
    for (const json& task : f.exported()) {
      (task["description"] == "Buy paint" ? paint_uuid : fence_uuid) = task["uuid"];
    }
    paint_id = std::stoll(exported_task(f, paint_uuid)["vikunja_id"].get<std::string>());
    fence_id = std::stoll(exported_task(f, fence_uuid)["vikunja_id"].get<std::string>());
  }

  std::set<std::string> fence_depends() { return taskwarrior_depends_uuids(exported_task(f, fence_uuid)); }
  std::set<std::int64_t> fence_blocked_by() { return vikunja_blocked_ids(*f.vikunja.task(fence_id)); }
  std::set<std::int64_t> paint_blocking() {
    std::set<std::int64_t> ids;
    for (const json& other : f.vikunja.task(paint_id)->value("related_tasks", json::object()).value("blocking", json::array())) {
      ids.insert(other["id"].get<std::int64_t>());
    }
    return ids;
  }
};

}  // namespace

TEST_CASE("a dependency added in Taskwarrior becomes a blocked relation in Vikunja, and its removal follows",
          "[dependencies]") {
  TaskwarriorFixture f;
  TwoLinked tasks(f);
  auto worker = f.worker();
  REQUIRE(f.task({tasks.fence_uuid, "modify", "depends:" + tasks.paint_uuid}).exit_code == 0);
  CHECK(worker->drain().done == 1);
  CHECK(tasks.fence_blocked_by() == std::set<std::int64_t>{tasks.paint_id});
  CHECK(tasks.paint_blocking() == std::set<std::int64_t>{tasks.fence_id});  // Vikunja's inverse

  f.vikunja.forget_requests();
  REQUIRE(f.task({tasks.fence_uuid, "modify", "depends:"}).exit_code == 0);
  CHECK(worker->drain().done == 1);
  CHECK(tasks.fence_blocked_by().empty());
  CHECK(tasks.paint_blocking().empty());
  CHECK(f.vikunja.requests() <= 3);  // the task, and one DELETE of the relation
}

TEST_CASE("a blocked relation made in Vikunja becomes a dependency in Taskwarrior, and its removal follows",
          "[dependencies]") {
  TaskwarriorFixture f;
  TwoLinked tasks(f);
  auto worker = f.worker();
  f.vikunja.relate(tasks.fence_id, "blocked", tasks.paint_id);
  notify_relation(f, "task.relation.created", tasks.fence_id, "blocked", tasks.paint_id);
  worker->drain();
  CHECK(tasks.fence_depends() == std::set<std::string>{tasks.paint_uuid});

  // Made and removed on the other task's page ("paint is blocking fence"): Vikunja's event names
  // the paint task only; the worker follows the relation to the fence.
  f.vikunja.unrelate(tasks.paint_id, "blocking", tasks.fence_id);
  notify_relation(f, "task.relation.deleted", tasks.paint_id, "blocking", tasks.fence_id);
  CHECK(worker->drain().done == 2);
  CHECK(tasks.fence_depends().empty());
  f.vikunja.relate(tasks.paint_id, "blocking", tasks.fence_id);
  notify_relation(f, "task.relation.created", tasks.paint_id, "blocking", tasks.fence_id);
  CHECK(worker->drain().done == 2);
  CHECK(tasks.fence_depends() == std::set<std::string>{tasks.paint_uuid});
}

TEST_CASE("a dependency on a task that is not linked stays in Taskwarrior, and crosses once it is linked",
          "[dependencies]") {
  TaskwarriorFixture f;
  TwoLinked tasks(f);
  auto worker = f.worker();
  // A task the sync has not seen yet (made with hooks off, as `task sync` would bring it).
  REQUIRE(f.task({"rc.hooks=off", "add", "Buy brushes"}).exit_code == 0);
  std::string brushes_uuid;
  for (const json& task : f.exported()) {
    if (task["description"] == "Buy brushes") brushes_uuid = task["uuid"];
  }
  REQUIRE(f.task({tasks.fence_uuid, "modify", "depends:" + tasks.paint_uuid + "," + brushes_uuid}).exit_code == 0);
  worker->drain();
  CHECK(tasks.fence_blocked_by() == std::set<std::int64_t>{tasks.paint_id});

  // Vikunja drops the paint relation: the brushes dependency, not Vikunja's to know, stays.
  f.vikunja.unrelate(tasks.fence_id, "blocked", tasks.paint_id);
  notify_relation(f, "task.relation.deleted", tasks.fence_id, "blocked", tasks.paint_id);
  worker->drain();
  CHECK(tasks.fence_depends() == std::set<std::string>{brushes_uuid});

  // The brushes task gets linked; the next full reconcile carries the dependency on it.
  CHECK_FALSE(worker->reconcile({.full = true}).jobs.empty());
  worker->drain();
  worker->reconcile({.full = true});
  worker->drain();
  const auto brushes = exported_task(f, brushes_uuid);
  REQUIRE(brushes.contains("vikunja_id"));
  CHECK(tasks.fence_blocked_by() == std::set<std::int64_t>{std::stoll(brushes["vikunja_id"].get<std::string>())});
  CHECK(tasks.fence_depends() == std::set<std::string>{brushes_uuid});
}

TEST_CASE("dependencies added on both sides both survive, and applying every job again changes nothing",
          "[dependencies]") {
  TaskwarriorFixture f;
  TwoLinked tasks(f);
  REQUIRE(f.task({"add", "Sand the fence"}).exit_code == 0);
  auto worker = f.worker();
  worker->drain();
  std::string sand_uuid;
  for (const json& task : f.exported()) {
    if (task["description"] == "Sand the fence") sand_uuid = task["uuid"];
  }
  const std::int64_t sand_id = std::stoll(exported_task(f, sand_uuid)["vikunja_id"].get<std::string>());
  REQUIRE(f.task({tasks.fence_uuid, "modify", "depends:" + tasks.paint_uuid}).exit_code == 0);
  f.vikunja.relate(tasks.fence_id, "blocked", sand_id);
  notify_relation(f, "task.relation.created", tasks.fence_id, "blocked", sand_id);
  worker->drain();
  worker->drain();
  CHECK(tasks.fence_depends() == std::set<std::string>{tasks.paint_uuid, sand_uuid});
  CHECK(tasks.fence_blocked_by() == std::set<std::int64_t>{tasks.paint_id, sand_id});

  f.vikunja.forget_requests();
  f.notify("task.relation.created", tasks.fence_id);
  CHECK(worker->reconcile({.full = true}).jobs.empty());
  worker->drain();
  CHECK(f.vikunja.requests_matching("PUT", "/tasks") == 0);
  CHECK(f.vikunja.requests_matching("DELETE", "/tasks") == 0);
  CHECK(f.store.database().execAndGet("SELECT count(*) FROM conflicts").getInt() == 0);
}

TEST_CASE("Taskwarrior's depends is read as an array or a comma list, Vikunja's from related_tasks",
          "[dependencies]") {
  CHECK(taskwarrior_depends_uuids(json{{"depends", {"a", "b"}}}) == std::set<std::string>{"a", "b"});
  CHECK(taskwarrior_depends_uuids(json{{"depends", "a,b,"}}) == std::set<std::string>{"a", "b"});
  CHECK(taskwarrior_depends_uuids(json{{"depends", 3}}).empty());
  CHECK(taskwarrior_depends_uuids(json::object()).empty());
  const json vikunja{{"related_tasks", {{"blocked", {{{"id", 4}}, {{"id", "x"}}, 7}}, {"blocking", {{{"id", 5}}}}}}};
  CHECK(vikunja_blocked_ids(vikunja) == std::set<std::int64_t>{4});
  CHECK(vikunja_blocked_ids(json{{"related_tasks", nullptr}}).empty());
}

TEST_CASE("a relation Vikunja refuses is logged, the rest of the task still syncs, and nothing is lost",
          "[dependencies]") {
  TaskwarriorFixture f;
  TwoLinked tasks(f);
  auto worker = f.worker();
  // Vikunja lost the paint task (no event yet): the relation to it is refused.
  f.vikunja.remove_task(tasks.paint_id);
  REQUIRE(f.task({tasks.fence_uuid, "modify", "Paint the fence white", "depends:" + tasks.paint_uuid}).exit_code == 0);
  CHECK(worker->drain().done == 1);
  CHECK((*f.vikunja.task(tasks.fence_id))["title"] == "Paint the fence white");
  CHECK(tasks.fence_blocked_by().empty());
  CHECK(tasks.fence_depends() == std::set<std::string>{tasks.paint_uuid});  // kept in Taskwarrior
  CHECK(f.logged("event=\"dependency not carried\" tw_uuid=" + tasks.fence_uuid));
}

TEST_CASE("a dependency on the task itself stays in Taskwarrior and stops nothing", "[dependencies]") {
  TaskwarriorFixture f;
  TwoLinked tasks(f);
  json fence = exported_task(f, tasks.fence_uuid);
  fence["depends"] = json{tasks.fence_uuid, tasks.paint_uuid};  // `task import` takes it; the CLI would not
  fence["description"] = "Paint the fence white";
  fence.erase("id");
  fence.erase("urgency");
  REQUIRE(f.task({"import"}, fence.dump()).exit_code == 0);
  auto worker = f.worker();
  const DrainStats stats = worker->drain();
  CHECK(stats.dead == 0);
  CHECK((*f.vikunja.task(tasks.fence_id))["title"] == "Paint the fence white");
  CHECK(tasks.fence_blocked_by() == std::set<std::int64_t>{tasks.paint_id});
  CHECK(tasks.fence_depends() == std::set<std::string>{tasks.fence_uuid, tasks.paint_uuid});
  CHECK(worker->reconcile({.full = true}).jobs.empty());
}

TEST_CASE("a token without tasks_relations leaves dependencies where they are and pauses nothing", "[dependencies]") {
  TaskwarriorFixture f;
  TwoLinked tasks(f);
  f.vikunja.refuse_relation_routes();
  auto worker = f.worker();
  REQUIRE(f.task({tasks.fence_uuid, "modify", "Paint the fence white", "depends:" + tasks.paint_uuid}).exit_code == 0);
  const DrainStats stats = worker->drain();
  CHECK(stats.done == 1);
  CHECK((*f.vikunja.task(tasks.fence_id))["title"] == "Paint the fence white");
  CHECK(tasks.fence_depends() == std::set<std::string>{tasks.paint_uuid});
  CHECK(f.logged("event=\"dependency not carried\" tw_uuid=" + tasks.fence_uuid));
  CHECK_FALSE(f.logged("event=\"breaker transition\""));
  REQUIRE(f.task({"add", "Sand the fence"}).exit_code == 0);
  CHECK(worker->drain().done == 1);  // Vikunja is not paused
}

TEST_CASE("a dependency read before its task was linked crosses once that task is linked", "[dependencies]") {
  TaskwarriorFixture f;
  auto worker = f.worker();
  const auto paint = f.vikunja_task("Home", {{"title", "Buy paint"}});
  const auto fence = f.vikunja_task("Home", {{"title", "Paint the fence"}});
  f.vikunja.relate(fence, "blocked", paint);
  // The fence's event is handled first: the paint task is not linked yet.
  f.notify("task.created", fence);
  CHECK(worker->drain().done == 1);
  const auto fence_task = f.by_vikunja_id(fence);
  REQUIRE(fence_task);
  CHECK(taskwarrior_depends_uuids(*fence_task).empty());
  // Linking the paint task queues a job for the task waiting for it.
  f.notify("task.created", paint);
  CHECK(worker->drain().done == 2);
  const auto paint_task = f.by_vikunja_id(paint);
  REQUIRE(paint_task);
  CHECK(taskwarrior_depends_uuids(*f.by_vikunja_id(fence)) ==
        std::set<std::string>{(*paint_task)["uuid"].get<std::string>()});

  // A task made from Vikunja carries its dependencies on linked tasks from the start.
  const auto sand = f.vikunja_task("Home", {{"title", "Sand the fence"}});
  f.vikunja.relate(sand, "blocked", paint);
  f.notify("task.created", sand);
  worker->drain();
  CHECK(taskwarrior_depends_uuids(*f.by_vikunja_id(sand)) ==
        std::set<std::string>{(*paint_task)["uuid"].get<std::string>()});
}
