#pragma once
// A WorkerFixture whose Taskwarrior has our hook installed (so changes made with `task` queue
// push jobs as they would for a user), and whose Vikunja stand-in is edited as the web UI would
// and then announces the change with the webhook Vikunja would send.

#include <filesystem>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "shared/json_document.hpp"
#include "shared/webhook_event.hpp"
#include "worker/remote/subprocess.hpp"
#include "worker_fixture.hpp"

namespace vsync::test {

struct TaskwarriorFixture : WorkerFixture {
  TaskwarriorFixture() {
    std::filesystem::create_directories(dir / "task" / "hooks");
    for (const char* hook : {"on-add-vikunja", "on-modify-vikunja"}) {
      std::filesystem::create_symlink(VIKUNJA_ENQUEUE, dir / "task" / "hooks" / hook);
    }
    env["VIKUNJA_SYNC_DB"] = (dir / "queue.db").string();  // what the hook uses
    env["VIKUNJA_DEFAULT_PROJECT"] = "inbox";
    if (task({"--version"}).exit_code != 0 && task({"_version"}).exit_code != 0) {
      FAIL("the `task` binary is not installed (Debian package taskwarrior): these tests need it");
    }
  }

  // `task` as the user runs it: hooks on, queueing into the fixture's queue.
  ProcessResult task(std::vector<std::string> args, std::string input = "") {
    args.insert(args.begin(), "task");
    std::vector<std::string> environment{"PATH=/usr/bin:/bin", "HOME=" + dir.path().string()};
    for (const char* name : {"TASKRC", "TASKDATA", "VIKUNJA_SYNC_DB"}) {
      environment.push_back(std::string(name) + "=" + env[name]);
    }
    return run_process(ProcessRequest{args, std::move(input), environment, std::chrono::seconds(30)});
  }

  std::vector<nlohmann::json> exported() {
    std::vector<nlohmann::json> tasks;
    const auto result = task({"rc.json.array=off", "export"});
    std::istringstream lines(result.out);
    for (std::string line; std::getline(lines, line);) {
      if (!line.empty()) tasks.push_back(nlohmann::json::parse(with_controls_escaped(line)));
    }
    return tasks;
  }

  std::vector<nlohmann::json> exported_with_status(const std::string& status) {
    std::vector<nlohmann::json> matching;
    for (auto& task : exported()) {
      if (task["status"] == status) matching.push_back(task);
    }
    return matching;
  }

  std::optional<nlohmann::json> by_vikunja_id(std::int64_t id) {
    for (auto& task : exported()) {
      if (task.value("vikunja_id", "") == std::to_string(id) && task["status"] != "recurring") return task;
    }
    return std::nullopt;
  }

  std::int64_t project_id(const std::string& title) {
    for (const auto& project : vikunja.projects()) {
      if (project["title"] == title) return project["id"].get<std::int64_t>();
    }
    return vikunja.add_project(title);
  }

  // A task made in Vikunja's web UI, with labels by title; no webhook yet.
  std::int64_t vikunja_task(const std::string& project, const nlohmann::json& fields,
                            const std::vector<std::string>& labels = {}) {
    const std::int64_t id = vikunja.add_task(project_id(project), fields);
    for (const std::string& title : labels) attach(id, title);
    return id;
  }

  void attach(std::int64_t task_id, const std::string& label_title) {
    for (const auto& label : vikunja.labels()) {
      if (label["title"] == label_title) return vikunja.attach_label(task_id, label["id"].get<std::int64_t>());
    }
    vikunja.attach_label(task_id, vikunja.add_label(label_title));
  }

  // The webhook Vikunja sends: the task as it is now (Vikunja reloads it before sending), or
  // `snapshot` for task.deleted and for a stale delivery.
  void notify(const std::string& event, std::int64_t task_id, std::optional<nlohmann::json> snapshot = std::nullopt) {
    nlohmann::json task = snapshot ? *snapshot : *vikunja.task(task_id);
    nlohmann::json body{{"event_name", event},
                        {"time", "2026-11-26T10:15:02.918273645Z"},
                        {"data", {{"doer", {{"id", 1}, {"username", "alice"}}}, {"task", task}}}};
    const std::string text = body.dump();
    const WebhookEvent parsed = parse_webhook_event(text, "body");
    store.enqueue({JobKind::webhook, vikunja_key(parsed.task_id), text, parsed.task_updated});
  }
};

}  // namespace vsync::test
