#pragma once
// A queue in a temporary directory, a FakeVikunja, a FakeClock and the worker configuration
// pointing at them; log lines are collected for assertions.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <SQLiteCpp/Statement.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "fake_vikunja.hpp"
#include "shared/queue_store.hpp"
#include "temp_dir.hpp"
#include "worker/log/logger.hpp"
#include "worker/queue/job_claims.hpp"
#include "worker/worker.hpp"
#include "worker/worker_config.hpp"

namespace vsync::test {

inline constexpr UnixMillis test_epoch = 1'800'000'000'000;

struct WorkerFixture {
  TempDir dir;
  FakeVikunja vikunja;
  FakeClock clock{test_epoch};
  std::vector<std::string> log_lines;
  Logger log{LogLevel::debug, false, [this](std::string_view line) { log_lines.emplace_back(line); }};
  QueueStore store{dir / "queue.db", clock};
  std::map<std::string, std::string> env{
      {"VIKUNJA_URL", vikunja.url()},
      {"VIKUNJA_API_TOKEN", FakeVikunja::token},
      {"VIKUNJA_SYNC_HTTP_TIMEOUT", "2"},
      {"VIKUNJA_SYNC_BACKOFF_BASE", "10"},
      {"VIKUNJA_SYNC_BACKOFF_CAP", "600"},
  };

  // A Taskwarrior of the fixture's own: the worker runs the real `task`, never on the data of
  // whoever runs the tests.
  WorkerFixture() {
    std::filesystem::create_directories(dir / "task");
    dir.write("taskrc", "data.location=" + (dir / "task").string() + "\nconfirmation=off\n");
    env["TASKRC"] = (dir / "taskrc").string();
    env["TASKDATA"] = (dir / "task").string();
  }

  WorkerConfig config() const { return load_worker_config(Environment::from_map(env)); }
  std::unique_ptr<Worker> worker(const std::string& owner = "worker-a") {
    return std::make_unique<Worker>(store, config(), clock, log, owner);
  }

  // Claims on `on_store` (this fixture's connection or another one) with the configured policy.
  JobClaims claims(QueueStore& on_store, const std::string& owner,
                   std::vector<Target> targets = {Target::vikunja}) {
    const WorkerConfig settings = config();
    return JobClaims(on_store, clock, breaker_policy(settings),
                     ClaimPolicy{settings.lease(), settings.max_attempts.value},
                     Backoff(settings.backoff_base.value, settings.backoff_cap.value, 7), log, owner,
                     std::move(targets));
  }

  std::int64_t enqueue(JobKind kind, const nlohmann::json& task) {
    return store.enqueue({kind, taskwarrior_key(task.at("uuid").get<std::string>()), task.dump(), std::nullopt}).job_id;
  }

  std::int64_t push(int n) { return enqueue(JobKind::push, tw_task(n, fmt::format("Task {}", n))); }

  // A Taskwarrior task as a hook would print it; `n` makes the uuid.
  static nlohmann::json tw_task(int n, const std::string& description, nlohmann::json extra = nlohmann::json::object()) {
    nlohmann::json task{{"uuid", fmt::format("00000000-0000-4000-8000-{:012}", n)},
                        {"description", description},
                        {"status", "pending"},
                        {"entry", "20261126T231229Z"}};
    for (auto& [key, value] : extra.items()) task[key] = value;
    return task;
  }

  std::string job_column(std::int64_t id, const std::string& column) {
    SQLite::Statement query(store.database(), "SELECT coalesce(" + column + ", '') FROM jobs WHERE id = ?");
    query.bind(1, id);
    if (!query.executeStep()) return "(no job)";
    return query.getColumn(0).getString();
  }

  std::string breaker_column(const std::string& target, const std::string& column) {
    SQLite::Statement query(store.database(), "SELECT coalesce(" + column + ", '') FROM breaker WHERE target = ?");
    query.bind(1, target);
    query.executeStep();
    return query.getColumn(0).getString();
  }

  bool logged(const std::string& fragment) const {
    for (const auto& line : log_lines) {
      if (line.find(fragment) != std::string::npos) return true;
    }
    return false;
  }
};

}  // namespace vsync::test
