// Measures `vikunja-enqueue push` as a whole process against the floor (insert_floor: one
// durable SQLite insert from a minimal C program), and 16 processes x 200 enqueues at once.
// Usage: enqueue_bench [RUNS] [WORKERS] [PER_WORKER]     (defaults 300, 16, 200)

#include <algorithm>
#include <cctype>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <fmt/format.h>

#include "worker/remote/subprocess.hpp"

namespace fs = std::filesystem;
using vsync::ProcessRequest;
using vsync::run_process;

namespace {

std::string task_json(int n) {
  return fmt::format(
      R"({{"description":"Benchmark task {0}","entry":"20261126T231229Z","modified":"20261126T231229Z","priority":"H","project":"home.finance","status":"pending","tags":["bills","monthly"],"uuid":"{1:08x}-0000-4000-8000-{0:012x}"}})",
      n, static_cast<unsigned>(n / 4096));
}

double run_ms(const std::vector<std::string>& argv) {
  const auto start = std::chrono::steady_clock::now();
  const auto result = run_process(ProcessRequest{argv, "", std::nullopt, std::chrono::seconds(30)});
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (result.exit_code != 0) {
    fmt::print(stderr, "enqueue_bench: {} failed ({}): {}", argv[0], result.exit_code, result.err);
    std::exit(1);
  }
  return ms;
}

struct Figures {
  double median, p99;
};

Figures figures(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  const auto at = [&](double q) {
    return samples[std::min(samples.size() - 1, static_cast<std::size_t>(q * samples.size()))];
  };
  return {at(0.5), at(0.99)};
}

// The syscalls that make data durable, counted by strace for one enqueue into the existing
// queue: one fdatasync (the commit's WAL sync) is the floor with synchronous=FULL.
void print_sync_count(const std::string& db, const std::string& payload) {
  if (!fs::exists("/usr/bin/strace")) {
    fmt::print("  durable syncs per enqueue: (strace not installed)\n");
    return;
  }
  const auto traced = run_process(ProcessRequest{
      {"/usr/bin/strace", "-f", "-c", "-e", "trace=fsync,fdatasync,sync_file_range,msync", VIKUNJA_ENQUEUE,
       "--db", db, "push", payload},
      "", std::nullopt, std::chrono::seconds(30)});
  int syncs = 0;
  std::istringstream summary(traced.err);
  for (std::string line; std::getline(summary, line);) {
    std::istringstream words(line);
    std::vector<std::string> word{std::istream_iterator<std::string>(words), std::istream_iterator<std::string>()};
    // "% time seconds usecs/call calls [errors] syscall"
    if (word.size() >= 5 && word.back() != "total" && word.back() != "syscall" && std::isdigit(word[3][0])) {
      syncs += std::stoi(word[3]);
    }
  }
  fmt::print("  durable syncs per enqueue into the existing queue (strace -c): {}\n", syncs);
}

void latency(const fs::path& dir, int runs) {
  const std::string db = (dir / "latency.db").string();
  std::vector<std::string> payloads;
  for (int i = 0; i < runs; ++i) {
    payloads.push_back((dir / fmt::format("task-{}.json", i)).string());
    std::ofstream(payloads.back()) << task_json(i);
  }
  run_ms({VIKUNJA_ENQUEUE, "--db", db, "push", payloads[0]});  // creates and migrates the queue
  std::vector<double> enqueue_ms, floor_ms;
  for (int i = 0; i < runs; ++i) {  // interleaved, so both see the same machine and queue size
    enqueue_ms.push_back(run_ms({VIKUNJA_ENQUEUE, "--db", db, "push", payloads[i]}));
    floor_ms.push_back(run_ms({INSERT_FLOOR, db, fmt::format("tw:floor-{}", i), payloads[i]}));
  }
  const Figures enqueue = figures(enqueue_ms), floor = figures(floor_ms);
  fmt::print("latency over {} runs each (wall time of the whole process)\n", runs);
  fmt::print("  vikunja-enqueue push   median {:6.2f} ms   p99 {:6.2f} ms\n", enqueue.median, enqueue.p99);
  fmt::print("  insert_floor (C)       median {:6.2f} ms   p99 {:6.2f} ms\n", floor.median, floor.p99);
  fmt::print("  ratio (median)         {:.3f}x\n", enqueue.median / floor.median);
  print_sync_count(db, payloads[0]);
}

void concurrency(const fs::path& dir, int workers, int per_worker) {
  const std::string db = (dir / "concurrent.db").string();  // new: the racers also create it
  std::atomic<int> failed{0};
  std::vector<std::string> errors(static_cast<std::size_t>(workers));
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int w = 0; w < workers; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; i < per_worker; ++i) {
        const auto result = run_process(ProcessRequest{{VIKUNJA_ENQUEUE, "--db", db, "push", "-"},
                                                       task_json(100000 + w * per_worker + i),
                                                       std::nullopt, std::chrono::seconds(60)});
        if (result.exit_code != 0) {
          ++failed;
          errors[static_cast<std::size_t>(w)] = result.err;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  SQLite::Database queue(db);
  const int landed = queue.execAndGet("SELECT count(*) FROM jobs").getInt();
  fmt::print("concurrency: {} processes x {} enqueues into one new queue in {:.1f} s\n", workers,
             per_worker, seconds);
  fmt::print("  landed {} of {}, failed {}\n", landed, workers * per_worker, failed.load());
  for (const auto& error : errors) {
    if (!error.empty()) fmt::print("  a failure said: {}", error);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::atoi(argv[1]) : 300;
  const int workers = argc > 2 ? std::atoi(argv[2]) : 16;
  const int per_worker = argc > 3 ? std::atoi(argv[3]) : 200;
  char dir_template[] = "/tmp/vsync-bench-XXXXXX";
  const fs::path dir = ::mkdtemp(dir_template);
  latency(dir, runs);
  concurrency(dir, workers, per_worker);
  fs::remove_all(dir);
}
