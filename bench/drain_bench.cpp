// What a drain costs the machine: `vikunja-worker drain` as a process against the local Vikunja
// stand-in (served from this process, so the server's time is not the worker's), with requests
// per job, jobs per second, the worker's own CPU time per job, its `task` children's, and its
// peak RSS; for new tasks, updates, and a long queue of jobs that need no request. Then what an
// outage costs: requests that reach the server and the wall time of `drain` while the breaker
// is open, and the time to drain the backlog after recovery.
// Usage: drain_bench [JOBS=1000] [LONG_DRAIN_JOBS=100000] [OUTAGE_JOBS=1000]

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "fake_vikunja.hpp"
#include "process_cost.hpp"
#include "shared/queue_store.hpp"
#include "worker/worker.hpp"

namespace fs = std::filesystem;
using namespace vsync;
using namespace vsync::bench;
using vsync::test::FakeVikunja;
using json = nlohmann::json;

namespace {

struct Bench {
  fs::path dir;
  FakeVikunja vikunja;
  FakeClock clock{1'800'000'000'000};
  SystemClock system_clock;  // for jobs a separate worker process drains: it reads the real time
  Logger log{LogLevel::error, false, [](std::string_view line) { fmt::print(stderr, "{}", line); }};
  std::unique_ptr<QueueStore> store;
  WorkerConfig config;

  enum class Time { fake, real };

  explicit Bench(const std::string& name, Time time = Time::fake) {
    char pattern[] = "/tmp/vsync-drain-bench-XXXXXX";
    dir = ::mkdtemp(pattern);
    store = std::make_unique<QueueStore>(dir / (name + ".db"), time == Time::real ? static_cast<const Clock&>(system_clock) : clock);
    // A Taskwarrior of the benchmark's own: a push of a linked task reads it back.
    fs::create_directories(dir / "task");
    std::FILE* taskrc = std::fopen((dir / "taskrc").c_str(), "w");
    fmt::print(taskrc, "data.location={}\n", (dir / "task").string());
    std::fclose(taskrc);
    config = load_worker_config(Environment::from_map(
        {{"VIKUNJA_URL", vikunja.url()}, {"VIKUNJA_API_TOKEN", FakeVikunja::token},
         {"TASKRC", (dir / "taskrc").string()}, {"TASKDATA", (dir / "task").string()}}));
  }
  ~Bench() { fs::remove_all(dir); }

  void enqueue(int first, int count, const std::string& priority) {
    for (int n = first; n < first + count; ++n) {
      const json task{{"uuid", fmt::format("00000000-0000-4000-8000-{:012}", n)},
                      {"description", fmt::format("Benchmark task {}", n)},
                      {"status", "pending"}, {"project", "bench"}, {"priority", priority},
                      {"tags", {"bench"}}};
      store->enqueue({JobKind::push, taskwarrior_key(task["uuid"].get<std::string>()), task.dump(), std::nullopt});
    }
  }
};

void report_process(const char* what, Bench& bench, int jobs) {
  bench.vikunja.forget_requests();
  const ProcessCost cost = run_measured(
      {VIKUNJA_WORKER, "--db", bench.store->path().string(), "drain"},
      {"VIKUNJA_URL=" + bench.vikunja.url(), std::string("VIKUNJA_API_TOKEN=") + FakeVikunja::token,
       "TASKRC=" + (bench.dir / "taskrc").string(), "TASKDATA=" + (bench.dir / "task").string(),
       "VIKUNJA_SYNC_LOG_LEVEL=warning", "HOME=" + bench.dir.string(), "PATH=/usr/bin:/bin"});
  if (cost.exit_status != 0) {
    fmt::print(stderr, "drain_bench: vikunja-worker drain exited {}\n", cost.exit_status);
    std::exit(1);
  }
  const auto per_job_ms = [&](double seconds) { return seconds * 1000 / jobs; };
  fmt::print("  {:<34} {:6} jobs {:6.0f} jobs/s {:4.2f} req/job | worker CPU {:.3f} ms/job (user {:.3f}, sys {:.3f}), "
             "its task runs {:.3f} | peak RSS {:.1f} MiB\n",
             what, jobs, jobs / cost.wall_seconds, static_cast<double>(bench.vikunja.requests()) / jobs,
             per_job_ms(cost.own_user_seconds + cost.own_system_seconds), per_job_ms(cost.own_user_seconds),
             per_job_ms(cost.own_system_seconds), per_job_ms(cost.children_cpu_seconds), cost.peak_rss_kib / 1024.0);
}

void throughput(int jobs, int long_drain_jobs) {
  Bench bench("throughput", Bench::Time::real);
  fmt::print("vikunja-worker drain as a process against the local stand-in:\n");
  bench.enqueue(0, jobs, "M");
  report_process("new tasks (cold caches)", bench, jobs);
  bench.enqueue(0, jobs, "H");
  report_process("updates of mapped tasks", bench, jobs);
  bench.enqueue(0, jobs, "H");
  report_process("unchanged mapped tasks", bench, jobs);

  Bench long_drain("long", Bench::Time::real);
  for (int n = 0; n < long_drain_jobs; ++n) {  // deletes of tasks never linked: no request at all
    const json task{{"uuid", fmt::format("00000000-0000-4000-8000-{:012}", n)}, {"description", "gone"},
                    {"status", "deleted"}};
    long_drain.store->enqueue({JobKind::del, taskwarrior_key(task["uuid"].get<std::string>()), task.dump(), std::nullopt});
  }
  report_process("deletes never linked (no request)", long_drain, long_drain_jobs);
}

void outage(int jobs) {
  Bench bench("outage");
  Worker worker(*bench.store, bench.config, bench.clock, bench.log);
  bench.enqueue(0, jobs, "M");
  bench.vikunja.answer_every_request(503, {}, R"({"message":"Service Unavailable"})");
  fmt::print("outage of 60 s with {} jobs queued (threshold {}, recovery {} s), a drain every second from 0 s to 60 s:\n",
             jobs, bench.config.breaker_threshold.value, bench.config.breaker_recovery.value / 1000);
  double slowest = 0, total = 0;
  for (int second = 0; second <= 60; ++second) {  // t = 0 s .. 60 s
    const auto start = std::chrono::steady_clock::now();
    worker.drain();
    const double took = seconds_since(start);
    slowest = std::max(slowest, took);
    total += took;
    bench.clock.advance(1000);
  }
  fmt::print("  requests that reached the server: {}\n", bench.vikunja.requests());
  fmt::print("  drain wall time: slowest {:.1f} ms, mean {:.2f} ms\n", slowest * 1000, total / 61 * 1000);

  bench.vikunja.answer_normally();
  bench.vikunja.forget_requests();
  bench.clock.advance(3'600'000);  // past the (doubled) recovery window and every backoff
  const auto start = std::chrono::steady_clock::now();
  const DrainStats stats = worker.drain();
  fmt::print("  after recovery: {} jobs drained in {:.2f} s ({} requests), dead {}\n", stats.done,
             seconds_since(start), bench.vikunja.requests(), stats.dead);
}

}  // namespace

int main(int argc, char** argv) {
  const int jobs = argc > 1 ? std::atoi(argv[1]) : 1000;
  const int long_drain_jobs = argc > 2 ? std::atoi(argv[2]) : 100'000;
  const int outage_jobs = argc > 3 ? std::atoi(argv[3]) : 1000;
  throughput(jobs, long_drain_jobs);
  outage(outage_jobs);
}
