#pragma once
// A program started in the background for a test (vikunja-worker run), its stderr going to a
// file the test can read while it runs. Killed with SIGKILL if the test forgets to stop it.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>

#include "temp_dir.hpp"

namespace vsync::test {

// Polls `condition` until it holds or `timeout` passes: waiting on a condition, not a duration.
inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
    ::usleep(5'000);
  }
  return true;
}

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

  // The exit status once it exited within `timeout`, else -1.
  int wait_exit(std::chrono::milliseconds timeout) {
    int status = 0;
    const bool done = eventually([&] { return ::waitpid(pid_, &status, WNOHANG) == pid_; }, timeout);
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
