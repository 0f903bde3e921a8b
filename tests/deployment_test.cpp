// The README's "Deploy it" section, step by step, as a user on a fresh machine does it: the
// built binaries, the real `task`, the real webhook receiver (Debian's `webhook`) running
// contrib/webhook/hooks.json as vikunja-sync-webhook.service does, and the stand-in Vikunja
// delivering its webhooks to it. The processes get only HOME and PATH: every setting comes
// from ~/.config/vikunja-sync/env, as for the systemd units.

#include <unistd.h>

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "background_process.hpp"
#include "fake_vikunja.hpp"
#include "free_port.hpp"
#include "queue_dump.hpp"
#include "temp_dir.hpp"
#include "worker/remote/subprocess.hpp"

using namespace vsync;
using namespace vsync::test;
using json = nlohmann::json;

namespace {

void replace_line(std::string& text, const std::string& line, const std::string& with) {
  const auto at = text.find(line + "\n");
  REQUIRE(at != std::string::npos);
  text.replace(at, line.size(), with);
}

struct Machine {
  TempDir home;
  std::vector<std::string> environment{"PATH=/usr/bin:/bin", "HOME=" + home.path().string()};
  std::filesystem::path config = home / ".config/vikunja-sync";
  std::filesystem::path db = home / ".local/state/vikunja-sync/queue.db";

  ProcessResult run(const std::string& program, std::vector<std::string> args) const {
    args.insert(args.begin(), program);
    return run_process(ProcessRequest{args, "", environment, std::chrono::seconds(30)});
  }
  ProcessResult worker(std::vector<std::string> args) const { return run(VIKUNJA_WORKER, std::move(args)); }
  json task_export() const {
    const auto result = run("/usr/bin/task", {"rc.json.array=on", "export"});
    REQUIRE(result.exit_code == 0);
    return json::parse(result.out);
  }
  bool taskwarrior_has(const std::string& description) const {
    const json tasks = task_export();
    return std::any_of(tasks.begin(), tasks.end(), [&](const json& task) { return task["description"] == description; });
  }
};

bool vikunja_has(FakeVikunja& vikunja, const std::string& title) {
  const auto tasks = vikunja.tasks();
  return std::any_of(tasks.begin(), tasks.end(), [&](const json& task) { return task["title"] == title; });
}

}  // namespace

TEST_CASE("the README's deployment: doctor goes from each missing piece to all well, then changes flow both ways",
          "[deployment]") {
  if (::access("/usr/bin/webhook", X_OK) != 0) {
    FAIL("/usr/bin/webhook is not installed (Debian package webhook): this test needs it");
  }
  FakeVikunja vikunja;
  vikunja.deliver_webhooks();
  vikunja.add_project("inbox");
  const auto garden = vikunja.add_project("Garden");
  const auto plants = vikunja.add_task(garden, json{{"title", "Water the plants"}});
  Machine machine;
  // Someone who already uses Taskwarrior.
  machine.home.write(".taskrc", "data.location=" + (machine.home / ".task").string() + "\n");
  std::filesystem::create_directories(machine.home / ".task");
  REQUIRE(machine.run("/usr/bin/task", {"add", "Buy bread"}).exit_code == 0);

  // 2. The environment file from the example, the token and the secret in files of their own.
  std::string env = read_file(CONTRIB_DIR "/env.example");
  replace_line(env, "VIKUNJA_URL=https://vikunja.example.com", "VIKUNJA_URL=" + vikunja.url());
  replace_line(env, "VIKUNJA_API_TOKEN_FILE=", "VIKUNJA_API_TOKEN_FILE=" + (machine.config / "api-token").string());
  replace_line(env, "VIKUNJA_WEBHOOK_SECRET_FILE=",
               "VIKUNJA_WEBHOOK_SECRET_FILE=" + (machine.config / "webhook-secret").string());
  machine.home.write(".config/vikunja-sync/env", env);
  machine.home.write(".config/vikunja-sync/api-token", std::string(FakeVikunja::token) + "\n");
  machine.home.write(".config/vikunja-sync/webhook-secret", "0b5e7c1d9f2a4e6b8c0d2f4a6b8e0c2d\n");

  // 3. What is missing now.
  const auto before = machine.worker({"doctor"});
  INFO(before.out);
  CHECK(before.exit_code == 1);
  CHECK_THAT(before.out, Catch::Contains("[ok] configuration") && Catch::Contains("[ok] api token") &&
                             Catch::Contains("[ok] webhook secret") && Catch::Contains("[!!] queue                  none yet") &&
                             Catch::Contains("[!!] taskwarrior hooks      not active: on-add-vikunja, on-modify-vikunja") &&
                             Catch::Contains("[!!] vikunja_id attribute") && Catch::Contains("[!!] project webhooks"));

  // 4. Taskwarrior's hooks and the attribute that keeps the link.
  REQUIRE(machine.run(VIKUNJA_ENQUEUE, {"install-hooks"}).exit_code == 0);
  machine.home.write(".taskrc", read_file(machine.home / ".taskrc") +
                                    "uda.vikunja_id.type=string\nuda.vikunja_id.label=Vikunja\n"
                                    "uda.vikunja_description.type=string\nuda.vikunja_description.label=Vikunja description\n");

  // 5. A webhook on every project, to the receiver.
  const int port = free_port();
  const std::string receiver = fmt::format("http://127.0.0.1:{}/hooks/vikunja", port);
  REQUIRE(machine.worker({"webhooks", "install", "--url", receiver}).exit_code == 0);
  CHECK(vikunja.webhooks().size() == 2);
  REQUIRE(machine.worker({"webhooks", "install", "--url", receiver}).exit_code == 0);  // a second run
  CHECK(vikunja.webhooks().size() == 2);

  // 6. What a reconcile would do, then queue it.
  const auto dry_run = machine.worker({"reconcile", "--dry-run"});
  CHECK(dry_run.exit_code == 0);
  CHECK_THAT(dry_run.out, Catch::Contains("\"Water the plants\": only in Vikunja") &&
                              Catch::Contains("\"Buy bread\": only in Taskwarrior"));
  CHECK(count_jobs(machine.db) == 0);  // a dry run queues nothing
  CHECK(machine.worker({"reconcile"}).exit_code == 0);
  CHECK(count_jobs(machine.db, "state = 'pending'") == 2);

  // 7. The services: the receiver as its unit runs it (-verbose, to log when it listens), and
  // the worker, which carries out what the reconcile queued.
  auto receiver_environment = machine.environment;
  receiver_environment.push_back(std::string("VIKUNJA_ENQUEUE=") + VIKUNJA_ENQUEUE);
  // Woken by the worker's log (a line per job and per drain) and the receiver's. Not by
  // Taskwarrior's files: reading them with `task` writes them, which would wake every check.
  const DirectoryWatch home_changes(machine.home.path());
  BackgroundProcess webhook_receiver({"/usr/bin/webhook", "-verbose", "-hooks", CONTRIB_DIR "/webhook/hooks.json",
                                      "-template", "-ip", "127.0.0.1", "-port", std::to_string(port)},
                                     receiver_environment, machine.home / "webhook.log");
  REQUIRE(eventually([&] { return read_file(machine.home / "webhook.log").find("serving hooks") != std::string::npos; },
                     {home_changes.fd()}));
  BackgroundProcess worker({VIKUNJA_WORKER, "run"}, machine.environment, machine.home / "worker.log");
  const auto drained = [&] { return count_jobs(machine.db, "state != 'done'") == 0; };
  const auto settled = [&] {
    return drained() && vikunja_has(vikunja, "Buy bread") && machine.taskwarrior_has("Water the plants");
  };
  REQUIRE(eventually(settled, {home_changes.fd()}, std::chrono::seconds(30)));

  // 8. All green (systemd's units are not checked where no user manager runs).
  const auto after = machine.worker({"doctor"});
  INFO(after.out);
  CHECK(after.exit_code == 0);
  CHECK_THAT(after.out, Catch::Contains("[ok] taskwarrior hooks      on-add-vikunja and on-modify-vikunja active") &&
                            Catch::Contains("[ok] project webhooks       all 2 projects send task events to " + receiver) &&
                            Catch::EndsWith("all well\n"));

  // A change in Vikunja's UI reaches Taskwarrior through the receiver (the next reconcile is an
  // hour away), and a change in Taskwarrior reaches Vikunja through the hook.
  vikunja.edit_task(plants, json{{"title", "Water the plants twice"}});
  CHECK(eventually([&] { return machine.taskwarrior_has("Water the plants twice"); }, {home_changes.fd()},
                   std::chrono::seconds(30)));
  CHECK(count_jobs(machine.db, "kind = 'webhook' AND payload LIKE '%Water the plants twice%'") >= 1);

  // In a project Vikunja does not have yet: the worker makes it, with its webhook.
  REQUIRE(machine.run("/usr/bin/task", {"add", "project:Garage", "Call the plumber"}).exit_code == 0);
  CHECK(eventually([&] { return vikunja_has(vikunja, "Call the plumber"); }, {home_changes.fd()},
                   std::chrono::seconds(30)));
  CHECK(eventually([&] { return vikunja.webhooks().size() == 3; }, {home_changes.fd()}, std::chrono::seconds(30)));
  // Its echo too went through the receiver and was carried out.
  CHECK(vikunja.wait_for_deliveries_sent(std::chrono::seconds(30)));
  CHECK(eventually(drained, {home_changes.fd()}, std::chrono::seconds(30)));
  CHECK(count_jobs(machine.db, "state = 'dead'") == 0);
  CHECK(vikunja.failed_deliveries() == 0);
  CHECK(vikunja.deliveries() >= 2);  // the create of "Buy bread", the edit (Garage had no webhook yet)

  worker.signal(SIGTERM);
  CHECK(worker.wait_exit(std::chrono::seconds(10)) == 0);
  webhook_receiver.signal(SIGTERM);
  webhook_receiver.wait_exit(std::chrono::seconds(5));
}
