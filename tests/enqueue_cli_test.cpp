// vikunja-enqueue as a whole process: every exit code, its one-line message, and that a failed
// command leaves the queue exactly as it was.

#include <catch2/catch.hpp>

#include "enqueue_process.hpp"
#include "queue_dump.hpp"
#include "temp_dir.hpp"

using namespace vsync;
using namespace vsync::test;

namespace {

const std::string task_line =
    R"({"description":"Call the plumber","entry":"20261126T231229Z","status":"pending","uuid":"be483695-23ab-463e-8f94-6cf9c8b7f7d8"})";

std::string fixture(const std::string& event) {
  return read_file(FIXTURES_DIR "/vikunja-webhook-task." + event + ".json");
}

// A queue that already holds one job, and its dump, so each failure can show it changed nothing.
struct QueueWithOneJob {
  TempDir dir;
  std::filesystem::path db = dir / "queue.db";
  std::map<std::string, std::string> env{{"HOME", dir.path().string()},
                                         {"VIKUNJA_SYNC_DB", db.string()}};
  std::string before;

  QueueWithOneJob() {
    const auto added = run_enqueue({"push"}, env, task_line);
    REQUIRE(added.exit_code == 0);
    before = dump_queue(db);
  }

  void fails(const std::vector<std::string>& args, const std::string& input, int exit_code,
             const std::string& message,
             const std::map<std::string, std::string>& extra_env = {}) {
    auto full_env = env;
    for (const auto& [name, value] : extra_env) full_env[name] = value;
    const auto result = run_enqueue(args, full_env, input);
    CHECK(result.exit_code == exit_code);
    CHECK(result.err == "vikunja-enqueue: " + message + "\n");
    CHECK(result.out.empty());
    CHECK(dump_queue(db) == before);
  }
};

}  // namespace

TEST_CASE("push and delete queue a task from stdin or a file and print the job id", "[cli]") {
  TempDir dir;
  const std::map<std::string, std::string> env{{"VIKUNJA_SYNC_DB", (dir / "q.db").string()}};
  const auto pushed = run_enqueue({"push"}, env, task_line + "\n");
  CHECK(pushed.exit_code == 0);
  CHECK(pushed.out == "1\n");
  CHECK(pushed.err.empty());
  CHECK(count_jobs(dir / "q.db", "kind = 'push' AND payload = '" + task_line + "'") == 1);

  const auto file = dir.write("task.json", task_line);
  const auto deleted = run_enqueue({"delete", file.string()}, env);
  CHECK(deleted.exit_code == 0);
  CHECK(deleted.out == "1\n");  // coalesced into the pending push
  CHECK(count_jobs(dir / "q.db", "kind = 'delete'") == 1);
}

TEST_CASE("the queue defaults to XDG_STATE_HOME, then HOME", "[cli]") {
  TempDir dir;
  CHECK(run_enqueue({"push"}, {{"HOME", dir.path().string()}}, task_line).exit_code == 0);
  CHECK(count_jobs(dir / ".local/state/vikunja-sync/queue.db") == 1);
  CHECK(run_enqueue({"push"}, {{"XDG_STATE_HOME", (dir / "xdg").string()}}, task_line).exit_code == 0);
  CHECK(count_jobs(dir / "xdg/vikunja-sync/queue.db") == 1);
}

TEST_CASE("webhook queues synced task events keyed by the Vikunja task id", "[cli]") {
  TempDir dir;
  const std::map<std::string, std::string> env{{"VIKUNJA_SYNC_DB", (dir / "q.db").string()}};
  for (const char* event : {"created", "updated", "deleted"}) {
    const auto result = run_enqueue({"webhook"}, env, fixture(event));
    CHECK(result.exit_code == 0);
    CHECK(result.out == "1\n");
  }
  CHECK(count_jobs(dir / "q.db", "kind = 'webhook' AND key = 'vk:131' AND target = 'taskwarrior'") == 1);
  CHECK(count_jobs(dir / "q.db", "payload LIKE '{\"event_name\":\"task.deleted\"%'") == 1);
}

TEST_CASE("webhook ignores events the sync does not handle, queueing nothing", "[cli]") {
  QueueWithOneJob queue;
  for (const char* event : {"task.attachment.created", "project.updated", "task.assignee.created"}) {
    const auto result = run_enqueue(
        {"webhook"}, queue.env, std::string(R"({"event_name":")") + event + R"(","data":{}})");
    CHECK(result.exit_code == 0);
    CHECK(result.out.empty());
    CHECK(result.err == std::string("vikunja-enqueue: ignoring event ") + event + ": not synced\n");
  }
  CHECK(dump_queue(queue.db) == queue.before);
}

TEST_CASE("webhook signatures are checked when a secret is configured", "[cli]") {
  QueueWithOneJob queue;
  const std::string body = fixture("created");
  const std::map<std::string, std::string> secret{{"VIKUNJA_WEBHOOK_SECRET", "test-webhook-secret"}};
  const std::string good = "cec50ef281a83c7e7786152bc6e3709a8a6fd5928ee70bf691fda3f2c635c02a";

  queue.fails({"webhook", "--signature", std::string(64, '0')}, body, 77,
              "webhook signature does not match the body (secret from VIKUNJA_WEBHOOK_SECRET)", secret);
  queue.fails({"webhook"}, body, 77,
              "webhook signature missing: VIKUNJA_WEBHOOK_SECRET is set, so --signature is required",
              secret);
  queue.fails({"webhook", "--signature", good}, body + " ", 77,
              "webhook signature does not match the body (secret from VIKUNJA_WEBHOOK_SECRET)", secret);
  queue.fails({"webhook", "--signature", "sha256=" + good}, body, 77,
              "webhook signature does not match the body (secret from VIKUNJA_WEBHOOK_SECRET)", secret);

  auto env = queue.env;
  env["VIKUNJA_WEBHOOK_SECRET_FILE"] = queue.dir.write("secret", "test-webhook-secret\n").string();
  const auto accepted = run_enqueue({"webhook", "--signature", good}, env, body);
  CHECK(accepted.exit_code == 0);
  CHECK(count_jobs(queue.db, "key = 'vk:131'") == 1);
}

TEST_CASE("bad input data exits 65 with one line and leaves the queue unchanged", "[cli]") {
  QueueWithOneJob queue;
  queue.fails({"push"}, "", 65, "standard input is empty");
  queue.fails({"push"}, "\n\n", 65, "standard input is empty");
  queue.fails({"push"}, "not json", 65,
              "standard input is not valid JSON: parse error at line 1, column 2: syntax error "
              "while parsing value - invalid literal; last read: 'no'");
  queue.fails({"push"}, "[1]", 65, "standard input is JSON but not an object (found array)");
  queue.fails({"push"}, R"({"description":"x"})", 65, "standard input has no \"uuid\"");
  queue.fails({"push"}, R"({"description":"x","uuid":"1; DROP TABLE jobs"})", 65,
              "standard input has an invalid \"uuid\": expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx in hex");
  queue.fails({"delete"}, R"({"uuid":"be483695-23ab-463e-8f94-6cf9c8b7f7d8","description":["x"]})", 65,
              "standard input has \"description\" of type array, expected a string");
  queue.fails({"push"}, std::string(1024 * 1024 + 1, ' '), 65,
              "standard input is larger than the limit of 1048576 bytes");
  queue.fails({"push"}, std::string(5000, '[') + std::string(5000, ']'), 65,
              "standard input is nested deeper than 64 levels");
  queue.fails({"push"}, "{\"uuid\":\"be483695-23ab-463e-8f94-6cf9c8b7f7d8\",\"description\":\"\xc3\x28\"}", 65,
              "standard input is not valid JSON: parse error at line 1, column 64: syntax error "
              "while parsing value - invalid string: ill-formed UTF-8 byte; last read: '\"\\xc3('");
  queue.fails({"push"}, std::string("{\"a\":\"\0\"}", 9), 65,
              "standard input is not valid JSON: parse error at line 1, column 7: syntax error "
              "while parsing value - invalid string: control character U+0000 (NUL) must be "
              "escaped to \\u0000; last read: '\"<U+0000>'");
  queue.fails({"webhook"}, R"({"event_name":"task.updated","data":{"task":{"id":"131"}}})", 65,
              "standard input has no positive integer \"data.task.id\"");
  queue.fails({"webhook"}, R"({"event_name":42})", 65,
              "standard input has \"event_name\" of type number, expected a string");
}

TEST_CASE("a missing or unreadable input file exits 66", "[cli]") {
  QueueWithOneJob queue;
  const auto missing = (queue.dir / "missing.json").string();
  queue.fails({"push", missing}, "", 66, "cannot open " + missing + ": No such file or directory");
  queue.fails({"webhook", queue.dir.path().string()}, "", 66,
              "cannot read " + queue.dir.path().string() + ": Is a directory");
}

TEST_CASE("a queue path that cannot hold a queue exits 73 or 74", "[cli]") {
  TempDir dir;
  std::filesystem::create_directory(dir / "is-a-dir");
  auto result = run_enqueue({"--db", (dir / "is-a-dir").string(), "push"}, {}, task_line);
  CHECK(result.exit_code == 73);
  CHECK(result.err == "vikunja-enqueue: cannot open queue " + (dir / "is-a-dir").string() +
                          ": Is a directory\n");

  const auto not_sqlite = dir.write("notes.txt", "my notes\n");
  result = run_enqueue({"--db", not_sqlite.string(), "push"}, {}, task_line);
  CHECK(result.exit_code == 74);
  CHECK(result.err == "vikunja-enqueue: cannot open queue " + not_sqlite.string() +
                          ": file is not a database\n");
  CHECK(read_file(not_sqlite) == "my notes\n");
}

TEST_CASE("bad configuration exits 78 naming the variable", "[cli]") {
  QueueWithOneJob queue;
  queue.fails({"push"}, task_line, 78, "VIKUNJA_SYNC_DB must be an absolute path, got 'queue.db'",
              {{"VIKUNJA_SYNC_DB", "queue.db"}});
  queue.fails({"webhook"}, fixture("created"), 78,
              "set only one of VIKUNJA_WEBHOOK_SECRET and VIKUNJA_WEBHOOK_SECRET_FILE",
              {{"VIKUNJA_WEBHOOK_SECRET", "a"}, {"VIKUNJA_WEBHOOK_SECRET_FILE", "/x"}});
  queue.fails({"webhook"}, fixture("created"), 78,
              "VIKUNJA_WEBHOOK_SECRET_FILE: cannot open /nonexistent/secret: No such file or directory",
              {{"VIKUNJA_WEBHOOK_SECRET_FILE", "/nonexistent/secret"}});
  const auto result = run_enqueue({"push"}, {}, task_line);
  CHECK(result.exit_code == 78);
  CHECK(result.err == "vikunja-enqueue: cannot find the queue: set VIKUNJA_SYNC_DB, "
                      "XDG_STATE_HOME or HOME, or pass --db\n");
}

TEST_CASE("usage errors exit 64, --help and --version exit 0", "[cli]") {
  QueueWithOneJob queue;
  queue.fails({"pish"}, "", 64, "unknown command 'pish' (try: vikunja-enqueue --help)");
  queue.fails({}, "", 64, "no command given (try: vikunja-enqueue --help)");
  const auto help = run_enqueue({"--help"}, {});
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.out, Catch::Contains("Exit status:") && Catch::Contains("Usage: vikunja-enqueue"));
  const auto version = run_enqueue({"--version"}, {});
  CHECK(version.exit_code == 0);
  CHECK_THAT(version.out, Catch::StartsWith("vikunja-enqueue "));
}

TEST_CASE("hostile text is stored verbatim as data", "[cli]") {
  TempDir dir;
  const std::map<std::string, std::string> env{{"VIKUNJA_SYNC_DB", (dir / "q.db").string()}};
  const std::string hostile =
      R"({"description":"x'); DROP TABLE jobs; -- \"quoted\" $(rm -rf /) `id` \u00e9\u2603","uuid":"be483695-23ab-463e-8f94-6cf9c8b7f7d8"})";
  CHECK(run_enqueue({"push"}, env, hostile).exit_code == 0);
  CHECK(count_jobs(dir / "q.db") == 1);
  CHECK(dump_queue(dir / "q.db").find(hostile) != std::string::npos);
}

TEST_CASE("hook echoes the task line byte for byte, then queues a push or a delete", "[cli][hook]") {
  TempDir dir;
  const auto db = dir / "q.db";
  const std::map<std::string, std::string> env{{"VIKUNJA_SYNC_DB", db.string()}};
  SECTION("on-add: one line") {
    const auto result = run_enqueue({"hook"}, env, task_line + "\n");
    CHECK(result.exit_code == 0);
    CHECK(result.out == task_line + "\n");
    CHECK(result.err.empty());
    CHECK(count_jobs(db, "kind = 'push'") == 1);
  }
  SECTION("on-modify: two lines; status deleted queues a delete") {
    std::string deleted = task_line;
    deleted.replace(deleted.find("pending"), 7, "deleted");
    const auto result = run_enqueue({"hook"}, env, task_line + "\n" + deleted + "\n");
    CHECK(result.exit_code == 0);
    CHECK(result.out == deleted + "\n");
    CHECK(count_jobs(db, "kind = 'delete'") == 1);
  }
  SECTION("with VIKUNJA_SYNC_RUNNING set it queues nothing") {
    auto running = env;
    running["VIKUNJA_SYNC_RUNNING"] = "1";
    const auto result = run_enqueue({"hook"}, running, task_line + "\n");
    CHECK(result.exit_code == 0);
    CHECK(result.out == task_line + "\n");
    CHECK_FALSE(std::filesystem::exists(db));
  }
  SECTION("a queue that fails never rejects the user's change") {
    std::filesystem::create_directory(db);
    const auto result = run_enqueue({"hook"}, env, task_line + "\n");
    CHECK(result.exit_code == 0);
    CHECK(result.out == task_line + "\nvikunja-sync: change NOT queued: cannot open queue " +
                            db.string() + ": Is a directory\n");
  }
  SECTION("a task Taskwarrior accepted but we cannot queue is feedback, not a rejection") {
    const std::string no_uuid = R"({"description":"x"})";
    const auto result = run_enqueue({"hook"}, env, no_uuid + "\n");
    CHECK(result.exit_code == 0);
    CHECK(result.out == no_uuid + "\nvikunja-sync: change NOT queued: the hook's task has no \"uuid\"\n");
  }
}

TEST_CASE("malformed hook input exits 65 with a message", "[cli][hook]") {
  QueueWithOneJob queue;
  queue.fails({"hook"}, "", 65, "standard input is empty");
  queue.fails({"hook"}, task_line + "\n" + task_line + "\n" + task_line + "\n", 65,
              "hook input has 3 lines; expected 1 (on-add) or 2 (on-modify)");
  queue.fails({"hook"}, "garbage\n", 65,
              "the hook's first line is not valid JSON: parse error at line 1, column 1: syntax "
              "error while parsing value - invalid literal; last read: 'g'");
  queue.fails({"hook"}, task_line + "\n[]\n", 65,
              "the hook's second line is JSON but not an object (found array)");
  queue.fails({"hook"}, std::string(64 * 1024 * 1024 + 3, ' '), 65,
              "standard input is larger than the limit of 67108866 bytes");
}
