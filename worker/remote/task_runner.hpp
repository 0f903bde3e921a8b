#pragma once
// Runs Taskwarrior (VIKUNJA_SYNC_TASK_BIN, default `task`) by fork/exec with an argv vector —
// never a shell — non-interactively (rc.confirmation=off, rc.recurrence.confirmation=no,
// rc.verbose=nothing, rc.json.array=on) and with VIKUNJA_SYNC_RUNNING=1 so our own hook queues
// nothing. TASKRC and TASKDATA pass through. Each call is bounded by a timeout; a hung `task`
// is killed. Values from the network never reach the command line: tasks go in as JSON on
// stdin (`task import`), and only uuids we validated and integers are used as filters.

#include <chrono>
#include <optional>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "shared/clock.hpp"
#include "worker/remote/subprocess.hpp"

namespace vsync {

// Our environment with `overrides` (NAME=VALUE) added, as every `task` we start gets it. Empty
// means unset, for `task` too: an EnvironmentFile line "TASKDATA=" reaches us as an empty
// variable, and Taskwarrior 2.6 crashes (SIGSEGV) on an empty TASKDATA, so those are removed.
std::vector<std::string> task_process_environment(const std::vector<std::string>& overrides);

class TaskRunner {
 public:
  // `environment` (NAME=VALUE) is added to ours, e.g. TASKRC and TASKDATA from the config.
  TaskRunner(std::string task_bin, UnixMillis timeout, std::vector<std::string> environment = {});

  // The rc overrides above come first, then `args`. Never throws for a failing `task`.
  ProcessResult run(const std::vector<std::string>& args, const std::string& stdin_data = "");

  // Thrown as JobStopped: a timeout or a non-zero exit is a retry that trips the taskwarrior
  // breaker (a lock, a busy disk), with task's own message kept.
  std::vector<nlohmann::json> export_tasks(const std::vector<std::string>& filter);
  // The same, one task at a time: only one task is parsed at once (a reconcile of many tasks).
  void export_each(const std::vector<std::string>& filter, const std::function<void(nlohmann::json&&)>& visit);
  void import_task(const nlohmann::json& task);
  void delete_task(const std::string& uuid);
  // Sets one attribute (`modify`, not `import`: a change the user makes meanwhile is kept).
  // `value` must not come from the network unchecked: it becomes a command-line word.
  void set_attribute(const std::string& uuid, const std::string& name, const std::string& value);

  // When Taskwarrior 2's task files (pending.data, completed.data in rc.data.location) were last
  // written, once that was more than a second ago: a file system stamps writes by a coarse
  // clock, and a write in the same tick as this look would keep the time. nullopt when unknown
  // or too recent. A reconcile tells by it that nothing changed without a `task export`, which
  // reads every pending task whatever its filter.
  std::optional<UnixMillis> files_written_at();

  long long processes_started() const { return processes_started_; }
  // Passed to every `task` run: see ProcessRequest::on_progress.
  void on_progress(std::function<void()> callback) { on_progress_ = std::move(callback); }

 private:
  ProcessResult checked(const std::vector<std::string>& args, const std::string& stdin_data,
                        const std::string& what);

  std::string task_bin_;
  UnixMillis timeout_;
  std::vector<std::string> environment_;
  std::optional<std::string> data_location_;  // asked once
  long long processes_started_ = 0;
  std::function<void()> on_progress_;
};

}  // namespace vsync
