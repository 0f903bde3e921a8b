// run_process with children that misbehave: ignore or block signals, flood stdout, never read
// stdin, leave grandchildren behind. Real programs (sh, sleep, yes, grep) on a real kernel.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <chrono>
#include <string>

#include "worker/remote/subprocess.hpp"

using namespace vsync;
using namespace std::chrono_literals;

namespace {

ProcessResult run(std::vector<std::string> argv, std::chrono::milliseconds timeout = 10s, std::string input = "",
                  std::size_t max_output = 64 * 1024 * 1024) {
  ProcessRequest request{std::move(argv), std::move(input), std::nullopt, timeout};
  request.max_output_bytes = max_output;
  return run_process(request);
}

// The line of /proc/self/status named `field`, as the child sees it.
std::string status_line(const ProcessResult& result, const std::string& field) {
  const auto at = result.out.find(field + ":");
  REQUIRE(at != std::string::npos);
  const auto value = result.out.substr(at + field.size() + 1, result.out.find('\n', at) - at - field.size() - 1);
  return value.substr(value.find_first_not_of(" \t"));
}

}  // namespace

TEST_CASE("a child starts with no signal blocked and default dispositions, whatever the worker has", "[subprocess]") {
  sigset_t blocked, previous;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGTERM);
  sigaddset(&blocked, SIGINT);
  REQUIRE(pthread_sigmask(SIG_BLOCK, &blocked, &previous) == 0);  // as `run` does for its signalfd
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  struct sigaction previous_pipe {};
  REQUIRE(sigaction(SIGPIPE, &ignore, &previous_pipe) == 0);
  const ProcessResult result = run({"cat", "/proc/self/status"});
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  sigaction(SIGPIPE, &previous_pipe, nullptr);
  REQUIRE(result.exit_code == 0);
  CHECK(status_line(result, "SigBlk") == "0000000000000000");
  // glibc's posix_spawn leaves its two internal signals (32 and 33, below SIGRTMIN, for thread
  // cancellation and setuid) ignored rather than run the parent's handlers; the new program's
  // libc installs its own when it needs them. Every signal a program can use is at its default.
  const unsigned long long glibc_internal = (1ULL << 31) | (1ULL << 32);
  CHECK((std::stoull(status_line(result, "SigIgn"), nullptr, 16) & ~glibc_internal) == 0);
}

TEST_CASE("a child gets stdin, stdout and stderr, and no other descriptor of the worker", "[subprocess]") {
  // As libcurl's sockets are: open without close-on-exec.
  const int leaky = ::open("/dev/null", O_RDONLY);
  REQUIRE(leaky > STDERR_FILENO);
  const ProcessResult result = run({"readlink", fmt::format("/proc/self/fd/{}", leaky)});
  ::close(leaky);
  CHECK(result.exit_code == 1);
  CHECK(result.out.empty());
}

TEST_CASE("a child that floods its output is killed past the bound", "[subprocess]") {
  const auto started = std::chrono::steady_clock::now();
  const ProcessResult result = run({"yes"}, 10s, "", 1024 * 1024);
  CHECK(result.output_too_large);
  CHECK_FALSE(result.timed_out);
  CHECK(result.term_signal == SIGKILL);
  CHECK(result.out.size() <= 1024 * 1024 + 65536);
  CHECK(std::chrono::steady_clock::now() - started < 5s);
}

TEST_CASE("a child that never reads its stdin cannot stall the caller past the deadline", "[subprocess]") {
  const std::string megabytes(8 * 1024 * 1024, 'x');  // far more than a pipe holds
  const auto started = std::chrono::steady_clock::now();
  const ProcessResult result = run({"sleep", "30"}, 300ms, megabytes);
  CHECK(result.timed_out);
  CHECK(result.term_signal == SIGKILL);
  CHECK(std::chrono::steady_clock::now() - started < 5s);
}

TEST_CASE("at the deadline the child's whole process group is killed, grandchildren too", "[subprocess]") {
  // sh ignores SIGTERM here and leaves a grandchild holding nothing of ours.
  const ProcessResult result = run({"sh", "-c", "trap '' TERM; sleep 30 > /dev/null 2>&1 & echo $!; exec sleep 30"}, 300ms);
  CHECK(result.timed_out);
  const pid_t grandchild = std::stoi(result.out);
  // SIGKILL was sent before run_process returned; its delivery is asynchronous, so wait (on a
  // pidfd, readable once the process has exited) rather than look at once.
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, grandchild, 0));
  if (pidfd >= 0) {  // else it is gone already
    pollfd exited{pidfd, POLLIN, 0};
    CHECK(::poll(&exited, 1, 5000) == 1);
    ::close(pidfd);
  }
}

TEST_CASE("a child that closes its output but lingers is killed at the deadline", "[subprocess]") {
  const auto started = std::chrono::steady_clock::now();
  const ProcessResult result = run({"sh", "-c", "exec > /dev/null 2>&1; sleep 30"}, 300ms);
  CHECK(result.timed_out);
  CHECK(std::chrono::steady_clock::now() - started < 5s);
}

TEST_CASE("a program that is not there exits 127, and arguments are never re-parsed", "[subprocess]") {
  const ProcessResult missing = run({"/nonexistent/program"});
  CHECK(missing.exit_code == 127);
  CHECK(missing.cannot_execute);
  const ProcessResult exits_127 = run({"sh", "-c", "exit 127"});
  CHECK(exits_127.exit_code == 127);
  CHECK_FALSE(exits_127.cannot_execute);
  const ProcessResult echoed = run({"printf", "%s|", "$(id)", "; rm -rf /", "`x`"});
  CHECK(echoed.exit_code == 0);
  CHECK(echoed.out == "$(id)|; rm -rf /|`x`|");
}
