#pragma once
// `vikunja-worker reconcile`: the safety net under the events (design.md "Convergence").
// Each linked pair is compared with the state it last agreed on; what differs becomes the job
// that brings the two together, queued like any other (same breakers, backoff and order per task):
//   changed in Taskwarrior (or both)      -> push        changed in Vikunja only -> webhook
//   deleted in Taskwarrior                -> delete      gone from Vikunja       -> webhook task.deleted
//   only in Taskwarrior (pending)         -> push        only in Vikunja (open)  -> webhook task.created
// Two kinds (ReconcileScope):
// - a full pass reads both sides whole (Vikunja's task list page by page, one `task export`),
//   and alone finds a task gone from Vikunja (Vikunja never lists a deleted task) or a comment
//   changed without its event (a comment changes no `updated`: one request per linked task);
// - a pass over changes reads only the Vikunja tasks changed since the last reconcile (its
//   `updated >` filter), and Taskwarrior only when its files were written since (plan_changes
//   says why whole), comparing each task with the agreed state.
// Either keeps one task of a side in memory at a time, beyond what it compares (a Taskwarrior
// task's export text, a link's agreed fields), so its memory stays small for many tasks.
// The push and webhook handlers link a task to its namesake when there is exactly one on each
// side, so a first reconcile on existing data links same-title pairs instead of duplicating
// them; the plan says which same-title tasks will not be linked, and why (another project or
// done state, or more than one namesake). A link whose Vikunja task is not listed gets a
// task.deleted job, which reads the task back: only Vikunja's "does not exist" deletes or
// buries. A linked task missing from Taskwarrior altogether (purged long after its deletion, or
// another TASKDATA) is reported and left alone: absence is no evidence of a fresh delete. So is
// a pair one of whose tasks cannot be read. A completed task never linked is carried over when
// it was completed after the sync began (the first reconcile); older ones are history, counted
// and left alone unless asked for. Nothing is written to either side by the reconcile itself;
// a reconcile with nothing to do queues nothing.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "shared/clock.hpp"
#include "shared/job.hpp"
#include "shared/queue_store.hpp"
#include "worker/remote/task_runner.hpp"
#include "worker/sync/dependencies.hpp"
#include "worker/sync/task_map.hpp"
#include "worker/sync/vikunja_tasks.hpp"

namespace vsync {

struct PlannedJob {
  NewJob job;
  std::string title;
  std::string reason;
  std::optional<Side> deletes_vanished_in;  // a delete of a linked task gone from this side
};

enum class ReconcileKind { full, changes };
std::string_view to_string(ReconcileKind kind);

// What one reconcile reads (ReconcileMarks::scope_for decides it).
struct ReconcileScope {
  ReconcileKind kind = ReconcileKind::full;
  // When the sync began by each side's clock: the latest change the first reconcile read there
  // (completing a task changes it, so whatever was completed before is no later). nullopt:
  // this is the first reconcile, onboarding.
  std::optional<UnixMillis> taskwarrior_sync_start;
  std::optional<UnixMillis> vikunja_sync_start;
  bool include_completed = false;  // carry completed tasks over whenever they were completed
  // changes only: Vikunja's tasks updated after this time of its own clock; nullopt: all
  std::optional<UnixMillis> vikunja_changed_after;
  // changes only: TaskRunner::files_written_at as the last reconcile saw it; unchanged since,
  // Taskwarrior is not read at all
  std::optional<UnixMillis> taskwarrior_written_at;

  // Whether an unlinked task completed at `completed_at` on `side` is carried to the other side.
  bool carries_completed(Side side, std::optional<UnixMillis> completed_at) const;
};

struct ReconcilePlan {
  ReconcileKind kind = ReconcileKind::full;
  std::vector<PlannedJob> jobs;  // a key that already has a pending job keeps it
  std::vector<std::string> left_alone;
  std::vector<std::string> held_back;  // mass deletes the guard holds (delete_guard.hpp)
  // Same-title tasks only on one side each that will not be linked, and why.
  std::vector<std::string> namesakes_not_linked;
  int agreeing_pairs = 0;
  int taskwarrior_tasks = 0;  // read, for the summary
  int vikunja_tasks = 0;
  int completed_skipped = 0;  // never linked, completed before the sync began: history
  // The latest change read on each side, by its own clock: Taskwarrior's `modified` (a full
  // pass, for the sync's start: the first reconcile is one), Vikunja's `updated` (also where the
  // next pass over changes reads from).
  std::optional<UnixMillis> taskwarrior_seen_until;
  std::optional<UnixMillis> vikunja_seen_until;
  std::optional<UnixMillis> taskwarrior_written_at;  // before it was read (TaskRunner::files_written_at)

  bool nothing_to_do() const { return jobs.empty(); }
  int deletes(Side vanished_in) const;
};

class Reconcile {
 public:
  Reconcile(VikunjaTasks& vikunja, TaskRunner& task, TaskMap& task_map, QueueStore& store,
            std::string default_project, const Clock& clock);

  // Reads both sides; throws JobStopped when one cannot be read.
  ReconcilePlan plan(const ReconcileScope& scope);
  void apply(const ReconcilePlan& plan);

 private:
  using json = nlohmann::json;
  // The tasks of each side not linked, with their jobs planned, for explain_namesakes.
  struct Unlinked {
    std::vector<json> taskwarrior;
    std::vector<json> vikunja;
    std::vector<PlannedJob> vikunja_jobs;  // queued after the pushes
  };
  void plan_full(ReconcilePlan& plan, const ReconcileScope& scope, Unlinked& unlinked);
  void plan_changes(ReconcilePlan& plan, const ReconcileScope& scope, Unlinked& unlinked);
  void plan_link(ReconcilePlan& plan, const TaskLink& link, const json* taskwarrior, const json* vikunja);
  bool plan_taskwarrior_half(ReconcilePlan& plan, const TaskLink& link, const json& taskwarrior);
  bool plan_vikunja_half(ReconcilePlan& plan, const TaskLink& link, const json& vikunja);
  void plan_taskwarrior_only(ReconcilePlan& plan, const ReconcileScope& scope, json&& task, Unlinked& unlinked);
  void plan_vikunja_only(ReconcilePlan& plan, const ReconcileScope& scope, json&& task, Unlinked& unlinked);
  PlannedJob push(JobKind kind, const json& taskwarrior, std::string reason);
  PlannedJob webhook(const char* event, const json& vikunja_task, std::string reason);
  void explain_namesakes(ReconcilePlan& plan, const Unlinked& unlinked);

  VikunjaTasks& vikunja_;
  TaskRunner& task_;
  TaskMap& task_map_;
  Dependencies dependencies_;  // both sides' read through the links, as an agreed state holds them
  QueueStore& store_;
  std::string default_project_;
  const Clock& clock_;
};

// One line per planned change and a summary, for `reconcile [--dry-run]`.
std::string describe_plan(const ReconcilePlan& plan, bool dry_run);

}  // namespace vsync
