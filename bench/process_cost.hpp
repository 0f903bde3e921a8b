#pragma once
// A program run as a child process and what it cost: wall time, its own CPU time and its
// children's (read from /proc/PID/stat while it is a zombie not yet reaped, so the two stay
// apart), and its peak RSS (VmHWM, sampled every 5 ms). Its standard output goes to /dev/null.

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

namespace vsync::bench {

inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

struct ProcessCost {
  double wall_seconds = 0;
  double own_user_seconds = 0;      // of the worker itself
  double own_system_seconds = 0;
  double children_cpu_seconds = 0;  // of the `task` processes it ran
  long peak_rss_kib = 0;
  long peak_anon_kib = 0;  // of it, not backed by a file (sampled)
  int exit_status = -1;
};

inline long status_kib(pid_t pid, const char* field) {
  std::ifstream status(fmt::format("/proc/{}/status", pid));
  const std::string prefix = std::string(field) + ":";
  for (std::string line; std::getline(status, line);) {
    if (line.rfind(prefix, 0) == 0) return std::atol(line.c_str() + prefix.size());
  }
  return 0;
}

inline long peak_rss_kib(pid_t pid) { return status_kib(pid, "VmHWM"); }

// Fields 14-17 of /proc/PID/stat (utime, stime, cutime, cstime), read while the child is a
// zombie not yet reaped, so that its own time and its children's stay apart.
inline void read_cpu(pid_t pid, ProcessCost& cost) {
  std::ifstream stat_file(fmt::format("/proc/{}/stat", pid));
  std::string text((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::vector<std::string> field{std::istream_iterator<std::string>(fields), std::istream_iterator<std::string>()};
  const double tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
  cost.own_user_seconds = std::stod(field[11]) / tick;
  cost.own_system_seconds = std::stod(field[12]) / tick;
  cost.children_cpu_seconds = (std::stod(field[13]) + std::stod(field[14])) / tick;
}

inline ProcessCost run_measured(const std::vector<std::string>& argv, const std::vector<std::string>& environment) {
  std::vector<char*> args, env;
  for (const auto& word : argv) args.push_back(const_cast<char*>(word.c_str()));
  for (const auto& entry : environment) env.push_back(const_cast<char*>(entry.c_str()));
  args.push_back(nullptr);
  env.push_back(nullptr);
  ProcessCost cost;
  const auto start = std::chrono::steady_clock::now();
  // Sampled only once the child runs the program: before its exec it is a copy of this process.
  int exec_done[2];
  if (::pipe2(exec_done, O_CLOEXEC) != 0) std::abort();
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, STDOUT_FILENO);
    ::execve(args[0], args.data(), env.data());
    ::_exit(127);
  }
  ::close(exec_done[1]);
  char ignored = 0;
  while (::read(exec_done[0], &ignored, 1) > 0) {
  }
  ::close(exec_done[0]);
  for (;;) {
    siginfo_t info{};
    if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid) break;
    cost.peak_rss_kib = std::max(cost.peak_rss_kib, peak_rss_kib(pid));
    cost.peak_anon_kib = std::max(cost.peak_anon_kib, status_kib(pid, "RssAnon"));
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  cost.wall_seconds = seconds_since(start);
  read_cpu(pid, cost);
  int status = 0;
  ::waitpid(pid, &status, 0);
  cost.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return cost;
}

}  // namespace vsync::bench
