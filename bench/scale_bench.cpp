// Whether the queue's costs stay flat as it grows: the same operations on a queue of 1,000 rows
// and one of 1,000,000 (90 % done, 10 % pending and not yet due, as after years of use with a
// backlog scheduled), measured interleaved; then the drain rate with 5,000 against 100,000 due
// jobs (after a long outage) against the Vikunja stand-in.
// Usage: scale_bench [LARGE_ROWS=1000000] [BACKLOG=100000]

#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <fmt/format.h>

#include "fake_vikunja.hpp"
#include "shared/queue_store.hpp"
#include "worker/metrics.hpp"
#include "worker/queue_admin.hpp"
#include "worker/queue_status.hpp"
#include "worker/remote/subprocess.hpp"
#include "worker/worker.hpp"

namespace fs = std::filesystem;
using namespace vsync;
using vsync::test::FakeVikunja;

namespace {

constexpr UnixMillis epoch = 1'800'000'000'000;
constexpr UnixMillis day = 86'400'000;

double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

double median(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  return samples[samples.size() / 2];
}

std::string push_payload(const std::string& uuid, const std::string& title) {
  return fmt::format(R"({{"uuid":"{}","description":"{}","status":"pending","entry":"20261126T231229Z","project":"bench","tags":["bench"]}})",
                     uuid, title);
}

// `rows` jobs written in one transaction through the schema's triggers: 90 % done a day ago,
// 10 % pending and due in a day. Keys are distinct, as one pending job per key requires.
void fill(QueueStore& store, long long rows, UnixMillis now) {
  SQLite::Database& db = store.database();
  SQLite::Transaction transaction(db);
  SQLite::Statement insert(db, R"sql(
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :rows)
    INSERT INTO jobs (kind, target, key, payload, state, attempts, created_at, updated_at, due_at)
    SELECT 'push', 'vikunja', printf('tw:00000000-0000-4000-8000-%012d', i),
           '{"uuid":"' || printf('00000000-0000-4000-8000-%012d', i) || '","description":"old","status":"pending"}',
           CASE WHEN i % 10 = 0 THEN 'pending' ELSE 'done' END, 1,
           :now - 2 * :day, :now - :day, CASE WHEN i % 10 = 0 THEN :now + :day ELSE :now - :day END
    FROM n)sql");
  insert.bind(":rows", static_cast<std::int64_t>(rows));
  insert.bind(":now", now);
  insert.bind(":day", day);
  insert.exec();
  transaction.commit();
  store.checkpoint();
}

struct Queue {
  std::string name;
  fs::path path;
  FakeClock clock{epoch};
  std::unique_ptr<QueueStore> store;
  std::vector<double> enqueue_ms, claim_ms, status_ms, metrics_ms, purge_ms, idle_drain_ms;
};

Logger quiet_log() {
  return Logger(LogLevel::error, false, [](std::string_view line) { fmt::print(stderr, "{}", line); });
}

double run_ms(const std::vector<std::string>& argv, const std::vector<std::string>& environment) {
  const auto start = std::chrono::steady_clock::now();
  const auto result = run_process(ProcessRequest{argv, "", environment, std::chrono::seconds(60)});
  const double ms = ms_since(start);
  if (result.exit_code != 0) {
    fmt::print(stderr, "scale_bench: {} failed ({}): {}", argv[0], result.exit_code, result.err);
    std::exit(1);
  }
  return ms;
}

template <typename F>
double time_ms(F&& operation) {
  const auto start = std::chrono::steady_clock::now();
  operation();
  return ms_since(start);
}

void measure_round(Queue& queue, const fs::path& payload, int round, WorkerConfig& config) {
  // A whole vikunja-enqueue process: opening the queue, one job in, closing.
  queue.enqueue_ms.push_back(run_ms({VIKUNJA_ENQUEUE, "--db", queue.path.string(), "push", payload.string()}, {}));
  // A claim among the 100,000 pending jobs that are not due, of the one that is.
  queue.store->enqueue({JobKind::push, fmt::format("tw:ffffffff-0000-4000-8000-{:012}", round),
                        push_payload(fmt::format("ffffffff-0000-4000-8000-{:012}", round), "due"), std::nullopt});
  Logger log = quiet_log();
  JobClaims claims(*queue.store, queue.clock, breaker_policy(config), ClaimPolicy{config.lease(), 5},
                   Backoff(1000, 60000), log, "bench", {Target::vikunja, Target::taskwarrior});
  std::optional<ClaimedJob> job;
  queue.claim_ms.push_back(time_ms([&] { job = claims.claim_next(); }));
  while (job) {  // the enqueue above queued a due job too
    claims.finish(*job, JobOutcome::done());
    job = claims.claim_next();
  }
  queue.status_ms.push_back(time_ms([&] { read_status(*queue.store); }));
  queue.metrics_ms.push_back(time_ms([&] { prometheus_metrics(*queue.store, queue.clock.now()); }));
  queue.purge_ms.push_back(time_ms([&] {
    purge_done_jobs(*queue.store, queue.clock.now() - done_retention, purge_batch_per_drain);
  }));
  queue.idle_drain_ms.push_back(run_ms({VIKUNJA_WORKER, "--db", queue.path.string(), "drain"},
                                       {"VIKUNJA_URL=http://127.0.0.1:9", "VIKUNJA_API_TOKEN=unused",
                                        "VIKUNJA_SYNC_LOG_LEVEL=error", "HOME=/nonexistent"}));
}

void compare_sizes(const fs::path& dir, long long large_rows) {
  std::vector<Queue> queues(2);
  queues[0].name = "1,000 rows";
  queues[1].name = fmt::format("{} rows", large_rows);
  const long long sizes[] = {1000, large_rows};
  for (int i = 0; i < 2; ++i) {
    queues[i].path = dir / fmt::format("queue-{}.db", sizes[i]);
    queues[i].store = std::make_unique<QueueStore>(queues[i].path, queues[i].clock);
    const double took = time_ms([&] { fill(*queues[i].store, sizes[i], epoch); });
    fmt::print("  filled the queue of {} in {:.1f} s\n", queues[i].name, took / 1000);
  }
  const fs::path payload = dir / "task.json";
  std::ofstream(payload) << push_payload("eeeeeeee-0000-4000-8000-000000000001", "enqueued");
  WorkerConfig config = load_worker_config(Environment::from_map(
      {{"VIKUNJA_URL", "http://127.0.0.1:9"}, {"VIKUNJA_API_TOKEN", "unused"}}));
  for (int round = 0; round < 60; ++round) {
    for (Queue& queue : queues) measure_round(queue, payload, round, config);
  }
  fmt::print("  {:<36} {:>12} {:>12} {:>8}\n", "median of 60, interleaved", queues[0].name, queues[1].name, "ratio");
  const auto row = [&](const char* what, auto member) {
    const double small = median(queues[0].*member), large = median(queues[1].*member);
    fmt::print("  {:<36} {:>9.3f} ms {:>9.3f} ms {:>7.2f}x\n", what, small, large, large / small);
  };
  row("enqueue (vikunja-enqueue process)", &Queue::enqueue_ms);
  row("claim (one due among 10 % pending)", &Queue::claim_ms);
  row("status (read_status)", &Queue::status_ms);
  row("metrics (Prometheus text)", &Queue::metrics_ms);
  row("purge after a drain (nothing old)", &Queue::purge_ms);
  row("idle drain (vikunja-worker process)", &Queue::idle_drain_ms);

  // What a purge costs when it does have work: a week-old batch among the done rows.
  Queue& large = queues[1];
  large.store->database().exec(fmt::format(
      "UPDATE jobs SET updated_at = {} WHERE id IN (SELECT id FROM jobs WHERE state = 'done' LIMIT 5000)",
      epoch - done_retention - day));
  const double purge_batch_ms = time_ms([&] {
    purge_done_jobs(*large.store, epoch - done_retention, purge_batch_per_drain);
  });
  fmt::print("  purge of {} week-old done jobs at {}: {:.1f} ms\n", purge_batch_per_drain, large.name, purge_batch_ms);
}

// Jobs per second over the first seconds of a drain of `backlog` due jobs of new tasks.
double drain_rate(const fs::path& dir, long long backlog, double seconds) {
  FakeVikunja vikunja;
  FakeClock clock{epoch};
  Logger log = quiet_log();
  const fs::path path = dir / fmt::format("backlog-{}.db", backlog);
  QueueStore store(path, clock);
  {
    SQLite::Database& db = store.database();
    SQLite::Transaction transaction(db);
    SQLite::Statement insert(db, R"sql(
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :rows)
      INSERT INTO jobs (kind, target, key, payload, created_at, updated_at, due_at)
      SELECT 'push', 'vikunja', printf('tw:00000000-0000-4000-8000-%012d', i),
             '{"uuid":"' || printf('00000000-0000-4000-8000-%012d', i) ||
             '","description":"Backlog task ' || i || '","status":"pending","entry":"20261126T231229Z"}',
             :now - :day, :now - :day, :now - :day + i
      FROM n)sql");
    insert.bind(":rows", static_cast<std::int64_t>(backlog));
    insert.bind(":now", epoch);
    insert.bind(":day", day);
    insert.exec();
    transaction.commit();
  }
  store.checkpoint();
  fs::create_directories(dir / "task");
  std::ofstream(dir / "taskrc") << "data.location=" << (dir / "task").string() << "\n";
  const WorkerConfig config = load_worker_config(Environment::from_map(
      {{"VIKUNJA_URL", vikunja.url()}, {"VIKUNJA_API_TOKEN", FakeVikunja::token},
       {"TASKRC", (dir / "taskrc").string()}, {"TASKDATA", (dir / "task").string()}}));
  Worker worker(store, config, clock, log);
  const auto start = std::chrono::steady_clock::now();
  const DrainStats stats = worker.drain([&] { return ms_since(start) > seconds * 1000; });
  return stats.done / (ms_since(start) / 1000);
}

}  // namespace

int main(int argc, char** argv) {
  const long long large_rows = argc > 1 ? std::atoll(argv[1]) : 1'000'000;
  const long long backlog = argc > 2 ? std::atoll(argv[2]) : 100'000;
  char pattern[] = "/tmp/vsync-scale-bench-XXXXXX";
  const fs::path dir = ::mkdtemp(pattern);
  fmt::print("queue size: 1,000 against {} rows (90 % done, 10 % pending not yet due)\n", large_rows);
  compare_sizes(dir, large_rows);

  const double seconds = 5;
  fmt::print("drain rate over {:.0f} s against the stand-in (new tasks, one push job each)\n", seconds);
  const double small_rate = drain_rate(dir, 5000, seconds);
  const double large_rate = drain_rate(dir, backlog, seconds);
  fmt::print("  5,000 due jobs queued:   {:7.0f} jobs/s\n", small_rate);
  fmt::print("  {} due jobs queued: {:7.0f} jobs/s ({:.2f}x)\n", backlog, large_rate, large_rate / small_rate);
  fs::remove_all(dir);
}
