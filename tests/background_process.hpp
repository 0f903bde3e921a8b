#pragma once
// A program started in the background for a test (vikunja-worker run), its stderr going to a
// file the test can read while it runs. Killed with SIGKILL if the test forgets to stop it.

#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <fcntl.h>

#include "temp_dir.hpp"

namespace vsync::test {

// Waits for `condition` without sleeping: it is checked again each time one of `fds` becomes
// readable (an inotify watch on the queue's directory, a socket, a pidfd), until `timeout`.
inline bool eventually(const std::function<bool()>& condition, std::vector<int> fds,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<pollfd> watched;
  for (const int fd : fds) watched.push_back({fd, POLLIN, 0});
  while (!condition()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    const int ready = ::poll(watched.data(), watched.size(), static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return condition();
    for (const pollfd& entry : watched) {
      if (entry.revents == 0) continue;
      char buffer[4096];
      struct stat info {};
      // inotify events are consumed here; sockets are left for the condition to read.
      if (::fstat(entry.fd, &info) == 0 && !S_ISSOCK(info.st_mode)) {
        [[maybe_unused]] const auto ignored = ::read(entry.fd, buffer, sizeof buffer);
      }
    }
  }
  return true;
}

// Something changed in a directory: the file descriptor turns readable (inotify).
class DirectoryWatch {
 public:
  explicit DirectoryWatch(const std::filesystem::path& directory)
      : fd_(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {
    ::inotify_add_watch(fd_, directory.c_str(), IN_MODIFY | IN_CREATE | IN_CLOSE_WRITE | IN_MOVED_TO);
  }
  ~DirectoryWatch() { ::close(fd_); }
  DirectoryWatch(const DirectoryWatch&) = delete;
  DirectoryWatch& operator=(const DirectoryWatch&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

class BackgroundProcess {
 public:
  BackgroundProcess(std::vector<std::string> argv, std::vector<std::string> environment,
                    std::filesystem::path stderr_file)
      : stderr_file_(std::move(stderr_file)) {
    std::vector<char*> args, envp;
    for (auto& arg : argv) args.push_back(arg.data());
    args.push_back(nullptr);
    for (auto& entry : environment) envp.push_back(entry.data());
    envp.push_back(nullptr);
    const int err = ::open(stderr_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(err, STDERR_FILENO);
      ::execve(args[0], args.data(), envp.data());
      _exit(127);
    }
    ::close(err);
  }
  ~BackgroundProcess() {
    if (pid_ > 0 && !exited_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  std::string stderr_text() const { return read_file(stderr_file_); }
  void signal(int number) const { ::kill(pid_, number); }

  // The exit status once it exited within `timeout`, else -1. A pidfd turns readable on exit.
  int wait_exit(std::chrono::milliseconds timeout) {
    int status = 0;
    const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
    const bool done = eventually([&] { return ::waitpid(pid_, &status, WNOHANG) == pid_; }, {pidfd}, timeout);
    ::close(pidfd);
    if (!done) return -1;
    exited_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  std::filesystem::path stderr_file_;
  pid_t pid_ = -1;
  bool exited_ = false;
};

}  // namespace vsync::test
