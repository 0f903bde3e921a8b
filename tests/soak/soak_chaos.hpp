#pragma once
// The soak's adversities. FaultSchedule is a thread that switches the Vikunja stand-in between
// answering normally and one failure at a time: refused connections, 503, 429 with
// X-RateLimit-Reset a second or two ahead, a hang longer than the worker's HTTP timeout (the
// request then dropped unapplied), a garbage 200 body, and a create whose answer is lost after
// the task was made. WorkerPool keeps `vikunja-worker run` processes and kills them with SIGKILL
// when told; it must be driven from one thread that outlives them (their parent-death signal
// follows the thread that started them).

#include <sys/types.h>

#include <array>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "fake_vikunja.hpp"
#include "soak_setup.hpp"

namespace vsync::soak {

enum class Fault { refused, unavailable, rate_limited, hang, garbage, lost_create };
inline constexpr std::size_t fault_kinds = 6;
const char* to_string(Fault fault);

class FaultSchedule {
 public:
  FaultSchedule(test::FakeVikunja& vikunja, std::uint64_t seed, EventLog& events);
  ~FaultSchedule();
  FaultSchedule(const FaultSchedule&) = delete;
  FaultSchedule& operator=(const FaultSchedule&) = delete;

  void stop();  // ends the current fault and answers normally from then on
  std::array<long long, fault_kinds> counts() const;
  long long total() const;

 private:
  void run();
  void inject(Fault fault);
  bool pause(std::chrono::milliseconds how_long);  // false once stopped

  test::FakeVikunja& vikunja_;
  std::mt19937_64 random_;
  EventLog& events_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::array<long long, fault_kinds> counts_{};
  std::thread thread_;
};

// One `vikunja-worker run`; its stdout and stderr go through a pipe to a thread that writes
// them to a log file, each line stamped with the time (the worker's own lines carry none, as
// journald adds it). SIGKILLed when destroyed.
class WorkerProcess {
 public:
  WorkerProcess(const std::vector<std::string>& environment, const std::filesystem::path& log);
  ~WorkerProcess();
  WorkerProcess(const WorkerProcess&) = delete;
  WorkerProcess& operator=(const WorkerProcess&) = delete;

  void kill();                                   // SIGKILL, reaped
  std::optional<int> exit_status();              // once it ended on its own; never blocks
  int stop(std::chrono::milliseconds timeout);   // SIGTERM; its exit status, or -1 on timeout
  const std::filesystem::path& log() const { return log_; }
  pid_t pid() const { return pid_; }

 private:
  std::optional<int> reap(int options);
  void copy_log(int from);  // the reader thread: until the worker's end of the pipe closes

  std::filesystem::path log_;
  pid_t pid_ = -1;
  std::optional<int> status_;
  std::thread reader_;
};

class WorkerPool {
 public:
  WorkerPool(const Installation& install, int size, std::uint64_t seed, EventLog& events);

  void kill_one();        // a random running worker: SIGKILL, then started again
  void restart_ended();   // workers that ended on their own are noted and started again
  void retire(std::size_t index, std::vector<std::string>& problems);  // SIGTERM: must exit 0
  std::size_t size() const { return workers_.size(); }

  long long kills() const { return kills_; }
  long long starts() const { return starts_; }
  const std::vector<std::string>& ended_on_their_own() const { return ended_; }
  // Exits that point at a bug: a signal we did not send, or an internal error (70).
  const std::vector<std::string>& crashes() const { return crashes_; }

 private:
  void start(std::size_t index);

  const Installation& install_;
  std::mt19937_64 random_;
  EventLog& events_;
  std::vector<std::unique_ptr<WorkerProcess>> workers_;
  long long kills_ = 0, starts_ = 0;
  std::vector<std::string> ended_, crashes_;
};

}  // namespace vsync::soak
