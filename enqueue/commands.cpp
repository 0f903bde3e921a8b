#include "enqueue/commands.hpp"

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/std.h>

#include "enqueue/hook_installer.hpp"
#include "enqueue/webhook_signature.hpp"
#include "shared/clock.hpp"
#include "shared/config.hpp"
#include "shared/error.hpp"
#include "shared/error_report.hpp"
#include "shared/input_source.hpp"
#include "shared/job.hpp"
#include "shared/json_document.hpp"
#include "shared/queue_store.hpp"
#include "shared/task_snapshot.hpp"
#include "shared/taskwarrior_attributes.hpp"
#include "shared/webhook_event.hpp"

namespace vsync::enqueue {

namespace {

constexpr const char* version_text = "vikunja-enqueue " VSYNC_VERSION "\n";

// FILE from the command line, or the path held by --input-env's variable.
std::string input_path(const Options& options, const Environment& env) {
  if (!options.input_env) return options.input;
  const auto path = env.get(*options.input_env);
  if (!path) {
    throw Error(ExitCode::usage, fmt::format("--input-env {}: the variable is not set", *options.input_env));
  }
  return *path;
}

void report(const EnqueueResult& result, const NewJob& job) {
  if (result.outcome == EnqueueResult::Outcome::kept_newer) {
    fmt::print(stderr,
               "vikunja-enqueue: job {} already holds a newer snapshot of {}; this one is older "
               "and was not queued\n",
               result.job_id, job.key);
  }
  fmt::print("{}\n", result.job_id);
}

EnqueueResult add_to_queue(const Options& options, const Environment& env, const NewJob& job) {
  const SystemClock clock;
  QueueStore store(queue_path(env, options.db).value, clock, QueueStore::default_busy_timeout,
                   CloseCheckpoint::leave_to_worker);
  return store.enqueue(job);
}

std::string without_trailing_newlines(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

ExitCode run_task_job(const Options& options, const Environment& env, JobKind kind) {
  const std::string path = input_path(options, env);
  const std::string text = without_trailing_newlines(read_input(path));
  const TaskSnapshot snapshot = parse_task_snapshot(text, describe_input(path));
  const NewJob job{kind, taskwarrior_key(snapshot.uuid), text, std::nullopt};
  report(add_to_queue(options, env, job), job);
  return ExitCode::ok;
}

void verify_signature(const Options& options, const Environment& env, const std::string& body) {
  const auto secret = webhook_secret(env);
  if (!secret) return;
  if (!options.signature) {
    throw Error(ExitCode::no_permission,
                fmt::format("webhook signature missing: {} is set, so --signature is required",
                            secret->origin));
  }
  if (!signature_matches(body, secret->value, *options.signature)) {
    throw Error(ExitCode::no_permission,
                fmt::format("webhook signature does not match the body (secret from {})",
                            secret->origin));
  }
}

ExitCode run_webhook(const Options& options, const Environment& env) {
  const std::string path = input_path(options, env);
  const std::string body = read_input(path);
  verify_signature(options, env, body);
  const WebhookEvent event = parse_webhook_event(body, describe_input(path));
  if (!event.synced) {
    fmt::print(stderr, "vikunja-enqueue: ignoring event {}: not synced\n", event.event_name);
    return ExitCode::ok;
  }
  const NewJob job{JobKind::webhook, vikunja_key(event.task_id), body, event.task_updated};
  report(add_to_queue(options, env, job), job);
  return ExitCode::ok;
}

// Taskwarrior 2.6: on-add sends one line (the new task), on-modify two (old, new). Either way
// the hook must print the new task's line, and exit 0 unless it means to reject the change.
// A task is as large as its user made it (a long annotation), and a hook that cannot read it
// rejects the user's change, so the hook reads tasks up to the largest body the worker accepts
// from Vikunja; the 1 MiB bound on push input guards the commands people type.
constexpr std::size_t max_hook_task_bytes = 32 * 1024 * 1024;

std::vector<std::string> read_hook_lines() {
  const std::string input = read_input("-", 2 * max_hook_task_bytes + 2);
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < input.size()) {
    const auto end = input.find('\n', start);
    lines.push_back(input.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  if (lines.size() != 1 && lines.size() != 2) {
    throw Error(ExitCode::data,
                fmt::format("hook input has {} lines; expected 1 (on-add) or 2 (on-modify)",
                            lines.size()));
  }
  return lines;
}

ExitCode run_hook(const Options& options, const Environment& env) {
  const std::vector<std::string> lines = read_hook_lines();
  const std::string& new_task = lines.back();
  const char* line_names[] = {"the hook's first line", "the hook's second line"};
  for (std::size_t i = 0; i < lines.size(); ++i) parse_json_object(with_controls_escaped(lines[i]), line_names[i]);

  fmt::print("{}\n", new_task);
  std::fflush(stdout);
  if (sync_running(env)) return ExitCode::ok;

  // The user's change is never rejected because of the queue: failures become feedback.
  try {
    const TaskSnapshot snapshot = parse_task_snapshot(new_task, "the hook's task");
    const JobKind kind = snapshot.status == TaskStatus::deleted ? JobKind::del : JobKind::push;
    add_to_queue(options, env.with_env_file(), NewJob{kind, taskwarrior_key(snapshot.uuid), new_task, std::nullopt});
  } catch (const std::exception& e) {
    fmt::print("vikunja-sync: change NOT queued: {}\n", single_line(e.what()));
  }
  return ExitCode::ok;
}

ExitCode run_install_hooks(const Options& options, const Environment& env) {
  const auto binary = std::filesystem::canonical("/proc/self/exe");
  for (const InstalledHook& hook : install_hooks(hooks_directory(env, options.taskdata), binary)) {
    const char* done = hook.change == HookChange::created   ? "installed"
                       : hook.change == HookChange::updated ? "updated"
                                                            : "already installed";
    fmt::print("{} {} -> {}\n", done, hook.path.string(), binary.string());
  }
  fmt::print("check with: task diagnostics (both hooks listed as Active)\n"
             "the attributes the sync writes, for your taskrc unless it has them:\n");
  for (const TaskwarriorAttribute& attribute : taskwarrior_attributes) {
    fmt::print("  uda.{0}.type=string\n  uda.{0}.label={1}\n", attribute.name, attribute.label);
  }
  return ExitCode::ok;
}

}  // namespace

ExitCode run_command(const Options& options, const Environment& env) {
  switch (options.command) {
    case Command::help: fmt::print("{}", usage_text); return ExitCode::ok;
    case Command::version: fmt::print("{}", version_text); return ExitCode::ok;
    // The settings systemd's units read too (environment.hpp). The hook reads them where a bad
    // file cannot reject the user's change.
    case Command::push: return run_task_job(options, env.with_env_file(), JobKind::push);
    case Command::del: return run_task_job(options, env.with_env_file(), JobKind::del);
    case Command::webhook: return run_webhook(options, env.with_env_file());
    case Command::hook: return run_hook(options, env);
    case Command::install_hooks: return run_install_hooks(options, env.with_env_file());
  }
  return ExitCode::software;
}

}  // namespace vsync::enqueue
