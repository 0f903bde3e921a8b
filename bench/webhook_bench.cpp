// Webhook jobs applied to the real `task` in a temporary TASKDATA: jobs per second, `task`
// processes and Vikunja requests per job, for new tasks, changed tasks and echoes (events that
// change nothing). Each job reads its task back from the stand-in on 127.0.0.1.
// Usage: webhook_bench [JOBS=200]

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <vector>

#include <fmt/format.h>

#include "fake_vikunja.hpp"
#include "shared/queue_store.hpp"
#include "shared/webhook_event.hpp"
#include "worker/worker.hpp"

namespace fs = std::filesystem;
using namespace vsync;
using json = nlohmann::json;

namespace {

// The webhook Vikunja sends for the task as it is now.
std::string event(const json& task) {
  return json{{"event_name", "task.updated"}, {"time", "2026-11-26T10:15:02Z"}, {"data", {{"task", task}}}}.dump();
}

}  // namespace

int main(int argc, char** argv) {
  const int jobs = argc > 1 ? std::atoi(argv[1]) : 200;
  char pattern[] = "/tmp/vsync-webhook-bench-XXXXXX";
  const fs::path dir = ::mkdtemp(pattern);
  fs::create_directories(dir / "task");
  std::ofstream(dir / "taskrc") << "data.location=" << (dir / "task").string() << "\n";

  vsync::test::FakeVikunja vikunja;
  FakeClock clock(1'800'000'000'000);
  Logger log(LogLevel::error, false, [](std::string_view line) { fmt::print(stderr, "{}", line); });
  QueueStore store(dir / "queue.db", clock);
  const WorkerConfig config = load_worker_config(Environment::from_map(
      {{"VIKUNJA_URL", vikunja.url()}, {"VIKUNJA_API_TOKEN", vsync::test::FakeVikunja::token},
       {"TASKRC", (dir / "taskrc").string()}, {"TASKDATA", (dir / "task").string()}}));
  Worker worker(store, config, clock, log);

  const std::int64_t project = vikunja.add_project("Home");
  const std::int64_t label = vikunja.add_label("bills");
  std::vector<std::int64_t> ids;
  for (int n = 1; n <= jobs; ++n) {
    ids.push_back(vikunja.add_task(project, {{"title", fmt::format("Task {}", n)}, {"priority", 3},
                                             {"due_date", "2026-12-07T09:00:00Z"}}));
    vikunja.attach_label(ids.back(), label);
  }

  fmt::print("webhook jobs applied with the real `task` ({} jobs per row):\n", jobs);
  const auto round = [&](const char* what, const std::function<void(std::int64_t)>& change) {
    for (const std::int64_t id : ids) {
      change(id);
      const std::string body = event(*vikunja.task(id));
      store.enqueue({JobKind::webhook, vikunja_key(id), body, parse_webhook_event(body, "body").task_updated});
    }
    const long long processes = worker.task_processes();
    vikunja.forget_requests();
    const auto start = std::chrono::steady_clock::now();
    const DrainStats stats = worker.drain();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    fmt::print("  {:<28} {:7.1f} jobs/s   {:.2f} task processes/job   {:.2f} requests/job   (done {}, dead {})\n", what,
               jobs / seconds, static_cast<double>(worker.task_processes() - processes) / jobs,
               static_cast<double>(vikunja.requests()) / jobs, stats.done, stats.dead);
  };
  round("new tasks", [](std::int64_t) {});
  round("changed tasks (new title)", [&](std::int64_t id) { vikunja.edit_task(id, {{"title", fmt::format("Renamed task {}", id)}}); });
  round("echoes (nothing changed)", [](std::int64_t) {});
  fs::remove_all(dir);
}
