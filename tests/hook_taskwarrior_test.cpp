// The hook installed in a temporary TASKDATA, driven by the real `task` binary.

#include <unistd.h>

#include <catch2/catch.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "queue_dump.hpp"
#include "temp_dir.hpp"
#include "worker/remote/subprocess.hpp"

using namespace vsync;
using namespace vsync::test;

namespace {

bool task_available() {
  return run_process(ProcessRequest{{"task", "--version"}, "", std::nullopt, std::chrono::seconds(10)})
             .exit_code == 0;
}

// A Taskwarrior with its own data and rc, our hook symlinked in as on-add and on-modify.
struct Taskwarrior {
  TempDir dir;
  std::filesystem::path db = dir / "queue.db";
  std::vector<std::string> extra_env;

  Taskwarrior() {
    std::filesystem::create_directories(dir / "data" / "hooks");
    dir.write("taskrc", "data.location=" + (dir / "data").string() + "\nconfirmation=off\n");
    for (const char* hook : {"on-add-vikunja", "on-modify-vikunja"}) {
      std::filesystem::create_symlink(VIKUNJA_ENQUEUE, dir / "data" / "hooks" / hook);
    }
  }

  ProcessResult task(std::vector<std::string> args, std::string input = "") const {
    args.insert(args.begin(), "task");
    std::vector<std::string> env{"PATH=/usr/bin:/bin", "HOME=" + dir.path().string(),
                                 "TASKRC=" + (dir / "taskrc").string(),
                                 "TASKDATA=" + (dir / "data").string(),
                                 "VIKUNJA_SYNC_DB=" + db.string()};
    env.insert(env.end(), extra_env.begin(), extra_env.end());
    return run_process(ProcessRequest{args, std::move(input), env, std::chrono::seconds(30)});
  }

  std::string uuid_of(const std::string& id) const {
    auto uuid = task({"_get", id + ".uuid"}).out;
    if (!uuid.empty() && uuid.back() == '\n') uuid.pop_back();
    return uuid;
  }

  // kind and payload of the one pending job for the task's key
  std::pair<std::string, std::string> pending_job(const std::string& uuid) const {
    SQLite::Database queue(db, SQLite::OPEN_READONLY);
    SQLite::Statement query(queue, "SELECT kind, payload FROM jobs WHERE key = ? AND state = 'pending'");
    query.bind(1, "tw:" + uuid);
    REQUIRE(query.executeStep());
    return {query.getColumn(0).getString(), query.getColumn(1).getString()};
  }
};

}  // namespace

TEST_CASE("task add, modify, done and delete queue the right jobs through the hook",
          "[hook][taskwarrior]") {
  if (!task_available()) FAIL("the `task` binary is not installed (Debian package taskwarrior): this test needs it");
  Taskwarrior tw;
  REQUIRE(tw.task({"add", "Buy milk", "project:home", "+errand"}).exit_code == 0);
  const std::string milk = tw.uuid_of("1");
  REQUIRE(milk.size() == 36);
  auto [kind, payload] = tw.pending_job(milk);
  CHECK(kind == "push");
  CHECK_THAT(payload, Catch::Contains("\"description\":\"Buy milk\"") && Catch::Contains("\"errand\""));

  REQUIRE(tw.task({"1", "modify", "priority:H"}).exit_code == 0);
  std::tie(kind, payload) = tw.pending_job(milk);
  CHECK(kind == "push");
  CHECK_THAT(payload, Catch::Contains("\"priority\":\"H\""));
  CHECK(count_jobs(tw.db) == 1);  // coalesced: one pending job per task

  REQUIRE(tw.task({"1", "done"}).exit_code == 0);
  std::tie(kind, payload) = tw.pending_job(milk);
  CHECK_THAT(payload, Catch::Contains("\"status\":\"completed\""));

  REQUIRE(tw.task({"add", "Call the plumber"}).exit_code == 0);
  const std::string plumber = tw.uuid_of("1");
  REQUIRE(tw.task({"1", "delete"}).exit_code == 0);
  std::tie(kind, payload) = tw.pending_job(plumber);
  CHECK(kind == "delete");
  CHECK_THAT(payload, Catch::Contains("\"status\":\"deleted\""));
  CHECK(count_jobs(tw.db) == 2);
}

TEST_CASE("with VIKUNJA_SYNC_RUNNING set the hook lets the change through and queues nothing",
          "[hook][taskwarrior]") {
  if (!task_available()) FAIL("the `task` binary is not installed (Debian package taskwarrior): this test needs it");
  Taskwarrior tw;
  tw.extra_env.push_back("VIKUNJA_SYNC_RUNNING=1");
  REQUIRE(tw.task({"add", "From the worker"}).exit_code == 0);
  CHECK(tw.uuid_of("1").size() == 36);
  CHECK_FALSE(std::filesystem::exists(tw.db));
}

TEST_CASE("a broken queue never blocks the user's Taskwarrior change", "[hook][taskwarrior]") {
  if (!task_available()) FAIL("the `task` binary is not installed (Debian package taskwarrior): this test needs it");
  Taskwarrior tw;
  std::filesystem::create_directory(tw.db);  // a directory where the queue file should be
  const auto added = tw.task({"add", "Still saved"});
  CHECK(added.exit_code == 0);
  CHECK_THAT(added.out + added.err, Catch::Contains("vikunja-sync: change NOT queued: cannot open queue"));
  CHECK(tw.task({"_get", "1.description"}).out == "Still saved\n");
}

TEST_CASE("a task with a 1.5 MiB annotation is modified and queued through the hook", "[hook][taskwarrior]") {
  if (!task_available()) FAIL("the `task` binary is not installed (Debian package taskwarrior): this test needs it");
  Taskwarrior tw;
  // Longer than an argument may be, so it arrives by import; on-modify then reads it twice.
  const std::string note(1536 * 1024, 'n');
  const std::string uuid = "be483695-23ab-463e-8f94-6cf9c8b7f7d8";
  const std::string task = R"({"uuid":")" + uuid + R"(","description":"Long notes","status":"pending",)" +
                           R"("entry":"20261201T100000Z","annotations":[{"entry":"20261201T100000Z","description":")" +
                           note + R"("}]})";
  REQUIRE(tw.task({"import", "-"}, task).exit_code == 0);
  const auto modified = tw.task({uuid, "modify", "priority:H"});
  CHECK(modified.exit_code == 0);
  CHECK(modified.err.find("vikunja-enqueue") == std::string::npos);
  CHECK(tw.task({"_get", uuid + ".priority"}).out == "H\n");
  const auto [kind, payload] = tw.pending_job(uuid);
  CHECK(kind == "push");
  CHECK(payload.size() > note.size());
  CHECK_THAT(payload, Catch::Contains(R"("priority":"H")"));
}

TEST_CASE("install-hooks links the binary as on-add and on-modify, and task diagnostics sees them active",
          "[hook][taskwarrior]") {
  if (!task_available()) FAIL("the `task` binary is not installed (Debian package taskwarrior): this test needs it");
  TempDir dir;
  const auto data = dir / "data";
  dir.write("taskrc", "data.location=" + data.string() + "\n");
  const std::vector<std::string> env{"PATH=/usr/bin:/bin", "HOME=" + dir.path().string(),
                                     "TASKRC=" + (dir / "taskrc").string(), "TASKDATA=" + data.string()};
  const auto install = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {VIKUNJA_ENQUEUE, "install-hooks"});
    return run_process(ProcessRequest{args, "", env, std::chrono::seconds(30)});
  };
  auto result = install({"--taskdata", data.string()});
  CHECK(result.exit_code == 0);
  CHECK_THAT(result.out, Catch::StartsWith("installed " + (data / "hooks" / "on-add-vikunja").string()));
  const auto diagnostics = run_process(ProcessRequest{{"task", "diagnostics"}, "", env, std::chrono::seconds(30)});
  CHECK_THAT(diagnostics.out, Catch::Contains("Active: on-add-vikunja") && Catch::Contains("on-modify-vikunja (executable) (symlink)"));

  result = install({});  // from $TASKDATA this time: idempotent
  CHECK(result.exit_code == 0);
  CHECK_THAT(result.out, Catch::StartsWith("already installed "));

  // The user's own hook where ours goes: refused, and nothing else changed either.
  std::filesystem::remove(data / "hooks" / "on-add-vikunja");
  std::filesystem::remove(data / "hooks" / "on-modify-vikunja");
  dir.write("data/hooks/on-modify-vikunja", "#!/bin/sh\n# the user's own hook\n");
  result = install({});
  CHECK(result.exit_code == 73);
  CHECK(result.err == "vikunja-enqueue: refusing to replace " + (data / "hooks" / "on-modify-vikunja").string() +
                          ": it exists and is not a link to a vikunja-enqueue; move it away and run install-hooks "
                          "again (nothing was changed)\n");
  CHECK(read_file(data / "hooks" / "on-modify-vikunja") == "#!/bin/sh\n# the user's own hook\n");
  CHECK_FALSE(std::filesystem::exists(std::filesystem::symlink_status(data / "hooks" / "on-add-vikunja")));
}

TEST_CASE("install-hooks finds the data directory as Taskwarrior does and updates a link to an older install",
          "[hook][taskwarrior]") {
  if (!task_available()) FAIL("the `task` binary is not installed (Debian package taskwarrior): this test needs it");
  TempDir dir;
  const auto data = dir / "elsewhere";
  // ~/.taskrc includes a file that sets data.location: no TASKDATA, no --taskdata.
  dir.write(".taskrc", "# mine\ninclude " + (dir / "more.rc").string() + "\n");
  dir.write("more.rc", "data.location=" + data.string() + "  # moved\n");
  const std::vector<std::string> env{"PATH=/usr/bin:/bin", "HOME=" + dir.path().string()};
  std::filesystem::create_directories(data / "hooks");
  // Only on-modify there, from an older install elsewhere.
  std::filesystem::create_symlink("/usr/local/bin/vikunja-enqueue", data / "hooks" / "on-modify-vikunja");

  const auto result = run_process(ProcessRequest{{VIKUNJA_ENQUEUE, "install-hooks"}, "", env, std::chrono::seconds(30)});
  CHECK(result.exit_code == 0);
  CHECK_THAT(result.out, Catch::StartsWith("installed " + (data / "hooks" / "on-add-vikunja").string()) &&
                             Catch::Contains("updated " + (data / "hooks" / "on-modify-vikunja").string()));
  const auto binary = std::filesystem::canonical(VIKUNJA_ENQUEUE);
  CHECK(std::filesystem::read_symlink(data / "hooks" / "on-modify-vikunja") == binary);
  const auto diagnostics = run_process(ProcessRequest{{"task", "diagnostics"}, "", env, std::chrono::seconds(30)});
  CHECK_THAT(diagnostics.out, Catch::Contains("Active: on-add-vikunja") && Catch::Contains("on-modify-vikunja (executable) (symlink)"));
}
