#pragma once
// Push and delete jobs: a change made in Taskwarrior carried to Vikunja. A push is a hint that
// the task changed: for a linked task, the snapshot is compared with the agreed state, and if
// it holds anything new both sides' current tasks are merged (pair_sync.hpp). An unlinked task
// is created in Vikunja, unless exactly one unlinked Vikunja task with its title, project and
// done state exists and exactly one such Taskwarrior task (itself): then the two are linked
// (a task made before the sync). A create is recorded before it is sent: when its answer is
// lost, the next job about the task (the retry, a later push, its delete) links the task it
// made instead of making a second one. A delete follows the link only; an unlinked task has
// nothing in Vikunja to delete. Deciding about an unlinked task takes the link lock of its
// title (link_locks.hpp), so the created task's webhook, arriving meanwhile, waits for the link.

#include <nlohmann/json.hpp>

#include "shared/task_snapshot.hpp"
#include "worker/log/logger.hpp"
#include "worker/queue/job_handler.hpp"
#include "worker/queue/job_outcome.hpp"
#include "worker/sync/link_locks.hpp"
#include "worker/sync/pair_sync.hpp"
#include "worker/sync/series_sync.hpp"
#include "worker/sync/task_map.hpp"
#include "worker/sync/vikunja_tasks.hpp"

namespace vsync {

class VikunjaPush final : public JobHandler {
 public:
  VikunjaPush(PairSync& pair, SeriesSync& series, VikunjaTasks& vikunja, TaskMap& task_map, LinkLocks& locks, Logger& log);

  // Throws JobStopped when a call fails; otherwise the job is done.
  JobOutcome run(const ClaimedJob& job) override;

 private:
  JobOutcome push(const ClaimedJob& job, const TaskSnapshot& snapshot);
  JobOutcome remove(const ClaimedJob& job, const TaskSnapshot& snapshot);
  JobOutcome link_or_create(const TaskSnapshot& snapshot);
  JobOutcome create(const TaskSnapshot& snapshot, const TaskFields& fields, const std::vector<nlohmann::json>& namesakes);
  std::optional<TaskLink> linked_or_adopted(const std::string& tw_uuid);
  void lock_titles(const ClaimedJob& job, const TaskSnapshot& snapshot);

  PairSync& pair_;
  SeriesSync& series_;
  VikunjaTasks& vikunja_;
  TaskMap& task_map_;
  LinkLocks& locks_;
  Logger& log_;
};

}  // namespace vsync
