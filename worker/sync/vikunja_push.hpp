#pragma once
// Push and delete jobs: a Taskwarrior task made true in Vikunja (design.md "Sync semantics").
// A task is found through task_map, else (made before the sync, or a create whose answer was
// lost) by its exact title and done state in its project among tasks no other uuid is linked
// to, the newest first (so a finished namesake is never re-opened). An update
// reads the task and sends the whole object back (POST replaces). Labels change only through
// the label endpoints, and only where they differ. Projects and labels are looked up once per
// worker and remembered, and created when missing; a job that fails for good is tried once
// more with those caches emptied, in case a project or label was deleted in Vikunja meanwhile.

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "worker/log/logger.hpp"
#include "worker/queue/job_handler.hpp"
#include "worker/queue/job_outcome.hpp"
#include "worker/remote/vikunja_client.hpp"
#include "worker/sync/task_map.hpp"

namespace vsync {

class VikunjaPush final : public JobHandler {
 public:
  VikunjaPush(VikunjaClient& client, TaskMap& task_map, std::string default_project, Logger& log);

  // Throws JobStopped when a call fails; otherwise the job is done.
  JobOutcome run(const ClaimedJob& job) override;

 private:
  JobOutcome push(const ClaimedJob& job);
  JobOutcome remove(const ClaimedJob& job);
  using json = nlohmann::json;
  std::int64_t project_id(const std::string& title);
  std::int64_t label_id(const std::string& title);
  std::optional<json> find_by_title(std::int64_t project, const std::string& title, bool done);
  void sync_labels(std::int64_t task_id, const json& current_labels, const json& taskwarrior_task);

  VikunjaClient& client_;
  TaskMap& task_map_;
  std::string default_project_;
  Logger& log_;
  std::map<std::string, std::int64_t> project_ids_;
  std::map<std::string, std::int64_t> label_ids_;
};

}  // namespace vsync
