// Fuzz target: the on-add/on-modify hook (`vikunja-enqueue hook`), through its real entry point
// run_command: the input is what Taskwarrior writes to the hook's standard input (one line, or
// two for on-modify). It covers read_input("-"), the split into lines, the JSON check of each
// line and parse_task_snapshot of the new task. The queue is --db /dev/null/queue.db, which
// cannot be created: the hook then reports "change NOT queued" (its own catch), so every input
// runs to the end without touching a disk.
//
// Error is the hook's documented refusal (main turns it into a non-zero exit, and Taskwarrior
// rejects the change); anything else thrown is a finding. A hook that accepts its input must
// have printed the new task's line, which Taskwarrior reads back; standard output goes to a
// file here so that this can be checked.

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include <fmt/format.h>

#include "enqueue/commands.hpp"
#include "fuzz_support.hpp"
#include "shared/environment.hpp"
#include "shared/error.hpp"

namespace {

// Replaces the file behind `fd` with `text`, read from its start.
void refill(int fd, std::string_view text) {
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, text.data(), text.size(), 0) !=
                                     static_cast<ssize_t>(text.size()) ||
      ::lseek(fd, 0, SEEK_SET) != 0) {
    std::perror("hook_lines_fuzz: refill");
    std::abort();
  }
}

std::string contents(int fd) {
  std::string text;
  char buffer[4096];
  ssize_t got = 0;
  for (off_t offset = 0; (got = ::pread(fd, buffer, sizeof buffer, offset)) > 0; offset += got) {
    text.append(buffer, static_cast<std::size_t>(got));
  }
  return text;
}

int memory_file(const char* name) {
  const int fd = ::memfd_create(name, MFD_CLOEXEC);
  if (fd < 0) {
    std::perror("hook_lines_fuzz: memfd_create");
    std::abort();
  }
  return fd;
}

const int hook_stdin = memory_file("hook stdin");
const int hook_stdout = memory_file("hook stdout");

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = vsync::fuzz::as_text(data, size);
  refill(hook_stdin, input);
  refill(hook_stdout, "");
  std::fflush(stdout);
  if (::dup2(hook_stdin, STDIN_FILENO) < 0 || ::dup2(hook_stdout, STDOUT_FILENO) < 0) {
    std::perror("hook_lines_fuzz: dup2");
    std::abort();
  }

  vsync::enqueue::Options options;
  options.command = vsync::enqueue::Command::hook;
  options.db = "/dev/null/queue.db";
  const vsync::Environment env = vsync::Environment::from_map({});
  try {
    const vsync::ExitCode code = vsync::enqueue::run_command(options, env);
    if (code != vsync::ExitCode::ok) vsync::fuzz::fail("the hook returned an exit code without an Error");
  } catch (const vsync::Error&) {
    return 0;
  }
  std::fflush(stdout);

  // The new task is the last line; the hook prints it back first, as Taskwarrior requires.
  std::string_view new_task = input;
  if (new_task.ends_with('\n')) new_task.remove_suffix(1);
  if (const auto newline = new_task.rfind('\n'); newline != std::string_view::npos) {
    new_task.remove_prefix(newline + 1);
  }
  const std::string printed = contents(hook_stdout);
  if (!printed.starts_with(fmt::format("{}\n", new_task))) {
    vsync::fuzz::fail("the hook accepted its input but did not print the new task's line first");
  }
  return 0;
}
