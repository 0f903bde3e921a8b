#include "worker/work_waiter.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "shared/error.hpp"

namespace vsync {

namespace {

[[noreturn]] void fail(const char* what) {
  throw Error(ExitCode::software, fmt::format("cannot {}: {}", what, std::strerror(errno)));
}

}  // namespace

WorkWaiter::WorkWaiter(const std::filesystem::path& queue_path)
    : queue_name_(queue_path.filename().string()) {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  if (sigprocmask(SIG_BLOCK, &stop_signals, nullptr) != 0) fail("block SIGTERM and SIGINT");
  signal_fd_ = signalfd(-1, &stop_signals, SFD_NONBLOCK | SFD_CLOEXEC);
  if (signal_fd_ < 0) fail("create a signalfd");
  inotify_fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (inotify_fd_ < 0) fail("create an inotify instance");
  const std::string directory = queue_path.parent_path().empty() ? "." : queue_path.parent_path().string();
  queue_watch_ = inotify_add_watch(inotify_fd_, directory.c_str(), IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE);
  if (queue_watch_ < 0) throw Error(ExitCode::io, fmt::format("cannot watch {}: {}", directory, std::strerror(errno)));
}

void WorkWaiter::watch_settings(const std::vector<std::filesystem::path>& files) {
  for (const auto& file : files) {
    const std::string directory = file.parent_path().empty() ? "." : file.parent_path().string();
    // One watch per directory (inotify returns the same one again). A directory that cannot be
    // watched (missing) only costs the early wake: the file is read again at the next drain.
    // IN_MASK_ADD: the queue's own directory keeps the events its watch asked for.
    const int watch =
        inotify_add_watch(inotify_fd_, directory.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_MASK_ADD);
    if (watch >= 0) settings_files_.emplace_back(watch, file.filename().string());
  }
}

WorkWaiter::~WorkWaiter() {
  if (inotify_fd_ >= 0) ::close(inotify_fd_);
  if (signal_fd_ >= 0) ::close(signal_fd_);
}

bool WorkWaiter::stop_requested() {
  signalfd_siginfo info{};
  while (::read(signal_fd_, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) stop_ = true;
  return stop_;
}

// A settings file changed (first: one read may bring the worker's own commits with it, which
// the caller waits through), or the queue file or its WAL did.
std::optional<WorkWaiter::Wake> WorkWaiter::read_events() {
  std::optional<Wake> wake;
  alignas(inotify_event) char buffer[4096];
  for (ssize_t got; (got = ::read(inotify_fd_, buffer, sizeof buffer)) > 0;) {
    for (char* at = buffer; at < buffer + got;) {
      const auto* event = reinterpret_cast<const inotify_event*>(at);
      const std::string name = event->len > 0 ? event->name : "";
      const bool settings = std::any_of(settings_files_.begin(), settings_files_.end(), [&](const auto& watched) {
        return watched.first == event->wd && watched.second == name;
      });
      if (settings) {
        wake = Wake::settings_changed;
      } else if (event->wd == queue_watch_ && name.starts_with(queue_name_) && !wake) {
        wake = Wake::queue_changed;
      }
      at += sizeof(inotify_event) + event->len;
    }
  }
  return wake;
}


WorkWaiter::Wake WorkWaiter::wait(std::optional<std::chrono::milliseconds> timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout.value_or(std::chrono::milliseconds(0));
  while (true) {
    if (stop_requested()) return Wake::stop;
    int wait_ms = -1;
    if (timeout) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return Wake::deadline;
      wait_ms = static_cast<int>(std::min<long long>(left.count(), 24LL * 3600 * 1000));
    }
    pollfd fds[2] = {{signal_fd_, POLLIN, 0}, {inotify_fd_, POLLIN, 0}};
    const int ready = ::poll(fds, 2, wait_ms);
    if (ready < 0 && errno != EINTR) fail("wait for work");
    if (ready > 0 && (fds[1].revents & POLLIN)) {
      if (const auto wake = read_events()) return *wake;
    }
  }
}

}  // namespace vsync
