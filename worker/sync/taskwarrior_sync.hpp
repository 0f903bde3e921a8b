#pragma once
// Webhook jobs: a change made in Vikunja carried to Taskwarrior. A webhook is a hint that the
// task changed, never the state to apply: the task is read back from Vikunja (a stale or
// reordered payload cannot undo a newer edit; when Vikunja is down the job waits on its
// breaker). A linked task whose Vikunja fields and comments equal the agreed state is our own
// change echoing back and costs no `task` run; otherwise both sides are merged (pair_sync.hpp). A task
// Vikunja no longer has is deleted in Taskwarrior only through its link. An unlinked task is
// linked to the Taskwarrior task that carries its id, or to the one unlinked Taskwarrior task
// with its title, project and done state when Vikunja too has exactly one such; else created.
// A task that a create from Taskwarrior made, whose answer was lost, is linked to that task
// // first. Deciding about an unlinked task takes the link lock of its title (link_locks.hpp). A
// tombstoned id is never brought back.

#include "shared/queue_store.hpp"
#include "shared/webhook_event.hpp"
#include "worker/log/logger.hpp"
#include "worker/queue/job_handler.hpp"
#include "worker/sync/dependencies.hpp"
#include "worker/sync/link_locks.hpp"
#include "worker/sync/pair_sync.hpp"
#include "worker/sync/series_sync.hpp"
#include "worker/sync/task_map.hpp"
#include "worker/sync/vikunja_tasks.hpp"

namespace vsync {

class TaskwarriorSync final : public JobHandler {
 public:
  TaskwarriorSync(PairSync& pair, SeriesSync& series, VikunjaTasks& vikunja, TaskMap& task_map, LinkLocks& locks, QueueStore& store,
                  Logger& log);

  JobOutcome run(const ClaimedJob& job) override;

 private:
  // Reads the comments too, whatever the event: jobs of one task coalesce in the queue, so a
  // comment's event may have become a task.updated one.
  // `event_name`: the job's event, for the log.
  JobOutcome apply_linked(const ClaimedJob& job, const TaskLink& link, const nlohmann::json& vikunja,
                          std::string_view event_name = {});
  // Vikunja sends a relation's event about the task it was made on only; the other task's
  // relations changed too (the inverse kind), so it gets a job of its own.
  void queue_other_task_of_relation(const WebhookEvent& event);
  // The tasks blocked by a Vikunja task that was not linked when their relation was read: a job
  // each, so that the dependency crosses now that it is.
  void queue_tasks_waiting_for(const nlohmann::json& vikunja);
  void queue_hint(const std::string& event_name, std::int64_t vikunja_id, const char* why);
  JobOutcome link_or_create(const ClaimedJob& job, const nlohmann::json& vikunja);
  JobOutcome adopt(const ClaimedJob& job, const std::string& tw_uuid, const nlohmann::json& vikunja);

  PairSync& pair_;
  SeriesSync& series_;
  VikunjaTasks& vikunja_;
  TaskMap& task_map_;
  LinkLocks& locks_;
  QueueStore& store_;
  Logger& log_;
};

}  // namespace vsync
