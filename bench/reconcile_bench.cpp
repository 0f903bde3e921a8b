// A reconcile of N tasks on each side, all linked, with 1 % changed (half in Taskwarrior, half
// in Vikunja) without any event: the requests it sends (list pages, then one job per change),
// its wall time and the worker's peak RSS. The real `task` in a temporary TASKDATA, the Vikunja
// stand-in on 127.0.0.1 with Vikunja's default page size of 50.
// Usage: reconcile_bench [TASKS=10000]

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>

#include "fake_vikunja.hpp"
#include "shared/queue_store.hpp"
#include "worker/sync/task_fields.hpp"
#include "worker/sync/task_map.hpp"
#include "worker/worker.hpp"

namespace fs = std::filesystem;
using namespace vsync;
using vsync::test::FakeVikunja;
using json = nlohmann::json;

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

long peak_rss_mib() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;
}

std::string uuid_of(int n) { return fmt::format("00000000-0000-4000-8000-{:012}", n); }

}  // namespace

int main(int argc, char** argv) {
  const int tasks = argc > 1 ? std::atoi(argv[1]) : 10'000;
  const int changed_each_side = std::max(1, tasks / 200);  // 1 % in all
  char pattern[] = "/tmp/vsync-reconcile-bench-XXXXXX";
  const fs::path dir = ::mkdtemp(pattern);
  fs::create_directories(dir / "task");
  {
    std::FILE* taskrc = std::fopen((dir / "taskrc").c_str(), "w");
    fmt::print(taskrc, "data.location={}\n", (dir / "task").string());
    std::fclose(taskrc);
  }
  FakeVikunja vikunja;
  FakeClock clock{1'800'000'000'000};
  Logger log{LogLevel::error, false, [](std::string_view line) { fmt::print(stderr, "{}", line); }};
  QueueStore store(dir / "queue.db", clock);
  const WorkerConfig config = load_worker_config(Environment::from_map(
      {{"VIKUNJA_URL", vikunja.url()}, {"VIKUNJA_API_TOKEN", FakeVikunja::token},
       {"TASKRC", (dir / "taskrc").string()}, {"TASKDATA", (dir / "task").string()}}));

  // N linked pairs that agree: one import into Taskwarrior, N tasks in the stand-in.
  TaskRunner task(config.task_bin.value, 600'000, {"TASKRC=" + config.taskrc->value, "TASKDATA=" + config.taskdata->value});
  TaskMap map(store.database(), clock);
  const std::int64_t project = vikunja.add_project("bench");
  json all = json::array();
  for (int n = 0; n < tasks; ++n) {
    const std::int64_t id = vikunja.add_task(project, {{"title", fmt::format("Bench task {}", n)}});
    json tw{{"uuid", uuid_of(n)}, {"description", fmt::format("Bench task {}", n)}, {"status", "pending"},
            {"entry", "20261126T231229Z"}, {"project", "bench"}, {"vikunja_id", std::to_string(id)}};
    map.link(uuid_of(n), id, std::nullopt, read_taskwarrior(tw, config.default_project.value));
    all.push_back(std::move(tw));
  }
  if (task.run({"rc.hooks=off", "import", "-"}, all.dump()).exit_code != 0) {
    fmt::print(stderr, "reconcile_bench: task import failed\n");
    return 1;
  }
  // 1 % changed without an event: half in Taskwarrior (hooks off), half in Vikunja.
  json changed = json::array();
  for (int n = 0; n < changed_each_side; ++n) {
    json tw = all[n];
    tw["description"] = fmt::format("Bench task {} (changed in Taskwarrior)", n);
    changed.push_back(tw);
    vikunja.edit_task(std::stoll(all[tasks - 1 - n]["vikunja_id"].get<std::string>()), {{"priority", 3}});
  }
  task.run({"rc.hooks=off", "import", "-"}, changed.dump());

  Worker worker(store, config, clock, log);
  vikunja.forget_requests();
  auto start = std::chrono::steady_clock::now();
  const ReconcilePlan plan = worker.reconcile();
  const double reconcile_seconds = seconds_since(start);
  const long long list_requests = vikunja.requests();
  fmt::print("reconcile of {} tasks on each side, {} changed in Taskwarrior and {} in Vikunja:\n", tasks,
             changed_each_side, changed_each_side);
  fmt::print("  plan: {:.2f} s, {} requests (list pages of 50), {} jobs queued, {} pairs agree\n", reconcile_seconds,
             list_requests, plan.jobs.size(), plan.agreeing_pairs);
  vikunja.forget_requests();
  start = std::chrono::steady_clock::now();
  const DrainStats stats = worker.drain();
  fmt::print("  drain of its jobs: {:.2f} s, {} requests ({:.2f} per job), {} done, {} task processes\n",
             seconds_since(start), vikunja.requests(), static_cast<double>(vikunja.requests()) / std::max(1, stats.total()),
             stats.done, worker.task_processes());
  vikunja.forget_requests();
  start = std::chrono::steady_clock::now();
  const ReconcilePlan second = worker.reconcile();
  fmt::print("  second reconcile: {:.2f} s, {} requests, {} jobs\n", seconds_since(start), vikunja.requests(),
             second.jobs.size());
  fmt::print("  worker peak RSS: {} MiB\n", peak_rss_mib());
  fs::remove_all(dir);
}
