#pragma once
// The soak's installation: one directory holding a Taskwarrior with our hooks installed, the
// queue, the worker logs, and the environments the real binaries run with (nothing of the
// developer's own VIKUNJA_* or Taskwarrior leaks in).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

namespace vsync::soak {

using namespace std::chrono_literals;

// Short enough that 60 s hold many outages and recoveries; the hang outlasts the timeout.
inline constexpr auto http_timeout = 2s;
inline constexpr auto hang_time = 3s;

struct Installation {
  std::filesystem::path dir;
  std::string vikunja_url;
  bool serialized_task = true;
  std::string webhook_secret = "soak-webhook-secret";

  // Writes the taskrc, links vikunja-enqueue into the hooks directory and, when
  // `serialized_task`, writes task_bin(): Taskwarrior 2.6 reads its files and rewrites them with
  // no lock held in between, so two `task` processes writing at once lose one's change
  // (taskwarrior#1735, the soak's first finding). The wrapper runs one `task` at a time under
  // flock(1), the workaround Taskwarrior's users apply; the writers and the workers
  // (VIKUNJA_SYNC_TASK_BIN) all go through it.
  static Installation create(const std::filesystem::path& dir, std::string vikunja_url, bool serialized_task);

  std::string task_bin() const;

  std::filesystem::path queue_dir() const { return dir / "queue"; }
  std::filesystem::path db() const { return queue_dir() / "queue.db"; }
  std::filesystem::path taskdata() const { return dir / "task"; }
  std::filesystem::path taskrc() const { return dir / "taskrc"; }
  std::filesystem::path hook(const std::string& name) const { return taskdata() / "hooks" / name; }
  std::filesystem::path logs() const { return dir / "logs"; }

  std::vector<std::string> task_environment() const;     // `task` as the user runs it: hooks queue
  std::vector<std::string> enqueue_environment() const;  // the webhook handler's: the secret set
  std::vector<std::string> worker_environment() const;   // short timeouts, backoff and breaker
};

// Local wall-clock time to the millisecond, "17:48:17.302": the stamp on worker log lines,
// soak events and job times, so that they can be read side by side.
std::string clock_text(std::int64_t unix_ms);
std::string clock_text_now();

// logs/soak-events.log: what the soak did and when (faults, kills, the full disk).
class EventLog {
 public:
  explicit EventLog(const std::filesystem::path& file) : out_(file) {}
  void note(const std::string& what);

 private:
  std::mutex mutex_;
  std::ofstream out_;
};

}  // namespace vsync::soak
