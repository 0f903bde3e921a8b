#pragma once
// `vikunja-worker reconcile`: the safety net under the events (design.md "Convergence").
// Both sides are read in full (Vikunja's task list page by page, one `task export`) and each
// linked pair is compared with the state it last agreed on; what differs becomes the job that
// brings the two together, queued like any other (same breakers, backoff and order per task):
//   changed in Taskwarrior (or both)      -> push        changed in Vikunja only -> webhook
//   deleted in Taskwarrior                -> delete      gone from Vikunja       -> webhook task.deleted
//   only in Taskwarrior (pending)         -> push        only in Vikunja (open)  -> webhook task.created
// The push and webhook handlers link a task to its namesake when there is exactly one on each
// side, so a first reconcile on existing data links same-title pairs instead of duplicating
// them; the plan says which same-title tasks will not be linked, and why (another project or
// done state, or more than one namesake). A link whose Vikunja task is not listed gets a task.deleted job, which reads the task
// back: only Vikunja's "does not exist" deletes or buries. A linked task missing from Taskwarrior altogether
// (purged long after its deletion, or another TASKDATA) is reported and left alone: absence is
// no evidence of a fresh delete. So is a pair one of whose tasks cannot be read. Completed tasks that were never linked are not onboarded.
// Nothing is written to either side by the reconcile itself; a reconcile with nothing to do
// queues nothing.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "shared/clock.hpp"
#include "shared/job.hpp"
#include "shared/queue_store.hpp"
#include "worker/remote/task_runner.hpp"
#include "worker/sync/task_map.hpp"
#include "worker/sync/vikunja_tasks.hpp"

namespace vsync {

struct PlannedJob {
  NewJob job;
  std::string title;
  std::string reason;
  std::optional<Side> deletes_vanished_in;  // a delete of a linked task gone from this side
};

struct ReconcilePlan {
  std::vector<PlannedJob> jobs;  // a key that already has a pending job keeps it
  std::vector<std::string> left_alone;
  std::vector<std::string> held_back;  // mass deletes the guard holds (delete_guard.hpp)
  // Same-title tasks only on one side each that will not be linked, and why.
  std::vector<std::string> namesakes_not_linked;
  int agreeing_pairs = 0;
  int taskwarrior_tasks = 0;  // read, for the summary
  int vikunja_tasks = 0;

  bool nothing_to_do() const { return jobs.empty(); }
  int deletes(Side vanished_in) const;
};

class Reconcile {
 public:
  Reconcile(VikunjaTasks& vikunja, TaskRunner& task, TaskMap& task_map, QueueStore& store,
            std::string default_project, const Clock& clock);

  // Reads both sides; throws JobStopped when one cannot be read.
  ReconcilePlan plan();
  void apply(const ReconcilePlan& plan);

 private:
  void plan_link(ReconcilePlan& plan, const TaskLink& link, const nlohmann::json* taskwarrior,
                 const nlohmann::json* vikunja);
  PlannedJob push(JobKind kind, const nlohmann::json& taskwarrior, std::string reason);
  PlannedJob webhook(const char* event, const nlohmann::json& vikunja_task, std::string reason);
  void explain_namesakes(ReconcilePlan& plan, const std::vector<const nlohmann::json*>& taskwarrior_only,
                         const std::vector<const nlohmann::json*>& vikunja_only);

  VikunjaTasks& vikunja_;
  TaskRunner& task_;
  TaskMap& task_map_;
  QueueStore& store_;
  std::string default_project_;
  const Clock& clock_;
};

// One line per planned change and a summary, for `reconcile [--dry-run]`.
std::string describe_plan(const ReconcilePlan& plan, bool dry_run);

}  // namespace vsync
