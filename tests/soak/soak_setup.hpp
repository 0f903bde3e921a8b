#pragma once
// The soak's installation: one directory holding a Taskwarrior with our hooks installed, the
// queue, the worker logs, and the environments the real binaries run with (nothing of the
// developer's own VIKUNJA_* or Taskwarrior leaks in).

#include <chrono>
#include <filesystem>
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
  std::string webhook_secret = "soak-webhook-secret";

  // Writes the taskrc and links vikunja-enqueue into the hooks directory.
  static Installation create(const std::filesystem::path& dir, std::string vikunja_url);

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

}  // namespace vsync::soak
