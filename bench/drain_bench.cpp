// Drain throughput and requests per job against the local Vikunja stand-in, and what an outage
// costs: requests that reach the server and the wall time of `drain` while the breaker is open,
// then the time to drain the backlog after recovery.
// Usage: drain_bench [JOBS=2000] [OUTAGE_JOBS=1000]

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>

#include "fake_vikunja.hpp"
#include "shared/queue_store.hpp"
#include "worker/worker.hpp"

namespace fs = std::filesystem;
using namespace vsync;
using vsync::test::FakeVikunja;
using json = nlohmann::json;

namespace {

struct Bench {
  fs::path dir;
  FakeVikunja vikunja;
  FakeClock clock{1'800'000'000'000};
  Logger log{LogLevel::error, false, [](std::string_view line) { fmt::print(stderr, "{}", line); }};
  std::unique_ptr<QueueStore> store;
  WorkerConfig config;

  explicit Bench(const std::string& name) {
    char pattern[] = "/tmp/vsync-drain-bench-XXXXXX";
    dir = ::mkdtemp(pattern);
    store = std::make_unique<QueueStore>(dir / (name + ".db"), clock);
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

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void report_drain(const char* what, Bench& bench, Worker& worker, int jobs) {
  bench.vikunja.forget_requests();
  const auto start = std::chrono::steady_clock::now();
  const DrainStats stats = worker.drain();
  const double seconds = seconds_since(start);
  fmt::print("  {:<34} {:5} jobs in {:6.2f} s = {:7.0f} jobs/s, {:.2f} HTTP requests/job (done {})\n",
             what, jobs, seconds, jobs / seconds, static_cast<double>(bench.vikunja.requests()) / jobs,
             stats.done);
}

void throughput(int jobs) {
  Bench bench("throughput");
  Worker worker(*bench.store, bench.config, bench.clock, bench.log);
  fmt::print("drain throughput against the local stand-in ({} push jobs):\n", jobs);
  bench.enqueue(0, jobs, "M");
  report_drain("new tasks (cold caches)", bench, worker, jobs);
  bench.enqueue(0, jobs, "H");
  report_drain("updates of mapped tasks (warm)", bench, worker, jobs);
  bench.enqueue(0, jobs, "H");
  report_drain("unchanged mapped tasks (warm)", bench, worker, jobs);
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
  const int jobs = argc > 1 ? std::atoi(argv[1]) : 2000;
  const int outage_jobs = argc > 2 ? std::atoi(argv[2]) : 1000;
  throughput(jobs);
  outage(outage_jobs);
}
