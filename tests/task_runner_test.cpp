// TaskRunner against the real `task` in a temporary TASKDATA, and against programs that answer
// the way a broken or missing `task` would.

#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "temp_dir.hpp"
#include "worker/queue/job_outcome.hpp"
#include "worker/remote/task_runner.hpp"

using namespace vsync;
using namespace vsync::test;
using json = nlohmann::json;

namespace {

struct TaskRunnerFixture {
  TempDir dir;
  TaskRunner runner{"task", 30'000, taskwarrior_environment()};

  std::vector<std::string> taskwarrior_environment() {
    dir.write("taskrc", "data.location=" + (dir / "data").string() + "\n");
    return {"TASKRC=" + (dir / "taskrc").string(), "TASKDATA=" + (dir / "data").string()};
  }

  // A stand-in `task` that prints `output` and exits with `status`.
  TaskRunner fake_task(const std::string& output, int status = 0) {
    const auto script = dir.write("fake-task", "#!/bin/sh\nprintf '%s' '" + output + "'\nexit " +
                                                   std::to_string(status) + "\n");
    ::chmod(script.c_str(), 0700);
    return TaskRunner(script.string(), 30'000);
  }
};

JobOutcome stopped_by(const std::function<void()>& call) {
  try {
    call();
  } catch (const JobStopped& stopped) {
    return stopped.outcome;
  }
  FAIL("no JobStopped");
  return {};
}

}  // namespace

TEST_CASE("export reads task's JSON array, import writes a task", "[task_runner]") {
  TaskRunnerFixture f;
  CHECK(f.runner.export_tasks({}).empty());
  const std::string uuid = "00000000-0000-4000-8000-000000000001";
  f.runner.import_task({{"uuid", uuid}, {"description", "a line\nand \"quotes\", [brackets]"},
                        {"status", "pending"}, {"entry", "20261126T231229Z"}});
  const auto tasks = f.runner.export_tasks({uuid});
  REQUIRE(tasks.size() == 1);
  CHECK(tasks[0]["description"] == "a line\nand \"quotes\", [brackets]");
  f.runner.delete_task(uuid);
  CHECK(f.runner.export_tasks({uuid})[0]["status"] == "deleted");
  CHECK(f.runner.processes_started() == 5);
}

TEST_CASE("output that is not an array of tasks is a retry on the taskwarrior breaker", "[task_runner]") {
  TaskRunnerFixture f;
  for (const std::string output : {"not json", "{\"uuid\":\"x\"}", "[1,2]", "[{\"a\":1}"}) {
    CAPTURE(output);
    auto runner = f.fake_task(output);
    const JobOutcome outcome = stopped_by([&] { runner.export_tasks({}); });
    CHECK(outcome.kind == JobOutcome::Kind::retry);
    CHECK(outcome.trips_breaker);
    CHECK_THAT(outcome.error, Catch::StartsWith("task export printed something that is not an array of tasks ("));
  }
  CHECK(f.fake_task("").export_tasks({}).empty());
  CHECK(f.fake_task("[]\n").export_tasks({}).empty());
}

TEST_CASE("a failing or missing task is a retry with its message", "[task_runner]") {
  TaskRunnerFixture f;
  auto failing = f.fake_task("Cannot lock the database", 2);
  CHECK(stopped_by([&] { failing.export_tasks({}); }).error == "task export: task exited 2: Cannot lock the database");
  TaskRunner missing((f.dir / "no-such-task").string(), 30'000);
  const JobOutcome outcome = stopped_by([&] { missing.import_task(json::object()); });
  CHECK(outcome.kind == JobOutcome::Kind::retry);
  CHECK(outcome.error == "task import: cannot run " + (f.dir / "no-such-task").string());
}

TEST_CASE("an empty TASKDATA or TASKRC means unset for task too (Taskwarrior 2.6 crashes on an empty TASKDATA)",
          "[task_runner]") {
  TempDir dir;
  dir.write("taskrc", "data.location=" + (dir / "data").string() + "\n");
  // As a systemd EnvironmentFile line "TASKDATA=" hands it to the worker.
  TaskRunner runner("task", 30'000, {"TASKRC=" + (dir / "taskrc").string(), "TASKDATA="});
  const std::string uuid = "00000000-0000-4000-8000-000000000002";
  runner.import_task({{"uuid", uuid}, {"description", "kept"}, {"status", "pending"}, {"entry", "20261126T231229Z"}});
  const auto tasks = runner.export_tasks({uuid});
  REQUIRE(tasks.size() == 1);
  CHECK(tasks[0]["description"] == "kept");
  CHECK(std::filesystem::exists(dir / "data" / "pending.data"));
}
