#pragma once
// Webhook jobs: a Vikunja event made true in Taskwarrior (design.md "Sync semantics").
// The Taskwarrior task is found through task_map, else by the vikunja_id UDA it carries, else
// by title and project among tasks that have none (tasks made before the sync). A change is
// written as one `task import` of the complete merged task (import replaces whole tasks), and
// only when the mapped fields differ: our own pushes echoing back cost one `task export`.
// An event older than the last one applied for that task (Vikunja's `updated`) is skipped.

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "worker/log/logger.hpp"
#include "worker/queue/job_handler.hpp"
#include "worker/remote/task_runner.hpp"
#include "worker/sync/task_map.hpp"

namespace vsync {

class TaskwarriorSync final : public JobHandler {
 public:
  TaskwarriorSync(TaskRunner& task, TaskMap& task_map, const Clock& clock,
                  std::string default_project, Logger& log);

  JobOutcome run(const ClaimedJob& job) override;

 private:
  using json = nlohmann::json;
  std::optional<json> find(std::int64_t vikunja_id, const json& vikunja_task,
                           const std::optional<std::string>& project_title);
  JobOutcome remove(const ClaimedJob& job, std::int64_t vikunja_id, const json& vikunja_task);

  TaskRunner& task_;
  TaskMap& task_map_;
  const Clock& clock_;
  std::string default_project_;
  Logger& log_;
};

}  // namespace vsync
