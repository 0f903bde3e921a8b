#include "task_runner.hpp"

#include <fmt/format.h>

#include "error_report.hpp"
#include "job_outcome.hpp"

namespace vsync {

namespace {

const std::vector<std::string> overrides = {
    "rc.confirmation=off", "rc.recurrence.confirmation=no", "rc.verbose=nothing",
    "rc.json.array=off",   "rc.uda.vikunja_id.type=string", "rc.uda.vikunja_id.label=Vikunja",
};

std::string first_line(const std::string& text) {
  const auto end = text.find('\n');
  return single_line(text.substr(0, end == std::string::npos ? 300 : std::min<std::size_t>(end, 300)));
}

}  // namespace

TaskRunner::TaskRunner(std::string task_bin, UnixMillis timeout, std::vector<std::string> environment)
    : task_bin_(std::move(task_bin)), timeout_(timeout) {
  environment.push_back("VIKUNJA_SYNC_RUNNING=1");
  environment_ = environment_with(environment);
}

ProcessResult TaskRunner::run(const std::vector<std::string>& args, const std::string& stdin_data) {
  std::vector<std::string> argv{task_bin_};
  argv.insert(argv.end(), overrides.begin(), overrides.end());
  argv.insert(argv.end(), args.begin(), args.end());
  ++processes_started_;
  return run_process(ProcessRequest{argv, stdin_data, environment_, std::chrono::milliseconds(timeout_)});
}

ProcessResult TaskRunner::checked(const std::vector<std::string>& args, const std::string& stdin_data,
                                  const std::string& what) {
  ProcessResult result = run(args, stdin_data);
  if (result.timed_out) {
    throw JobStopped{JobOutcome::retry(fmt::format("{}: task did not finish within {} s and was killed",
                                                   what, timeout_ / 1000.0), true)};
  }
  if (result.exit_code == 127 && result.out.empty() && result.err.empty()) {
    throw JobStopped{JobOutcome::retry(fmt::format("{}: cannot run {}", what, task_bin_), true)};
  }
  if (result.exit_code != 0) {
    const std::string message = !result.err.empty() ? result.err : result.out;
    throw JobStopped{JobOutcome::retry(fmt::format("{}: task exited {}: {}", what,
                                                   result.exit_code >= 0 ? result.exit_code : 128 + result.term_signal,
                                                   first_line(message)), true)};
  }
  return result;
}

std::vector<nlohmann::json> TaskRunner::export_tasks(const std::vector<std::string>& filter) {
  std::vector<std::string> args = filter;
  args.push_back("export");
  const ProcessResult result = checked(args, "", "task export");
  std::vector<nlohmann::json> tasks;
  std::size_t start = 0;
  while (start < result.out.size()) {
    auto end = result.out.find('\n', start);
    if (end == std::string::npos) end = result.out.size();
    const std::string line = result.out.substr(start, end - start);
    start = end + 1;
    if (line.empty() || line == "[" || line == "]") continue;
    auto task = nlohmann::json::parse(line.ends_with(',') ? line.substr(0, line.size() - 1) : line, nullptr, false);
    if (!task.is_object()) {
      throw JobStopped{JobOutcome::retry(fmt::format("task export printed a line that is not a task: {}",
                                                     first_line(line)), true)};
    }
    tasks.push_back(std::move(task));
  }
  return tasks;
}

void TaskRunner::import_task(const nlohmann::json& task) {
  checked({"import", "-"}, task.dump() + "\n", "task import");
}

void TaskRunner::delete_task(const std::string& uuid) {
  checked({uuid, "delete"}, "", "task delete");
}

}  // namespace vsync
