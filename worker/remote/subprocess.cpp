#include "worker/remote/subprocess.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <mutex>

#include <fmt/format.h>

#include "shared/error.hpp"

extern char** environ;

namespace vsync {

namespace {

struct Pipe {
  int read_end = -1, write_end = -1;
  Pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
      throw Error(ExitCode::software, fmt::format("cannot create a pipe: {}", std::strerror(errno)));
    }
    read_end = fds[0];
    write_end = fds[1];
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  ~Pipe() {
    close_read();
    close_write();
  }
  void close_read() { if (read_end >= 0) ::close(read_end), read_end = -1; }
  void close_write() { if (write_end >= 0) ::close(write_end), write_end = -1; }
};

std::vector<char*> c_strings(const std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (const std::string& s : strings) pointers.push_back(const_cast<char*>(s.c_str()));
  pointers.push_back(nullptr);
  return pointers;
}

// Starts argv[0] (searched in PATH) on the pipes, in a process group of its own (so a timeout
// kills everything it started), with every signal at its default and none blocked: the worker
// blocks SIGTERM and SIGINT for its signalfd and ignores SIGPIPE, and a child must inherit
// neither. posix_spawn, because glibc starts the child with vfork semantics: the worker's
// memory is never copied, which fork did for every `task` run. Returns 0 or an errno.
int spawn_child(Pipe& in, Pipe& out, Pipe& err, char* const* argv, char* const* envp, pid_t& pid) {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
  ::posix_spawn_file_actions_init(&actions);
  ::posix_spawnattr_init(&attributes);
  ::posix_spawn_file_actions_adddup2(&actions, in.read_end, STDIN_FILENO);
  ::posix_spawn_file_actions_adddup2(&actions, out.write_end, STDOUT_FILENO);
  ::posix_spawn_file_actions_adddup2(&actions, err.write_end, STDERR_FILENO);
  // libcurl's sockets are not close-on-exec: nothing but the three pipes reaches `task`.
  ::posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);
  ::posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  ::posix_spawnattr_setpgroup(&attributes, 0);
  sigset_t none, all;
  ::sigemptyset(&none);
  ::sigfillset(&all);
  ::posix_spawnattr_setsigmask(&attributes, &none);
  ::posix_spawnattr_setsigdefault(&attributes, &all);
  const int error = ::posix_spawnp(&pid, argv[0], &actions, &attributes, argv, envp);
  ::posix_spawnattr_destroy(&attributes);
  ::posix_spawn_file_actions_destroy(&actions);
  return error;
}

// The errors of exec itself: the program is missing or cannot run. A shell says 127.
bool cannot_exec(int error) {
  switch (error) {
    case ENOENT: case EACCES: case ENOEXEC: case ENOTDIR: case ELOOP: case ENAMETOOLONG: case EISDIR:
    case ETXTBSY: case EPERM:
      return true;
    default:
      return false;
  }
}

void ignore_sigpipe_once() {
  static std::once_flag once;
  std::call_once(once, [] { ::signal(SIGPIPE, SIG_IGN); });
}

using Deadline = std::chrono::steady_clock::time_point;

int milliseconds_until(Deadline deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

// poll() in slices of at most a second, reporting progress between them; the result of the
// first poll that saw something, or 0 once the deadline passed.
int poll_until(pollfd* fds, nfds_t count, Deadline deadline, const std::function<void()>& on_progress) {
  constexpr int slice_ms = 1000;
  for (;;) {
    if (on_progress) {
      try {
        on_progress();
      } catch (...) {  // the child must still be killed and reaped below
      }
    }
    const int left = milliseconds_until(deadline);
    const int ready = ::poll(fds, count, std::min(left, slice_ms));
    if (ready != 0 || left <= slice_ms) return ready;
  }
}

enum class Exchange { finished, timed_out, too_large };

// Pumps stdin in and stdout/stderr out until both outputs close, the deadline passes or the
// output passes its bound. Stdin is written without blocking, so a child that never reads it
// cannot stall us past the deadline.
Exchange exchange(Pipe& in, Pipe& out, Pipe& err, const std::string& input, ProcessResult& result,
                  Deadline deadline, std::size_t max_output, const std::function<void()>& on_progress) {
  std::size_t written = 0;
  if (input.empty()) {
    in.close_write();
  } else {
    ::fcntl(in.write_end, F_SETFL, ::fcntl(in.write_end, F_GETFL) | O_NONBLOCK);
  }
  while (out.read_end >= 0 || err.read_end >= 0) {
    std::array<pollfd, 3> fds{{{out.read_end, POLLIN, 0}, {err.read_end, POLLIN, 0},
                               {in.write_end, POLLOUT, 0}}};
    const int ready = poll_until(fds.data(), fds.size(), deadline, on_progress);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return Exchange::timed_out;
    char buffer[65536];
    Pipe* outputs[] = {&out, &err};
    std::string* sinks[] = {&result.out, &result.err};
    for (int i = 0; i < 2; ++i) {
      if (fds[i].revents == 0) continue;
      const ssize_t got = ::read(fds[i].fd, buffer, sizeof buffer);
      if (got > 0) {
        sinks[i]->append(buffer, static_cast<std::size_t>(got));
        if (result.out.size() + result.err.size() > max_output) return Exchange::too_large;
      } else if (got == 0 || errno != EINTR) {
        outputs[i]->close_read();
      }
    }
    if (fds[2].revents != 0) {
      const ssize_t put = ::write(in.write_end, input.data() + written, input.size() - written);
      if (put > 0) written += static_cast<std::size_t>(put);
      if ((put < 0 && errno != EINTR && errno != EAGAIN) || written == input.size()) in.close_write();
    }
  }
  return Exchange::finished;
}

// Waits for the child's exit until the deadline (it may close its output and linger);
// false when the deadline passed first.
bool exited_by(pid_t pid, Deadline deadline, const std::function<void()>& on_progress) {
  // glibc 2.36's <sys/pidfd.h> declares pidfd_open without C linkage for C++: the syscall itself.
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) return true;  // no pidfd (an old kernel): waitpid below blocks as before
  pollfd exit{pidfd, POLLIN, 0};
  int ready;
  while ((ready = poll_until(&exit, 1, deadline, on_progress)) < 0 && errno == EINTR) {
  }
  ::close(pidfd);
  return ready > 0;
}

}  // namespace

std::vector<std::string> environment_with(const std::vector<std::string>& overrides) {
  std::vector<std::string> result;
  auto name_of = [](const std::string& entry) { return entry.substr(0, entry.find('=')); };
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string variable(*entry);
    bool replaced = false;
    for (const std::string& override_entry : overrides) {
      replaced = replaced || name_of(override_entry) == name_of(variable);
    }
    if (!replaced) result.push_back(variable);
  }
  result.insert(result.end(), overrides.begin(), overrides.end());
  return result;
}

ProcessResult run_process(const ProcessRequest& request) {
  if (request.argv.empty()) throw Error(ExitCode::software, "run_process: empty argv");
  ignore_sigpipe_once();
  const std::vector<std::string> env_strings =
      request.environment ? *request.environment : environment_with({});
  std::vector<char*> argv = c_strings(request.argv);
  std::vector<char*> envp = c_strings(env_strings);

  Pipe in, out, err;
  const Deadline deadline = std::chrono::steady_clock::now() + request.timeout;
  pid_t pid = -1;
  if (const int error = spawn_child(in, out, err, argv.data(), envp.data(), pid); error != 0) {
    if (cannot_exec(error)) {
      ProcessResult missing;
      missing.exit_code = 127;
      missing.cannot_execute = true;
      return missing;
    }
    throw Error(ExitCode::software, fmt::format("cannot start {}: {}", request.argv[0], std::strerror(error)));
  }

  in.close_read();
  out.close_write();
  err.close_write();
  ProcessResult result;
  const Exchange exchanged =
      exchange(in, out, err, request.stdin_data, result, deadline, request.max_output_bytes, request.on_progress);
  result.output_too_large = exchanged == Exchange::too_large;
  result.timed_out = exchanged == Exchange::timed_out ||
                     (exchanged == Exchange::finished && !exited_by(pid, deadline, request.on_progress));
  if (result.timed_out || result.output_too_large) ::kill(-pid, SIGKILL);  // the whole group
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.term_signal = WTERMSIG(status);
  }
  return result;
}

}  // namespace vsync
