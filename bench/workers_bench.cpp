// Workers that share a queue: 800 new tasks (in Taskwarrior, each with its push job queued, as
// the hook leaves them) drained by one `vikunja-worker run` and, on a fresh queue and a fresh
// Vikunja, by two on the same queue. For each: the wall time until the queue holds no pending or
// running job, jobs per second, tasks made in Vikunja beyond one per task (duplicates), dead
// jobs, link-lock waits and the log lines (at the default level, info) per job. The Vikunja
// stand-in is served from this process on 127.0.0.1.
// Usage: workers_bench [TASKS=800] [MOST_WORKERS=2]

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include <SQLiteCpp/Database.h>
#include <fmt/format.h>

#include "fake_vikunja.hpp"
#include "shared/queue_store.hpp"
#include "worker/remote/task_runner.hpp"

namespace fs = std::filesystem;
using namespace vsync;
using vsync::test::FakeVikunja;
using json = nlohmann::json;

namespace {

pid_t start_worker(const std::vector<std::string>& environment, const fs::path& queue, const fs::path& log) {
  std::vector<std::string> argv{VIKUNJA_WORKER, "--db", queue.string(), "run"};
  std::vector<char*> args, env;
  for (auto& word : argv) args.push_back(word.data());
  for (const auto& entry : environment) env.push_back(const_cast<char*>(entry.c_str()));
  args.push_back(nullptr);
  env.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::FILE* err = std::fopen(log.c_str(), "w");
    ::dup2(::fileno(err), STDERR_FILENO);
    ::execve(args[0], args.data(), env.data());
    ::_exit(127);
  }
  return pid;
}

long long count_lines(const fs::path& file) {
  std::ifstream in(file);
  long long lines = 0;
  for (std::string line; std::getline(in, line);) ++lines;
  return lines;
}

long long scalar(SQLite::Database& db, const char* sql) { return db.execAndGet(sql).getInt64(); }

void run(int tasks, int workers) {
  char pattern[] = "/tmp/vsync-workers-bench-XXXXXX";
  const fs::path dir = ::mkdtemp(pattern);
  fs::create_directories(dir / "task");
  {
    std::FILE* taskrc = std::fopen((dir / "taskrc").c_str(), "w");
    fmt::print(taskrc, "data.location={}\n", (dir / "task").string());
    std::fclose(taskrc);
  }
  const std::vector<std::string> environment{
      "VIKUNJA_URL=", "VIKUNJA_API_TOKEN=" + std::string(FakeVikunja::token), "TASKRC=" + (dir / "taskrc").string(),
      "TASKDATA=" + (dir / "task").string(), "HOME=" + dir.string(), "PATH=/usr/bin:/bin"};
  FakeVikunja vikunja;
  std::vector<std::string> worker_environment = environment;
  worker_environment[0] = "VIKUNJA_URL=" + vikunja.url();

  // The tasks in Taskwarrior (imported without hooks) and their push jobs in the queue.
  TaskRunner task("task", 600'000, {environment[2], environment[3]});
  SystemClock clock;
  QueueStore store(dir / "queue.db", clock);
  json all = json::array();
  for (int n = 0; n < tasks; ++n) {
    json tw{{"uuid", fmt::format("00000000-0000-4000-8000-{:012}", n)}, {"description", fmt::format("New task {}", n)},
            {"status", "pending"}, {"entry", "20261203T120000Z"}, {"project", "bench"}, {"tags", {"bench"}}};
    store.enqueue({JobKind::push, taskwarrior_key(tw["uuid"].get<std::string>()), tw.dump(), std::nullopt});
    all.push_back(std::move(tw));
  }
  if (task.run({"rc.hooks=off", "import", "-"}, all.dump()).exit_code != 0) {
    fmt::print(stderr, "workers_bench: task import failed\n");
    std::exit(1);
  }

  const auto start = std::chrono::steady_clock::now();
  std::vector<pid_t> pids;
  for (int n = 0; n < workers; ++n) {
    pids.push_back(start_worker(worker_environment, store.path(), dir / fmt::format("worker-{}.log", n)));
  }
  SQLite::Database reader(store.path(), SQLite::OPEN_READONLY);
  reader.setBusyTimeout(5000);
  while (scalar(reader, "SELECT count(*) FROM jobs WHERE state IN ('pending', 'running')") > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // a benchmark's poll, not a test's wait
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (const pid_t pid : pids) ::kill(pid, SIGTERM);
  for (const pid_t pid : pids) ::waitpid(pid, nullptr, 0);

  long long log_lines = 0;
  for (int n = 0; n < workers; ++n) log_lines += count_lines(dir / fmt::format("worker-{}.log", n));
  const long long dead = scalar(reader, "SELECT count(*) FROM jobs WHERE state = 'dead'");
  const long long waits = reader.execAndGet("SELECT coalesce(sum(value), 0) FROM counters WHERE name = "
                                            "'link_lock_waits_total'").getInt64();
  const long long made = static_cast<long long>(vikunja.tasks().size());
  fmt::print("  {} worker{}: {:5.1f} s, {:5.0f} jobs/s | duplicates {}, missing {}, dead {}, link-lock waits {}, "
             "log lines {:.2f} per job\n",
             workers, workers == 1 ? " " : "s", seconds, tasks / seconds, std::max(0LL, made - tasks),
             std::max(0LL, tasks - made), dead, waits, static_cast<double>(log_lines) / tasks);
  fs::remove_all(dir);
}

}  // namespace

int main(int argc, char** argv) {
  const int tasks = argc > 1 ? std::atoi(argv[1]) : 800;
  const int most_workers = argc > 2 ? std::atoi(argv[2]) : 2;
  fmt::print("{} new tasks drained by `vikunja-worker run` processes sharing one queue (fresh queue and Vikunja "
             "each):\n", tasks);
  for (int workers = 1; workers <= most_workers; ++workers) run(tasks, workers);
}
