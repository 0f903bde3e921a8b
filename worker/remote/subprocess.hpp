#pragma once
// Runs a program by posix_spawn with an argv vector — never through a shell, so no argument is
// ever re-parsed — feeds it stdin, captures stdout and stderr, and kills it at a deadline.
// The child starts as the user would start it: no signal blocked, default dispositions (the
// worker blocks SIGTERM for its signalfd and ignores SIGPIPE), in a process group of its own,
// which is killed whole at the deadline or when its output passes the bound. The deadline
// covers the whole exchange: writing stdin (never blocking), reading, and the child's exit.
// Throws Error(software) only when the process cannot be started at all (spawn or pipe failed);
// a program that is not found exits 127, as a shell would report it.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace vsync {

struct ProcessRequest {
  std::vector<std::string> argv;  // argv[0] is looked up in PATH when it has no '/'
  std::string stdin_data;
  // The child's whole environment as NAME=VALUE; nullopt inherits ours.
  std::optional<std::vector<std::string>> environment;
  std::chrono::milliseconds timeout{30'000};
  std::size_t max_output_bytes = 64 * 1024 * 1024;  // stdout and stderr together
  // Called at least once a second while the child runs (the worker's heartbeat); must not throw.
  std::function<void()> on_progress = {};
};

struct ProcessResult {
  int exit_code = -1;    // the exit status, or -1 when killed by a signal
  int term_signal = 0;   // the signal that ended it, if any
  bool timed_out = false;
  bool output_too_large = false;  // killed: its output passed max_output_bytes
  bool cannot_execute = false;    // not found or not executable; exit_code is then 127
  std::string out;
  std::string err;
};

// Ignores SIGPIPE process-wide on first use, so that a child that exits without reading its
// stdin is an exit status, not the death of the caller.
ProcessResult run_process(const ProcessRequest& request);

// The current environment as NAME=VALUE strings, with `overrides` replacing or adding entries.
std::vector<std::string> environment_with(const std::vector<std::string>& overrides);

}  // namespace vsync
