#pragma once
// How `vikunja-worker run` idles: blocked in poll(2), using no CPU, until the earliest of a
// deadline (the next due job or breaker retry), a change to the queue file (inotify on its
// directory: another process committed a job), a change to a settings file (the token fixed:
// settings_watch.hpp), or SIGTERM/SIGINT (read through a signalfd, so a signal can never slip
// in between a check and the wait).
// Construct it before starting threads: it blocks SIGTERM and SIGINT for the process.

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace vsync {

class WorkWaiter {
 public:
  explicit WorkWaiter(const std::filesystem::path& queue_path);
  ~WorkWaiter();
  WorkWaiter(const WorkWaiter&) = delete;
  WorkWaiter& operator=(const WorkWaiter&) = delete;

  enum class Wake { deadline, queue_changed, settings_changed, stop };

  // Also wakes (settings_changed) when one of `files` is written, created or replaced.
  void watch_settings(const std::vector<std::filesystem::path>& files);

  // nullopt waits without a deadline.
  Wake wait(std::optional<std::chrono::milliseconds> timeout);
  // Reads pending signals without blocking; stays true once a stop was asked for.
  bool stop_requested();

 private:
  std::optional<Wake> read_events();  // what the inotify events concern, if anything

  int inotify_fd_ = -1;
  int queue_watch_ = -1;
  std::vector<std::pair<int, std::string>> settings_files_;  // (watch of its directory, name)
  int signal_fd_ = -1;
  std::string queue_name_;
  bool stop_ = false;
};

}  // namespace vsync
