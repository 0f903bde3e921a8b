// vikunja-worker as a whole process against the local Vikunja stand-in.

#include <sys/socket.h>
#include <sys/un.h>

#include <SQLiteCpp/Database.h>
#include <catch2/catch.hpp>

#include <functional>
#include <regex>
#include <set>
#include <sstream>
#include <fmt/format.h>

#include "background_process.hpp"
#include "fake_vikunja.hpp"
#include "queue_dump.hpp"
#include "temp_dir.hpp"
#include "worker/remote/subprocess.hpp"

using namespace vsync;
using namespace vsync::test;
using json = nlohmann::json;

namespace {

struct Installation {
  TempDir dir;
  FakeVikunja vikunja;
  std::filesystem::path db = dir / "queue.db";
  std::map<std::string, std::string> env{{"VIKUNJA_SYNC_DB", db.string()},
                                         {"VIKUNJA_URL", vikunja.url()},
                                         {"VIKUNJA_API_TOKEN", FakeVikunja::token},
                                         {"VIKUNJA_SYNC_HTTP_TIMEOUT", "2"},
                                         {"HOME", dir.path().string()},
                                         {"TASKRC", (dir / "taskrc").string()},
                                         {"TASKDATA", (dir / "task").string()}};

  // A Taskwarrior of its own: `run` reconciles at start, pushes read the task back.
  Installation() { dir.write("taskrc", "data.location=" + (dir / "task").string() + "\n"); }

  std::vector<std::string> environment() const {
    std::vector<std::string> entries{"PATH=/usr/bin:/bin"};
    for (const auto& [name, value] : env) entries.push_back(name + "=" + value);
    return entries;
  }

  ProcessResult run(const std::string& program, std::vector<std::string> args, const std::string& input = "") const {
    args.insert(args.begin(), program);
    return run_process(ProcessRequest{args, input, environment(), std::chrono::seconds(30)});
  }
  ProcessResult worker(std::vector<std::string> args) const { return run(VIKUNJA_WORKER, std::move(args)); }
  ProcessResult enqueue(int n, const std::string& description) const {
    const json task{{"uuid", fmt::format("00000000-0000-4000-8000-{:012}", n)}, {"description", description},
                    {"status", "pending"}};
    return run(VIKUNJA_ENQUEUE, {"push"}, task.dump());
  }
};

}  // namespace

TEST_CASE("vikunja-worker drain pushes queued tasks and exits 0", "[worker_cli]") {
  Installation install;
  REQUIRE(install.enqueue(1, "Buy milk").exit_code == 0);
  REQUIRE(install.enqueue(2, "Call mum").exit_code == 0);
  const auto drained = install.worker({"drain"});
  CHECK(drained.exit_code == 0);
  CHECK(install.vikunja.tasks().size() == 2);
  CHECK(count_jobs(install.db, "state = 'done'") == 2);
  CHECK_THAT(drained.err, Catch::Contains("level=info event=job id=1 kind=push") &&
                              Catch::Contains("event=\"drain finished\" done=2"));
  CHECK(drained.err.find(FakeVikunja::token) == std::string::npos);
}

TEST_CASE("during an outage drain returns at once with the breaker open and exits 0", "[worker_cli]") {
  Installation install;
  // Backoff an hour long: the processes below read the real clock, and no machine is so slow.
  install.env["VIKUNJA_SYNC_BACKOFF_BASE"] = std::string("3600");
  install.env["VIKUNJA_SYNC_BACKOFF_CAP"] = std::string("3600");
  install.vikunja.refuse_connections();
  for (int n = 1; n <= 50; ++n) REQUIRE(install.enqueue(n, "Task").exit_code == 0);
  CHECK(install.worker({"drain"}).exit_code == 0);
  const auto second = install.worker({"drain"});
  CHECK(second.exit_code == 0);
  CHECK_THAT(second.err, Catch::Contains("done=0 retried=0 dead=0 paused=0"));
  CHECK(count_jobs(install.db, "state = 'pending'") == 50);

  const auto status = install.worker({"status", "--json"});
  CHECK(status.exit_code == 1);
  const json report = json::parse(status.out);
  CHECK(report["breakers"][0]["state"] == "open");
  CHECK(report["jobs"]["vikunja"]["pending"] == 50);
  CHECK(report["healthy"] == false);
  CHECK(status.out.find(FakeVikunja::token) == std::string::npos);

  const auto text = install.worker({"status"});
  CHECK(text.exit_code == 1);
  CHECK_THAT(text.out, Catch::Contains("vikunja      open") && Catch::Contains("VIKUNJA_API_TOKEN = (set)  (environment)"));

  const char* due_later = "state = 'pending' AND due_at > unixepoch() * 1000 + 60000";
  CHECK(count_jobs(install.db, due_later) == 3);  // the ones that failed before the breaker opened
  CHECK(install.worker({"breaker", "reset"}).exit_code == 0);
  install.vikunja.answer_normally();
  // A reset makes every job that calls the target due at once: the three that failed before the
  // breaker opened (an hour's backoff) run in the next drain too.
  CHECK(count_jobs(install.db, due_later) == 0);
  CHECK(install.worker({"drain"}).exit_code == 0);
  CHECK(install.vikunja.tasks().size() == 50);
  CHECK(install.worker({"status"}).exit_code == 0);
}

TEST_CASE("vikunja-worker reconcile --dry-run prints the plan and changes nothing, reconcile queues it",
          "[worker_cli]") {
  Installation install;
  const auto inbox = install.vikunja.add_project("inbox");
  install.vikunja.add_task(inbox, json{{"title", "Made in Vikunja"}});
  auto result = install.worker({"reconcile", "--dry-run"});
  CHECK(result.exit_code == 0);
  CHECK_THAT(result.out, Catch::StartsWith("reconcile (full): 0 Taskwarrior tasks, 1 Vikunja tasks, 0 linked pairs agree\n") &&
                             Catch::Contains("would queue webhook vk:2 \"Made in Vikunja\": only in Vikunja\n"));
  CHECK(count_jobs(install.db) == 0);
  result = install.worker({"reconcile"});
  CHECK(result.exit_code == 0);
  CHECK_THAT(result.out, Catch::Contains("queued webhook vk:2"));
  CHECK(count_jobs(install.db, "kind = 'webhook'") == 1);
  CHECK(install.worker({"drain"}).exit_code == 0);
  CHECK_THAT(install.worker({"reconcile"}).out, Catch::EndsWith("1 linked pairs agree\nnothing to do\n"));
  result = install.worker({"drain", "--dry-run"});
  CHECK(result.exit_code == 64);
  CHECK(result.err == "vikunja-worker: --dry-run is only for reconcile (try: vikunja-worker --help)\n");
  install.vikunja.refuse_connections();
  result = install.worker({"reconcile"});
  CHECK(result.exit_code == 75);
  // A pass over changes: the tasks updated since the latest one the last reconcile saw.
  CHECK_THAT(result.err, Catch::StartsWith("vikunja-worker: reconcile: GET /api/v1/tasks?page=1&per_page=50&filter=updated"
                                           "%20%3E%20%22") &&
                             Catch::Contains("%22: cannot reach Vikunja"));
}

TEST_CASE("vikunja-worker refuses bad configuration and usage with sysexits codes", "[worker_cli]") {
  Installation install;
  install.env["VIKUNJA_SYNC_BREAKER_THRESHOLD"] = "many";
  auto result = install.worker({"drain"});
  CHECK(result.exit_code == 78);
  CHECK(result.err == "vikunja-worker: VIKUNJA_SYNC_BREAKER_THRESHOLD is 'many'; expected a whole number of at least 1\n");
  install.env.erase("VIKUNJA_SYNC_BREAKER_THRESHOLD");
  install.env.erase("VIKUNJA_URL");
  result = install.worker({"drain"});
  CHECK(result.exit_code == 78);
  CHECK(result.err == "vikunja-worker: VIKUNJA_URL is not set (e.g. https://vikunja.example.com)\n");
  result = install.worker({"retry"});
  CHECK(result.exit_code == 64);
  CHECK(result.err == "vikunja-worker: retry takes job ids or --dead (try: vikunja-worker --help)\n");
  result = install.worker({"breaker", "reset", "jira"});
  CHECK(result.exit_code == 64);
  result = install.worker({"status", "--db", (install.dir / "notes.txt").string()});
  install.dir.write("notes.txt", "not a queue");
  result = install.worker({"status", "--db", (install.dir / "notes.txt").string()});
  CHECK(result.exit_code == 74);
}

namespace {

// The receiving end of systemd's notify socket.
class NotifySocket {
 public:
  explicit NotifySocket(const std::filesystem::path& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof address.sun_path, "%s", path.c_str());
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  }
  ~NotifySocket() { ::close(fd_); }
  // Everything received so far, one message per line.
  const std::string& received() {
    char buffer[4096];
    for (ssize_t got; (got = ::recv(fd_, buffer, sizeof buffer, 0)) > 0;) received_.append(buffer, got).append("\n");
    return received_;
  }
  const std::filesystem::path& path() const { return path_; }
  int fd() const { return fd_; }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  std::string received_;
};

}  // namespace

TEST_CASE("a worker killed in mid-request: the next drain takes the job back at once and does it exactly once",
          "[worker_cli][lease]") {
  Installation install;
  REQUIRE(install.enqueue(1, "Survives a kill").exit_code == 0);
  install.vikunja.hang_every_request(std::chrono::seconds(60));
  BackgroundProcess killed({VIKUNJA_WORKER, "drain"}, install.environment(), install.dir / "killed.log");
  REQUIRE(install.vikunja.wait_for_requests(1, std::chrono::seconds(10)));  // its job's first request is out
  CHECK(count_jobs(install.db, "state = 'running'") == 1);
  killed.signal(SIGKILL);
  REQUIRE(killed.wait_exit(std::chrono::seconds(10)) == 128 + SIGKILL);
  install.vikunja.answer_normally();

  // Its lease (30 s) has not run out: the takeover comes from seeing that its owner is gone.
  const auto drained = install.worker({"drain"});
  CHECK(drained.exit_code == 0);
  CHECK_THAT(drained.err, Catch::Contains("event=\"lease released\""));
  CHECK(count_jobs(install.db, "state = 'done'") == 1);
  CHECK(count_jobs(install.db, "attempts = 2") == 1);
  REQUIRE(install.vikunja.tasks().size() == 1);
  CHECK(install.vikunja.tasks().front()["title"] == "Survives a kill");
}

TEST_CASE("config and status read the environment file systemd reads, the process environment over it",
          "[worker_cli][environment]") {
  Installation install;
  install.env.erase("VIKUNJA_URL");
  install.env["VIKUNJA_DEFAULT_PROJECT"] = std::string("From the process");
  install.dir.write(".config/vikunja-sync/env", "VIKUNJA_URL=" + install.vikunja.url() +
                                                    "\nVIKUNJA_DEFAULT_PROJECT=From the file\nTASKDATA=\n");
  const auto config = install.worker({"config"});
  CHECK(config.exit_code == 0);
  const std::string file = (install.dir / ".config/vikunja-sync/env").string();
  CHECK_THAT(config.out, Catch::StartsWith("environment file: " + file + "\n") &&
                             Catch::Contains("VIKUNJA_URL = " + install.vikunja.url() + "  (from " + file + ")") &&
                             Catch::Contains("VIKUNJA_DEFAULT_PROJECT = From the process  (environment)") &&
                             Catch::Contains("VIKUNJA_SYNC_LOG_LEVEL = info  (default)"));
  // The file's URL is the one drain uses.
  REQUIRE(install.enqueue(1, "Configured by file").exit_code == 0);
  CHECK(install.worker({"drain"}).exit_code == 0);
  CHECK(install.vikunja.tasks().size() == 1);

  install.env["VIKUNJA_SYNC_LOG_LEVEL"] = std::string("loud");
  const auto loud = install.worker({"config"});
  CHECK(loud.exit_code == 78);
  CHECK(loud.err == "vikunja-worker: VIKUNJA_SYNC_LOG_LEVEL is 'loud'; expected error, warning, notice, info or debug\n");
}

TEST_CASE("read-only and admin commands never create a queue", "[worker_cli]") {
  Installation install;
  const auto typo = install.dir / "typo" / "queu.db";
  for (const std::vector<std::string>& command :
       std::vector<std::vector<std::string>>{{"status"}, {"metrics"}, {"retry", "--dead"}, {"purge"}, {"breaker", "reset"}}) {
    std::vector<std::string> args{"--db", typo.string()};
    args.insert(args.end(), command.begin(), command.end());
    const auto result = install.worker(args);
    INFO(command.front());
    CHECK(result.exit_code == 66);
    CHECK_THAT(result.err, Catch::StartsWith("vikunja-worker: no queue at " + typo.string() + ": "));
  }
  CHECK_FALSE(std::filesystem::exists(typo.parent_path()));
}

TEST_CASE("doctor goes from listing each missing piece, with what to do, to all well", "[worker_cli][doctor]") {
  Installation install;
  install.vikunja.add_project("Home");
  const std::string receiver = "http://127.0.0.1:9000/hooks/vikunja";
  auto before = install.worker({"doctor"});
  CHECK(before.exit_code == 1);
  CHECK_THAT(before.out, Catch::Contains("[ok] vikunja reachable") && Catch::Contains("[ok] api token") &&
                             Catch::Contains("[!!] queue                  none yet at ") &&
                             Catch::Contains("[!!] reconcile") && Catch::Contains("[!!] taskwarrior hooks") &&
                             Catch::Contains("-> `vikunja-enqueue install-hooks`") &&
                             Catch::Contains("[!!] vikunja_id attribute") && Catch::Contains("[!!] webhook secret") &&
                             Catch::Contains("[!!] project webhooks") &&
                             Catch::EndsWith("something needs attention (the lines marked !!)\n"));
  CHECK_FALSE(std::filesystem::exists(install.db));  // doctor never creates the queue

  // What the README's deployment section does, in its order.
  install.dir.write("webhook-secret", "s3cret\n");
  install.env["VIKUNJA_WEBHOOK_SECRET_FILE"] = (install.dir / "webhook-secret").string();
  install.dir.write("taskrc", "data.location=" + (install.dir / "task").string() +
                                  "\nuda.vikunja_id.type=string\nuda.vikunja_id.label=Vikunja\n"
                                  "uda.vikunja_description.type=string\n");
  REQUIRE(install.run(VIKUNJA_ENQUEUE, {"install-hooks"}).exit_code == 0);
  REQUIRE(install.worker({"webhooks", "install", "--url", receiver}).exit_code == 0);
  REQUIRE(install.worker({"reconcile"}).exit_code == 0);

  const auto after = install.worker({"doctor"});
  INFO(after.out);
  CHECK(after.exit_code == 0);
  CHECK_THAT(after.out, Catch::Contains("[ok] taskwarrior hooks      on-add-vikunja and on-modify-vikunja active") &&
                            Catch::Contains("[ok] vikunja_id attribute") && Catch::Contains("[ok] webhook secret") &&
                            Catch::Contains("[ok] token permissions      tasks_comments and tasks_relations granted") &&
                            Catch::Contains("[ok] project webhooks       all 1 projects send task events to " + receiver) &&
                            Catch::EndsWith("all well\n"));
  const json report = json::parse(install.worker({"doctor", "--json"}).out);
  CHECK(report["version"] == 1);
  CHECK(report["healthy"] == true);
  CHECK(report["checks"][0]["name"] == "configuration");

  SECTION("a recurring series whose period Vikunja cannot repeat: a note, all still well") {
    REQUIRE(install.run("/usr/bin/task", {"add", "Pay the tax", "recur:quarterly", "due:tomorrow"}).exit_code == 0);
    const auto result = install.worker({"doctor"});
    CHECK(result.exit_code == 0);
    CHECK_THAT(result.out, Catch::Contains("[--] recurrence             Vikunja cannot repeat \"Pay the tax\" (quarterly): "
                                           "each instance is synced as a task of its own"));
  }
  SECTION("a project without the webhook") {
    install.vikunja.add_project("Made in the UI since");
    const auto result = install.worker({"doctor"});
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.out, Catch::Contains("[!!] project webhooks       no webhook with the task events on 'Made in the UI since'") &&
                               Catch::Contains("-> `vikunja-worker webhooks install --url " + receiver + "`"));
  }
  SECTION("a token made before notes and dependencies were carried") {
    install.vikunja.refuse_comment_routes();
    install.vikunja.refuse_relation_routes();
    const auto result = install.worker({"doctor"});
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.out, Catch::Contains("[!!] token permissions      the token lacks tasks_comments (annotations and "
                                           "comments stay on their side) and tasks_relations"));
  }
  SECTION("a rejected token") {
    install.env["VIKUNJA_API_TOKEN"] = std::string("tk_wrong");
    const auto result = install.worker({"doctor"});
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.out, Catch::Contains("[!!] api token              token rejected: ") &&
                               Catch::Contains("/user/settings/api-tokens"));
  }
  SECTION("a webhook secret changed after `webhooks install`") {
    install.dir.write("webhook-secret", "a new secret\n");
    const auto result = install.worker({"doctor"});
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.out, Catch::Contains("[!!] webhook secret         1 project webhook was registered with another "
                                           "secret") &&
                               Catch::Contains("-> `vikunja-worker webhooks install --url " + receiver + "`"));
    REQUIRE(install.worker({"webhooks", "install", "--url", receiver}).exit_code == 0);
    CHECK_THAT(install.worker({"doctor"}).out, Catch::Contains("[ok] webhook secret"));
  }
  SECTION("no delivery for an hour while Vikunja changed tasks") {
    const long long now_s = std::chrono::duration_cast<std::chrono::seconds>(
                                std::chrono::system_clock::now().time_since_epoch()).count();
    SQLite::Database queue(install.db, SQLite::OPEN_READWRITE);
    queue.exec(fmt::format("UPDATE webhook_registrations SET registered_at = {}", (now_s - 3600) * 1000));
    CHECK_THAT(install.worker({"doctor"}).out, Catch::Contains("[ok] webhook deliveries     the last one 60m ago"));
    install.vikunja.set_server_time(now_s - 600);  // a change ten minutes ago, never delivered
    install.vikunja.add_task(install.vikunja.projects().front()["id"], {{"title", "Changed in the UI"}});
    const auto result = install.worker({"doctor"});
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.out, Catch::Contains("[!!] webhook deliveries     none arrived for 60m, though Vikunja changed "
                                           "tasks since") &&
                               Catch::Contains("journalctl --user -u vikunja-sync-webhook"));
  }
  SECTION("pending jobs that no worker drains") {
    SQLite::Database queue(install.db, SQLite::OPEN_READWRITE);
    queue.exec("INSERT INTO jobs (kind, target, key, payload, state, attempts, created_at, updated_at, due_at) "
               "VALUES ('push', 'vikunja', 'tw:x', '{}', 'pending', 0, 0, 0, 0)");  // due since 1970
    const auto result = install.worker({"doctor"});
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.out, Catch::Contains("[!!] worker                 no worker drains: jobs due ") &&
                               Catch::Contains(", last drain never") &&
                               Catch::Contains("vikunja-sync-worker.service"));
  }
  SECTION("a URL missing the reverse proxy's path") {
    install.env["VIKUNJA_URL"] = install.vikunja.url() + "/vikunja";
    const auto result = install.worker({"doctor"});
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.out, Catch::Contains("[!!] vikunja reachable") && Catch::Contains("HTTP 404"));
    // The request as the server saw it, the prefix included (the log names the same).
    CHECK_THAT(result.out, Catch::Contains("GET /vikunja/api/v1/info: HTTP 404"));
  }
  SECTION("an open breaker and a dead job") {
    SQLite::Database queue(install.db, SQLite::OPEN_READWRITE);
    queue.exec("UPDATE breaker SET state = 'open', reason = 'unreachable', last_error = 'refused' WHERE target = 'vikunja'");
    queue.exec("INSERT INTO jobs (kind, target, key, payload, state, attempts, created_at, updated_at, due_at, last_error) "
               "VALUES ('push', 'vikunja', 'tw:x', '{}', 'dead', 10, 0, 0, 0, 'HTTP 400')");
    const auto result = install.worker({"doctor"});
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.out, Catch::Contains("[!!] vikunja breaker        open (unreachable)") &&
                               Catch::Contains("`vikunja-worker breaker reset vikunja`") &&
                               Catch::Contains("[!!] dead jobs              1 (latest: job ") &&
                               Catch::Contains("`vikunja-worker retry --dead`"));
  }
}

TEST_CASE("doctor: configuration, the server's version, breakers, queue, Taskwarrior and systemd, failing and passing",
          "[worker_cli][doctor]") {
  Installation install;
  install.vikunja.add_project("Home");
  REQUIRE(install.enqueue(1, "Queued").exit_code == 0);  // the queue exists from here

  SECTION("URL or token missing: a configuration error, listed with everything else that can be checked") {
    install.env.erase("VIKUNJA_URL");
    const auto result = install.worker({"doctor"});
    CHECK(result.exit_code == 78);
    CHECK_THAT(result.out, Catch::StartsWith("[!!] configuration          VIKUNJA_URL is not set (no environment file)") &&
                               Catch::Contains("-> set VIKUNJA_URL and VIKUNJA_API_TOKEN_FILE in " +
                                               (install.dir / ".config/vikunja-sync/env").string()) &&
                               Catch::Contains("[ok] queue") && Catch::Contains("[!!] taskwarrior hooks") &&
                               Catch::Contains("[!!] webhook secret         not set"));
    CHECK(result.out.find("vikunja reachable") == std::string::npos);
    CHECK(result.out.find("project webhooks") == std::string::npos);
    // The secret's fix names the directory of the environment file, no unit specifier.
    CHECK_THAT(result.out, Catch::Contains("VIKUNJA_WEBHOOK_SECRET_FILE=" + (install.dir / ".config/vikunja-sync").string() +
                                           "/webhook-secret"));
    install.env["VIKUNJA_URL"] = install.vikunja.url();
    install.env.erase("VIKUNJA_API_TOKEN");
    const auto no_token = install.worker({"doctor"});
    CHECK(no_token.exit_code == 78);
    CHECK_THAT(no_token.out, Catch::StartsWith("[!!] configuration          the API token is not set"));
  }
  SECTION("Vikunja not answering: the server checks fail, the local ones still run") {
    install.vikunja.refuse_connections();
    const auto result = install.worker({"doctor"});
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.out, Catch::Contains("[!!] vikunja reachable      " + install.vikunja.url() + "/api/v1/info: ") &&
                               Catch::Contains("-> check VIKUNJA_URL") && Catch::Contains("[ok] queue") &&
                               Catch::Contains("[!!] webhook secret"));
    CHECK(result.out.find("api token") == std::string::npos);
  }
  SECTION("a setting that is invalid is a configuration error, exit 78") {
    install.env["VIKUNJA_SYNC_BREAKER_THRESHOLD"] = std::string("many");
    const auto result = install.worker({"doctor"});
    CHECK(result.exit_code == 78);
    CHECK_THAT(result.err, Catch::StartsWith("vikunja-worker: VIKUNJA_SYNC_BREAKER_THRESHOLD"));
    CHECK(result.out.empty());
  }
  SECTION("the server's version and its webhook caveats: notes that need no action") {
    const std::string lan_receiver = "http://192.168.1.20:9000/hooks/vikunja";
    install.vikunja.set_version("v2.2.1");
    auto result = install.worker({"doctor", "--url", lan_receiver});
    CHECK_THAT(result.out, Catch::Contains("[ok] vikunja reachable      " + install.vikunja.url() + " answers, version v2.2.1") &&
                               Catch::Contains("[--] webhook retries        Vikunja v2.2.1 never retries") &&
                               Catch::Contains("[--] webhook address        since v2.2") &&
                               Catch::Contains("`outgoingrequests.allownonroutableips: true`"));
    install.vikunja.set_version("v2.3.0");
    result = install.worker({"doctor", "--url", lan_receiver});
    CHECK(result.out.find("webhook retries") == std::string::npos);
    CHECK_THAT(result.out, Catch::Contains("[--] webhook address"));
    result = install.worker({"doctor", "--url", "https://hooks.example.com/vikunja"});
    CHECK(result.out.find("webhook address") == std::string::npos);
    install.vikunja.set_version("v2.1.0");
    result = install.worker({"doctor", "--url", lan_receiver});
    CHECK(result.out.find("webhook address") == std::string::npos);  // refused only since v2.2
  }
  SECTION("breakers: closed, then open with its reason, error and time to the next probe") {
    auto result = install.worker({"doctor"});
    CHECK_THAT(result.out, Catch::Contains("[ok] vikunja breaker        closed\n") &&
                               Catch::Contains("[ok] taskwarrior breaker    closed\n"));
    const std::int64_t in_90_minutes =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count() +
        5430 * 1000;
    SQLite::Database queue(install.db, SQLite::OPEN_READWRITE);
    SQLite::Statement open(queue, "UPDATE breaker SET state = 'open', reason = 'server', last_error = 'HTTP 502', "
                                  "retry_at = ? WHERE target = 'taskwarrior'");
    open.bind(1, in_90_minutes);
    open.exec();
    result = install.worker({"doctor"});
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.out, Catch::Contains("[!!] taskwarrior breaker    open (server), next probe in 90m: HTTP 502") &&
                               Catch::Contains("`vikunja-worker breaker reset taskwarrior`"));
  }
  SECTION("queue health: pending with the oldest's age, the last drain and reconcile") {
    auto result = install.worker({"doctor"});
    CHECK_THAT(result.out, Catch::Contains("[ok] queue                  " + install.db.string() + ": 1 pending, oldest ") &&
                               Catch::Contains("; last drain never, last reconcile never, last full pass never\n") &&
                               Catch::Contains("[!!] reconcile              no reconcile has run on this queue"));
    REQUIRE(install.worker({"drain"}).exit_code == 0);
    REQUIRE(install.worker({"reconcile"}).exit_code == 0);
    result = install.worker({"doctor"});
    CHECK_THAT(result.out, Catch::Matches("(.|\n)*\\[ok\\] queue +[^\n]*: 0 pending; last drain [0-9]+s ago, last reconcile [0-9]+s ago \\(full\\), last full pass [0-9]+s ago\n(.|\n)*"));
    CHECK(result.out.find("[!!] reconcile") == std::string::npos);
    CHECK(result.out.find("dead jobs") == std::string::npos);
  }
  SECTION("Taskwarrior missing or failing") {
    install.env["VIKUNJA_SYNC_TASK_BIN"] = (install.dir / "no-such-task").string();
    auto result = install.worker({"doctor"});
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.out, Catch::Contains("[!!] taskwarrior hooks      cannot run `" + (install.dir / "no-such-task").string() + "`") &&
                               Catch::Contains("-> install Taskwarrior (Debian package taskwarrior)"));
    install.env["VIKUNJA_SYNC_TASK_BIN"] = std::string("/bin/false");
    result = install.worker({"doctor"});
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.out, Catch::Contains("[!!] taskwarrior hooks      `/bin/false diagnostics` exited 1") &&
                               Catch::Contains("-> check VIKUNJA_SYNC_TASK_BIN, TASKRC and TASKDATA"));
  }
  SECTION("systemd's units, where a user manager answers") {
    // A stand-in for systemctl (first on PATH) answering as systemctl does, from a file of
    // active units; where no user manager runs, doctor says it did not check.
    CHECK_THAT(install.worker({"doctor"}).out, Catch::Contains("[--] systemd units          not checked"));
    const auto bin = install.dir / "bin";
    std::filesystem::create_directories(bin);
    install.dir.write("bin/systemctl", "#!/bin/sh\n"
                                       "[ \"$2\" = is-system-running ] && { echo running; exit 0; }\n"
                                       "grep -qx \"$3\" \"$(dirname \"$0\")/active\" && { echo active; exit 0; }\n"
                                       "echo inactive; exit 3\n");
    std::filesystem::permissions(bin / "systemctl", std::filesystem::perms::owner_all);
    install.dir.write("bin/active", "");
    auto environment = install.environment();
    environment.front() = "PATH=" + bin.string() + ":/usr/bin:/bin";
    const auto doctor = [&] {
      return run_process(ProcessRequest{{VIKUNJA_WORKER, "doctor"}, "", environment, std::chrono::seconds(30)}).out;
    };
    auto out = doctor();
    CHECK_THAT(out, Catch::Contains("[!!] worker unit            neither vikunja-sync-worker.service nor vikunja-sync-drain.timer is active") &&
                        Catch::Contains("`systemctl --user enable --now vikunja-sync-worker.service`") &&
                        Catch::Contains("[!!] vikunja-sync-reconcile.timer not active") &&
                        Catch::Contains("[!!] vikunja-sync-webhook.service not active"));
    install.dir.write("bin/active", "vikunja-sync-drain.timer\nvikunja-sync-reconcile.timer\nvikunja-sync-webhook.service\n");
    out = doctor();
    CHECK_THAT(out, Catch::Contains("[ok] worker unit            vikunja-sync-drain.timer active") &&
                        Catch::Contains("[ok] vikunja-sync-reconcile.timer active") &&
                        Catch::Contains("[ok] vikunja-sync-webhook.service active"));
    install.dir.write("bin/active", "vikunja-sync-worker.service\n");
    CHECK_THAT(doctor(), Catch::Contains("[ok] worker unit            vikunja-sync-worker.service active"));
  }
}

TEST_CASE("vikunja-worker run picks up new work without polling and stops on SIGTERM", "[worker_cli]") {
  Installation install;
  REQUIRE(install.enqueue(1, "Queued before start").exit_code == 0);
  NotifySocket systemd(install.dir / "notify.sock");
  install.env["VIKUNJA_SYNC_LOG_LEVEL"] = std::string("debug");
  auto environment = install.environment();
  environment.push_back("NOTIFY_SOCKET=" + systemd.path().string());
  const DirectoryWatch queue_changes(install.dir.path());
  BackgroundProcess worker({VIKUNJA_WORKER, "run"}, environment, install.dir / "worker.log");
  REQUIRE(eventually([&] { return count_jobs(install.db, "state = 'done'") == 1; }, {queue_changes.fd()}));
  CHECK_THAT(worker.stderr_text(), Catch::Contains("event=\"worker started\""));

  // Its status line comes after the drain, just before it waits.
  REQUIRE(eventually([&] { return systemd.received().find("STATUS=0 pending") != std::string::npos; },
                     {systemd.fd()}));
  REQUIRE(install.enqueue(2, "Queued while it waits").exit_code == 0);
  CHECK(eventually([&] { return count_jobs(install.db, "state = 'done'") == 2; }, {queue_changes.fd()}));
  CHECK(install.vikunja.tasks().size() == 2);

  CHECK(eventually([&] { return systemd.received().find("STATUS=0 pending, 0 dead") != std::string::npos; },
                   {systemd.fd()}));
  CHECK_THAT(systemd.received(), Catch::StartsWith("READY=1\n") &&
                                     Catch::Contains("breaker: vikunja closed, taskwarrior closed"));

  worker.signal(SIGTERM);
  CHECK(worker.wait_exit(std::chrono::seconds(10)) == 0);
  CHECK_THAT(worker.stderr_text(), Catch::Contains("event=\"worker stopped\""));
  // Woken once, for the second enqueue (by its commit, or by its due time when the commit came
  // just before the wait began): never by its own commits, which would add a wake after each
  // drain.
  const std::string log = worker.stderr_text();
  std::size_t wakes = 0;
  for (auto at = log.find("event=woke "); at != std::string::npos; at = log.find("event=woke ", at + 1)) ++wakes;
  CHECK(wakes == 1);
  CHECK_THAT(systemd.received(), Catch::EndsWith("STOPPING=1\n"));
}

TEST_CASE("vikunja-worker metrics prints valid Prometheus text with the queue, breakers and counters",
          "[worker_cli][metrics]") {
  Installation install;
  for (int n = 1; n <= 3; ++n) REQUIRE(install.enqueue(n, "Task").exit_code == 0);
  REQUIRE(install.worker({"drain"}).exit_code == 0);
  const auto result = install.worker({"metrics"});
  REQUIRE(result.exit_code == 0);

  // The text exposition format, strictly: HELP and TYPE before each family's samples, names
  // and labels well-formed, values numbers, one family declared once.
  const std::regex help(R"(# HELP (vikunja_sync_[a-z_]+) .+)");
  const std::regex type(R"(# TYPE (vikunja_sync_[a-z_]+) (gauge|counter))");
  const std::regex sample(R"((vikunja_sync_[a-z_]+)(\{[a-z_]+="[^"\\]*"(,[a-z_]+="[^"\\]*")*\})? (-?[0-9.e+]+|NaN))");
  std::set<std::string> declared;
  std::string current_family;
  std::istringstream lines(result.out);
  int samples = 0;
  for (std::string line; std::getline(lines, line);) {
    std::smatch match;
    if (std::regex_match(line, match, help)) {
      CHECK(declared.insert(match[1]).second);
      current_family = match[1];
    } else if (std::regex_match(line, match, type)) {
      CHECK(match[1] == current_family);
    } else {
      INFO(line);
      REQUIRE(std::regex_match(line, match, sample));
      CHECK(match[1] == current_family);
      ++samples;
    }
  }
  CHECK(samples > 20);
  CHECK_THAT(result.out, Catch::Contains("vikunja_sync_jobs{target=\"vikunja\",state=\"done\"} 3\n") &&
                             Catch::Contains("vikunja_sync_breaker_state{target=\"vikunja\",state=\"closed\"} 1\n") &&
                             Catch::Contains("vikunja_sync_drains_total 1\n") &&
                             Catch::Contains("vikunja_sync_http_requests_total{outcome=\"2xx\"} ") &&
                             Catch::Contains("vikunja_sync_dead_jobs 0\n"));

  const auto config = install.worker({"config"});
  CHECK(config.exit_code == 0);
  CHECK_THAT(config.out, Catch::Contains("VIKUNJA_SYNC_BREAKER_THRESHOLD = 3  (default)\n") &&
                             Catch::Contains("VIKUNJA_API_TOKEN = (set)  (environment)\n"));
  CHECK(config.out.find(FakeVikunja::token) == std::string::npos);
}

TEST_CASE("status --json follows the documented example (docs/status-example.json)", "[worker_cli]") {
  Installation install;
  REQUIRE(install.enqueue(1, "Task").exit_code == 0);
  install.vikunja.answer_every_request(400, {}, R"({"code":2004,"message":"Invalid model provided."})");
  REQUIRE(install.worker({"drain"}).exit_code == 0);  // one dead job, so dead_jobs has an entry
  const json example = json::parse(read_file(DOCS_DIR "/status-example.json"));
  const json actual = json::parse(install.worker({"status", "--json"}).out);
  // Same keys and value types everywhere (arrays by their first element); null in the example
  // stands for "a value or null".
  const std::function<void(const json&, const json&, const std::string&)> same_shape =
      [&](const json& want, const json& got, const std::string& path) {
        INFO(path);
        if (want.is_null() || got.is_null()) return;
        CHECK(std::string(want.type_name()) == got.type_name());
        if (want.is_object() && got.is_object()) {
          for (auto& [key, value] : want.items()) {
            REQUIRE(got.contains(key));
            same_shape(value, got[key], path + "." + key);
          }
          for (auto& [key, value] : got.items()) CHECK(want.contains(key));
        } else if (want.is_array() && got.is_array() && !want.empty() && !got.empty()) {
          for (const json& item : got) same_shape(want[0], item, path + "[]");
        }
      };
  same_shape(example, actual, "$");
  CHECK(actual["version"] == example["version"]);
}

TEST_CASE("a token fixed in its file while run runs: the worker uses it at once, without a restart", "[worker_cli]") {
  Installation install;
  install.env.erase("VIKUNJA_API_TOKEN");
  install.dir.write("token", "tk_revoked_long_ago");
  install.env["VIKUNJA_API_TOKEN_FILE"] = (install.dir / "token").string();
  install.env["VIKUNJA_SYNC_BREAKER_RECOVERY"] = "3600";  // no probe comes by itself while the test runs
  install.dir.write(".config/vikunja-sync/env", "");
  REQUIRE(install.enqueue(1, "Waits for a good token").exit_code == 0);
  const DirectoryWatch queue_changes(install.dir.path());
  BackgroundProcess worker({VIKUNJA_WORKER, "run"}, install.environment(), install.dir / "worker.log");
  const auto breaker_reason = [&] {
    SQLite::Database db(install.db.string(), SQLite::OPEN_READONLY, 10'000);  // waits out the worker's commits
    return db.execAndGet("SELECT reason FROM breaker WHERE target = 'vikunja'").getString();
  };
  REQUIRE(eventually([&] { return breaker_reason() == "authentication"; }, {queue_changes.fd()}));
  CHECK(count_jobs(install.db, "state = 'pending'") == 1);

  install.dir.write("token", FakeVikunja::token);
  CHECK(eventually([&] { return count_jobs(install.db, "state = 'done'") == 1; }, {queue_changes.fd()}));
  CHECK(install.vikunja.tasks().size() == 1);
  CHECK_THAT(worker.stderr_text(), Catch::Contains("event=\"settings reloaded\" changed=VIKUNJA_API_TOKEN"));
  CHECK(worker.stderr_text().find(FakeVikunja::token) == std::string::npos);

  // A setting read only at start is named, not silently ignored.
  install.dir.write(".config/vikunja-sync/env", "VIKUNJA_SYNC_MAX_ATTEMPTS=3\n");
  CHECK(eventually([&] { return worker.stderr_text().find("event=\"settings changed\"") != std::string::npos; },
                   {queue_changes.fd()}, std::chrono::seconds(5)));
  CHECK_THAT(worker.stderr_text(), Catch::Contains("names=VIKUNJA_SYNC_MAX_ATTEMPTS"));
  worker.signal(SIGTERM);
  CHECK(worker.wait_exit(std::chrono::seconds(10)) == 0);
}

TEST_CASE("Vikunja emptied under a running worker: reconcile holds the deletes, doctor says what to do, relink "
          "restores", "[worker_cli][mass_delete]") {
  Installation install;
  const auto task = [&](std::vector<std::string> args) {
    args.insert(args.begin(), "rc.confirmation=off");
    return install.run("/usr/bin/task", std::move(args));
  };
  for (int n = 1; n <= 6; ++n) REQUIRE(task({"add", fmt::format("Task {}", n)}).exit_code == 0);
  REQUIRE(install.worker({"reconcile"}).exit_code == 0);  // as the README's deployment does
  const DirectoryWatch queue_changes(install.dir.path());
  BackgroundProcess worker({VIKUNJA_WORKER, "run"}, install.environment(), install.dir / "worker.log");
  REQUIRE(eventually([&] { return count_jobs(install.db, "state = 'done'") == 6; }, {queue_changes.fd()}));
  REQUIRE(install.vikunja.tasks().size() == 6);

  install.vikunja.lose_everything();  // a reinstall, an old backup, another instance
  // Vikunja lists no deleted task: the day's full pass finds them gone.
  const auto reconcile = install.worker({"reconcile", "--full"});
  CHECK(reconcile.exit_code == 0);
  CHECK_THAT(reconcile.out, Catch::Contains("held back 6 deletes of tasks gone from Vikunja"));
  CHECK(install.worker({"drain"}).exit_code == 0);  // a second worker drains too: nothing to claim
  CHECK(task({"status:pending", "count"}).out == "6\n");
  CHECK(task({"status:deleted", "count"}).out == "0\n");
  CHECK(count_jobs(install.db, "state = 'pending' AND kind = 'webhook'") == 6);

  const auto status = install.worker({"status"});
  CHECK(status.exit_code == 1);
  CHECK_THAT(status.out, Catch::Contains("taskwarrior  open") && Catch::Contains("reason: mass delete"));
  const auto doctor = install.worker({"doctor"});
  CHECK_THAT(doctor.out, Catch::Contains("[!!] taskwarrior breaker    open (mass delete)") &&
                             Catch::Contains("`vikunja-worker reconcile --allow-deletes`") &&
                             Catch::Contains("`vikunja-worker relink`"));

  const auto relink = install.worker({"relink"});
  CHECK(relink.exit_code == 0);
  CHECK_THAT(relink.out, Catch::StartsWith("relink: 6 links to tasks Vikunja no longer has forgotten; nothing deleted\n"));
  // The running worker sends them to Vikunja again; the held jobs end without deleting.
  CHECK(eventually([&] { return install.vikunja.tasks().size() == 6 && count_jobs(install.db, "state = 'pending'") == 0; },
                   {queue_changes.fd()}));
  CHECK(task({"status:pending", "count"}).out == "6\n");
  CHECK(task({"status:deleted", "count"}).out == "0\n");
  CHECK(install.worker({"status"}).exit_code == 0);
  worker.signal(SIGTERM);
  CHECK(worker.wait_exit(std::chrono::seconds(10)) == 0);
}
