// Webhook jobs applied to the real `task` in a temporary TASKDATA: jobs per second and `task`
// processes per job, for new tasks, changed tasks and echoes (events that change nothing).
// Usage: webhook_bench [JOBS=200]

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "fake_vikunja.hpp"
#include "shared/queue_store.hpp"
#include "shared/webhook_event.hpp"
#include "worker/worker.hpp"

namespace fs = std::filesystem;
using namespace vsync;
using json = nlohmann::json;

namespace {

std::string event(int id, const std::string& title, int minute) {
  const json task{{"id", id},           {"title", title},       {"done", false},
                  {"priority", 3},      {"project_id", 7},      {"due_date", "2026-12-07T09:00:00Z"},
                  {"labels", json::array({{{"id", 3}, {"title", "bills"}}})},
                  {"updated", fmt::format("2026-11-26T10:{:02}:00Z", minute)}};
  return json{{"event_name", "task.updated"}, {"time", "2026-11-26T10:15:02Z"},
              {"data", {{"task", task}, {"project", {{"id", 7}, {"title", "Home"}}}}}}.dump();
}

}  // namespace

int main(int argc, char** argv) {
  const int jobs = argc > 1 ? std::atoi(argv[1]) : 200;
  char pattern[] = "/tmp/vsync-webhook-bench-XXXXXX";
  const fs::path dir = ::mkdtemp(pattern);
  fs::create_directories(dir / "task");
  std::ofstream(dir / "taskrc") << "data.location=" << (dir / "task").string() << "\n";

  vsync::test::FakeVikunja vikunja;  // the worker needs a Vikunja; webhook jobs never call it
  FakeClock clock(1'800'000'000'000);
  Logger log(LogLevel::error, false, [](std::string_view line) { fmt::print(stderr, "{}", line); });
  QueueStore store(dir / "queue.db", clock);
  const WorkerConfig config = load_worker_config(Environment::from_map(
      {{"VIKUNJA_URL", vikunja.url()}, {"VIKUNJA_API_TOKEN", vsync::test::FakeVikunja::token},
       {"TASKRC", (dir / "taskrc").string()}, {"TASKDATA", (dir / "task").string()}}));
  Worker worker(store, config, clock, log);

  fmt::print("webhook jobs applied with the real `task` ({} jobs per row):\n", jobs);
  const auto round = [&](const char* what, const std::string& title, int minute) {
    for (int id = 1; id <= jobs; ++id) {
      const std::string body = event(id, fmt::format("{} {}", title, id), minute);
      store.enqueue({JobKind::webhook, vikunja_key(id), body, parse_webhook_event(body, "body").task_updated});
    }
    const long long processes = worker.task_processes();
    const auto start = std::chrono::steady_clock::now();
    const DrainStats stats = worker.drain();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    fmt::print("  {:<28} {:7.1f} jobs/s   {:.2f} task processes/job   (done {}, dead {})\n", what,
               jobs / seconds, static_cast<double>(worker.task_processes() - processes) / jobs, stats.done,
               stats.dead);
  };
  round("new tasks", "Task", 1);
  round("changed tasks (new title)", "Renamed task", 2);
  round("echoes (nothing changed)", "Renamed task", 3);
  fs::remove_all(dir);
}
