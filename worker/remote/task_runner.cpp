#include "worker/remote/task_runner.hpp"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "shared/error_report.hpp"
#include "shared/json_document.hpp"
#include "shared/taskwarrior_attributes.hpp"
#include "worker/queue/job_outcome.hpp"

namespace vsync {

namespace {

// rc.recurrence=no: our runs never generate recurring instances (the user's own runs do, with
// their hooks), so that reading the task list changes nothing. The sync's attributes are declared
// whatever the user's taskrc says, so that `task modify` takes them.
const std::vector<std::string> rc_overrides = [] {
  std::vector<std::string> overrides{"rc.confirmation=off", "rc.recurrence.confirmation=no", "rc.recurrence=no",
                                     "rc.verbose=nothing", "rc.json.array=on"};
  for (const TaskwarriorAttribute& attribute : taskwarrior_attributes) {
    overrides.push_back(fmt::format("rc.uda.{}.type=string", attribute.name));
    overrides.push_back(fmt::format("rc.uda.{}.label={}", attribute.name, attribute.label));
  }
  return overrides;
}();

std::string first_line(const std::string& text) {
  const auto end = text.find('\n');
  return single_line(text.substr(0, end == std::string::npos ? 300 : std::min<std::size_t>(end, 300)));
}

}  // namespace

std::vector<std::string> task_process_environment(const std::vector<std::string>& overrides) {
  std::vector<std::string> environment = environment_with(overrides);
  std::erase_if(environment, [](const std::string& entry) { return entry == "TASKDATA=" || entry == "TASKRC="; });
  return environment;
}

TaskRunner::TaskRunner(std::string task_bin, UnixMillis timeout, std::vector<std::string> environment)
    : task_bin_(std::move(task_bin)), timeout_(timeout) {
  environment.push_back("VIKUNJA_SYNC_RUNNING=1");
  environment_ = task_process_environment(environment);
}

ProcessResult TaskRunner::run(const std::vector<std::string>& args, const std::string& stdin_data) {
  std::vector<std::string> argv{task_bin_};
  argv.insert(argv.end(), rc_overrides.begin(), rc_overrides.end());
  argv.insert(argv.end(), args.begin(), args.end());
  ++processes_started_;
  ProcessRequest request{argv, stdin_data, environment_, std::chrono::milliseconds(timeout_)};
  request.on_progress = on_progress_;
  return run_process(request);
}

ProcessResult TaskRunner::checked(const std::vector<std::string>& args, const std::string& stdin_data,
                                  const std::string& what) {
  ProcessResult result = run(args, stdin_data);
  if (result.timed_out) {
    throw JobStopped{JobOutcome::retry(fmt::format("{}: task did not finish within {} s and was killed",
                                                   what, timeout_ / 1000.0), true).on(Target::taskwarrior)};
  }
  if (result.output_too_large) {
    // Not Taskwarrior's outage: no breaker, a retry with backoff (the user may archive tasks).
    throw JobStopped{JobOutcome::retry(fmt::format("{}: task printed more than {} MiB and was killed", what,
                                                   ProcessRequest{}.max_output_bytes / (1024 * 1024)), false)
                         .on(Target::taskwarrior)};
  }
  if (result.cannot_execute) {
    throw JobStopped{JobOutcome::retry(fmt::format("{}: cannot run {}", what, task_bin_), true).on(Target::taskwarrior)};
  }
  if (result.exit_code != 0) {
    const std::string message = !result.err.empty() ? result.err : result.out;
    throw JobStopped{JobOutcome::retry(fmt::format("{}: task exited {}: {}", what,
                                                   result.exit_code >= 0 ? result.exit_code : 128 + result.term_signal,
                                                   first_line(message)), true).on(Target::taskwarrior)};
  }
  return result;
}

std::vector<nlohmann::json> TaskRunner::export_tasks(const std::vector<std::string>& filter) {
  std::vector<nlohmann::json> tasks;
  export_each(filter, [&](nlohmann::json&& task) { tasks.push_back(std::move(task)); });
  return tasks;
}

void TaskRunner::export_each(const std::vector<std::string>& filter,
                             const std::function<void(nlohmann::json&&)>& visit) {
  using json = nlohmann::json;
  std::vector<std::string> args = filter;
  args.push_back("export");
  const ProcessResult result = checked(args, "", "task export");
  // rc.json.array=on: one JSON array. An empty export may print nothing at all.
  if (result.out.find_first_not_of(" \t\r\n") == std::string::npos) return;
  std::string problem;
  try {
    // Each element of the array is handed over when it is complete and dropped from the result.
    const auto one_at_a_time = [&](int depth, json::parse_event_t event, json& parsed) {
      if (depth != 1 || !problem.empty()) return depth != 1;
      if (event == json::parse_event_t::object_end) {
        visit(std::move(parsed));
        return false;
      }
      if (event == json::parse_event_t::value || event == json::parse_event_t::array_end) {
        problem = "an element is not an object";
        return false;
      }
      return true;
    };
    const json rest = json::parse(with_controls_escaped(result.out), one_at_a_time);
    if (problem.empty() && rest.is_array()) return;
    if (problem.empty()) problem = std::string("a ") + rest.type_name();
  } catch (const json::parse_error& e) {
    problem = e.what();
  }
  throw JobStopped{JobOutcome::retry(
      fmt::format("task export printed something that is not an array of tasks ({}): {}", problem,
                  first_line(result.out)), true).on(Target::taskwarrior)};
}

void TaskRunner::import_task(const nlohmann::json& task) {
  checked({"import", "-"}, task.dump() + "\n", "task import");
}

void TaskRunner::delete_task(const std::string& uuid) {
  checked({uuid, "delete"}, "", "task delete");
}

void TaskRunner::set_attribute(const std::string& uuid, const std::string& name, const std::string& value) {
  checked({uuid, "modify", name + ":" + value}, "", "task modify");
}

std::optional<UnixMillis> TaskRunner::files_written_at() {
  namespace fs = std::filesystem;
  if (!data_location_) {
    const ProcessResult result = run({"_get", "rc.data.location"});
    if (result.exit_code != 0) return std::nullopt;
    std::string location = result.out.substr(0, result.out.find('\n'));
    if (location.starts_with("~/")) {
      const auto home = std::find_if(environment_.begin(), environment_.end(),
                                     [](const std::string& entry) { return entry.starts_with("HOME="); });
      if (home == environment_.end()) return std::nullopt;
      location = home->substr(5) + location.substr(1);
    }
    data_location_ = location;
  }
  std::error_code absent;
  // Taskwarrior 3 keeps its tasks in SQLite; files left from 2.x would never change.
  if (fs::exists(fs::path(*data_location_) / "taskchampion.sqlite3", absent)) return std::nullopt;
  std::optional<fs::file_time_type> latest;
  for (const char* name : {"pending.data", "completed.data"}) {
    std::error_code error;
    const auto written = fs::last_write_time(fs::path(*data_location_) / name, error);
    if (!error && (!latest || written > *latest)) latest = written;
  }
  if (!latest) return std::nullopt;
  const auto now = fs::file_time_type::clock::now();
  if (now - *latest < std::chrono::seconds(1)) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::file_clock::to_sys(*latest).time_since_epoch())
      .count();
}

}  // namespace vsync
