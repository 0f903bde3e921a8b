// Webhook jobs applied to the real `task` in a temporary TASKDATA with our hook installed.

#include <catch2/catch.hpp>

#include "queue_dump.hpp"
#include <sstream>

#include "shared/webhook_event.hpp"
#include "worker/remote/subprocess.hpp"
#include "worker/sync/task_map.hpp"
#include "worker_fixture.hpp"

using namespace vsync;
using namespace vsync::test;
using json = nlohmann::json;

namespace {

json fixture(const std::string& event) {
  return json::parse(read_file(std::string(FIXTURES_DIR "/vikunja-webhook-task.") + event + ".json"));
}

// A Taskwarrior of its own with the hook symlinked in, queueing into the fixture's queue.
struct TaskwarriorFixture : WorkerFixture {
  TaskwarriorFixture() {
    std::filesystem::create_directories(dir / "task" / "hooks");
    dir.write("taskrc", "data.location=" + (dir / "task").string() + "\nconfirmation=off\n");
    for (const char* hook : {"on-add-vikunja", "on-modify-vikunja"}) {
      std::filesystem::create_symlink(VIKUNJA_ENQUEUE, dir / "task" / "hooks" / hook);
    }
    env["TASKRC"] = (dir / "taskrc").string();
    env["TASKDATA"] = (dir / "task").string();
    env["VIKUNJA_SYNC_DB"] = (dir / "queue.db").string();  // what the hook uses
    env["VIKUNJA_DEFAULT_PROJECT"] = "inbox";
  }

  ProcessResult task(std::vector<std::string> args) {
    args.insert(args.begin(), "task");
    std::vector<std::string> environment{"PATH=/usr/bin:/bin", "HOME=" + dir.path().string()};
    for (const char* name : {"TASKRC", "TASKDATA", "VIKUNJA_SYNC_DB"}) environment.push_back(std::string(name) + "=" + env[name]);
    return run_process(ProcessRequest{args, "", environment, std::chrono::seconds(30)});
  }

  std::vector<json> exported() {
    std::vector<json> tasks;
    const auto result = task({"rc.json.array=off", "export"});
    std::istringstream lines(result.out);
    for (std::string line; std::getline(lines, line);) {
      if (!line.empty()) tasks.push_back(json::parse(line));
    }
    return tasks;
  }

  std::optional<json> by_vikunja_id(const std::string& id) {
    for (auto& task : exported()) {
      if (task.value("vikunja_id", "") == id && task["status"] != "recurring") return task;
    }
    return std::nullopt;
  }

  void deliver(const json& body) {
    const std::string text = body.dump();
    WebhookEvent parsed = parse_webhook_event(text, "body");
    store.enqueue({JobKind::webhook, vikunja_key(parsed.task_id), text, parsed.task_updated});
  }
};

json with_task(json body, const std::function<void(json&)>& change, const std::string& updated) {
  change(body["data"]["task"]);
  body["data"]["task"]["updated"] = updated;
  return body;
}

bool task_available() {
  return run_process(ProcessRequest{{"task", "--version"}, "", std::nullopt, std::chrono::seconds(10)}).exit_code == 0;
}

}  // namespace

#define REQUIRE_TASK() \
  if (!task_available()) { WARN("the `task` binary is not installed; skipped"); return; }

TEST_CASE("each fixture event lands in Taskwarrior with the mapped fields", "[taskwarrior]") {
  REQUIRE_TASK();
  TaskwarriorFixture f;
  auto worker = f.worker();
  f.deliver(fixture("created"));
  CHECK(worker->drain().done == 1);
  auto task = f.by_vikunja_id("131");
  REQUIRE(task);
  CHECK((*task)["description"] == "Pay rent");
  CHECK((*task)["status"] == "pending");
  CHECK((*task)["project"] == "Home");
  CHECK((*task)["priority"] == "M");
  CHECK((*task)["due"] == "20251201T090000Z");
  CHECK_FALSE(task->contains("tags"));

  f.deliver(fixture("updated"));
  CHECK(worker->drain().done == 1);
  task = f.by_vikunja_id("131");
  REQUIRE(task);
  CHECK((*task)["priority"] == "H");
  CHECK((*task)["tags"] == json({"bills", "monthly"}));
  CHECK_FALSE(task->contains("recur"));  // recurrence flows Taskwarrior -> Vikunja only
  TaskMap map(f.store.database(), f.clock);
  REQUIRE(map.by_vikunja_id(131));
  CHECK(map.by_vikunja_id(131)->tw_uuid == (*task)["uuid"]);

  f.deliver(fixture("deleted"));
  CHECK(worker->drain().done == 1);
  CHECK(f.by_vikunja_id("131").value_or(json{{"status", "gone"}})["status"] == "deleted");
  CHECK_FALSE(map.by_vikunja_id(131));
  CHECK(count_jobs(f.dir / "queue.db", "kind != 'webhook'") == 0);  // no echo: the hook queued nothing
}

TEST_CASE("created, updated, done, re-opened, deleted: Taskwarrior follows each step", "[taskwarrior]") {
  REQUIRE_TASK();
  TaskwarriorFixture f;
  auto worker = f.worker();
  const json created = fixture("updated");  // a full task with labels bills and monthly
  f.deliver(with_task(created, [](json&) {}, "2026-11-26T10:00:00Z"));
  worker->drain();

  f.deliver(with_task(created, [](json& t) {
    t["labels"] = json::array({t["labels"][0], {{"id", 9}, {"title", "urgent"}}});  // monthly out, urgent in
    t["due_date"] = "0001-01-01T00:00:00Z";
    t["priority"] = 1;
  }, "2026-11-26T10:01:00Z"));
  worker->drain();
  auto task = *f.by_vikunja_id("131");
  CHECK(task["tags"] == json({"bills", "urgent"}));
  CHECK_FALSE(task.contains("due"));
  CHECK(task["priority"] == "L");

  f.deliver(with_task(created, [](json& t) { t["done"] = true; t["done_at"] = "2026-11-26T10:02:00Z"; }, "2026-11-26T10:02:00Z"));
  worker->drain();
  task = *f.by_vikunja_id("131");
  CHECK(task["status"] == "completed");
  CHECK(task["end"] == "20261126T100200Z");

  f.deliver(with_task(created, [](json& t) { t["done"] = false; }, "2026-11-26T10:03:00Z"));
  worker->drain();
  task = *f.by_vikunja_id("131");
  CHECK(task["status"] == "pending");
  CHECK_FALSE(task.contains("end"));

  f.deliver(with_task(fixture("deleted"), [](json&) {}, "2026-11-26T10:04:00Z"));
  worker->drain();
  CHECK((*f.by_vikunja_id("131"))["status"] == "deleted");
  CHECK(count_jobs(f.dir / "queue.db", "kind != 'webhook'") == 0);
  CHECK(count_jobs(f.dir / "queue.db", "state = 'done'") == 5);
}

TEST_CASE("duplicate and out-of-order deliveries change nothing twice and never go back in time",
          "[taskwarrior]") {
  REQUIRE_TASK();
  TaskwarriorFixture f;
  auto worker = f.worker();
  const json newer = with_task(fixture("updated"), [](json& t) { t["title"] = "Pay rent (new)"; }, "2026-11-26T11:00:00Z");
  const json older = with_task(fixture("updated"), [](json& t) { t["title"] = "Pay rent (old)"; }, "2026-11-26T10:00:00Z");
  f.deliver(newer);
  worker->drain();
  const long long processes = worker->task_processes();

  f.deliver(newer);  // Vikunja retried the delivery
  worker->drain();
  CHECK(worker->task_processes() == processes);  // recognised without running task

  f.deliver(older);  // a late retry of an older event
  worker->drain();
  CHECK((*f.by_vikunja_id("131"))["description"] == "Pay rent (new)");
  CHECK(f.logged("reason=\"older than the last version applied\""));
}

TEST_CASE("hostile titles and tags land as text, never as filters, commands or overrides",
          "[taskwarrior]") {
  REQUIRE_TASK();
  TaskwarriorFixture f;
  REQUIRE(f.task({"add", "Bystander"}).exit_code == 0);
  auto worker = f.worker();
  const std::vector<std::string> titles = {
      "rc.data.location=/tmp", "1-100 delete", "\"quoted\" and 'single'", "-leading dash",
      "--", "$(touch /tmp/vsync-pwned) `id`", "ünïcødé ☃ title", "description:x due:tomorrow +tag"};
  int id = 500;
  for (const auto& title : titles) {
    f.deliver(with_task(fixture("created"), [&](json& t) {
      t["id"] = ++id;
      t["title"] = title;
      t["labels"] = json::array({{{"id", 1}, {"title", "with space"}}, {{"id", 2}, {"title", "-dash"}}, {{"id", 3}, {"title", "rc.hooks=off"}}});
    }, "2026-11-26T10:00:00Z"));
  }
  CHECK(worker->drain().done == static_cast<int>(titles.size()) + 1);  // + the bystander's push
  id = 500;
  for (const auto& title : titles) {
    const auto task = f.by_vikunja_id(std::to_string(++id));
    REQUIRE(task);
    CHECK((*task)["description"] == title);
    CHECK((*task)["tags"] == json({"-dash", "rc.hooks=off", "with space"}));
  }
  CHECK(f.exported().size() == titles.size() + 1);
  CHECK((*f.exported().begin())["description"] == "Bystander");
  CHECK((*f.exported().begin())["status"] == "pending");
  CHECK_FALSE(std::filesystem::exists("/tmp/vsync-pwned"));
}

TEST_CASE("a task made before the sync is found by title and project, not duplicated", "[taskwarrior]") {
  REQUIRE_TASK();
  TaskwarriorFixture f;
  REQUIRE(f.task({"rc.hooks=off", "add", "Pay rent", "project:Home", "priority:L"}).exit_code == 0);
  f.deliver(fixture("created"));
  f.worker()->drain();
  CHECK(f.exported().size() == 1);
  CHECK((*f.by_vikunja_id("131"))["priority"] == "M");
}

TEST_CASE("a failing or hanging task is retried on the taskwarrior breaker, a bad payload is dead",
          "[taskwarrior]") {
  REQUIRE_TASK();
  TaskwarriorFixture f;
  SECTION("task exits non-zero") {
    f.env["VIKUNJA_SYNC_TASK_BIN"] = "/bin/false";
    f.deliver(fixture("created"));
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
    f.deliver(fixture("created"));
    CHECK(f.worker()->drain().retried == 1);
    CHECK_THAT(f.job_column(1, "last_error"), Catch::Contains("did not finish within 0.3 s and was killed"));
  }
  SECTION("an invalid date") {
    f.deliver(with_task(fixture("created"), [](json& t) { t["due_date"] = "next tuesday"; }, "2026-11-26T10:00:00Z"));
    CHECK(f.worker()->drain().dead == 1);
    CHECK(f.job_column(1, "last_error") == "the Vikunja task has a due_date that is not a date: \"next tuesday\"");
  }
}

TEST_CASE("a round trip Taskwarrior -> Vikunja -> webhook -> Taskwarrior leaves both sides unchanged",
          "[taskwarrior][roundtrip]") {
  REQUIRE_TASK();
  TaskwarriorFixture f;
  REQUIRE(f.task({"add", "Renew passport", "project:admin", "priority:H", "due:2026-12-24T10:00:00Z",
                  "scheduled:2026-12-01T08:00:00Z", "+paperwork", "+travel"}).exit_code == 0);
  REQUIRE(count_jobs(f.dir / "queue.db", "kind = 'push'") == 1);  // queued by the real hook
  auto worker = f.worker();
  CHECK(worker->drain().done == 1);
  const auto before = f.exported();
  REQUIRE(before.size() == 1);
  const auto vikunja_task = f.vikunja.tasks().at(0);
  f.vikunja.forget_requests();

  // Vikunja echoes our own change back as a webhook.
  const auto project = f.vikunja.projects().at(0);
  f.deliver(json{{"event_name", "task.updated"}, {"time", "2026-11-26T10:15:02.918273645Z"},
                 {"data", {{"doer", {{"id", 1}}}, {"project", project}, {"task", vikunja_task}}}});
  const long long processes = worker->task_processes();
  CHECK(worker->drain().done == 1);
  CHECK(worker->task_processes() == processes);  // an echo runs no task process at all

  auto after = f.exported();
  REQUIRE(after.size() == 1);
  CHECK(after[0] == before[0]);
  CHECK(f.vikunja.requests() == 0);  // no Vikunja update either
  CHECK(count_jobs(f.dir / "queue.db", "kind = 'push'") == 1);  // and no new push job
}
