#pragma once
// One linked pair brought together (design.md "Convergence"): both sides' current tasks are
// merged against the state they last agreed on, each side is written only where it lacks the
// merge, and the merge becomes the new agreed state. Deletes follow the link and leave a
// tombstone; a delete wins over an edit on the other side, and that edit is kept in the
// conflicts table. The handlers of push, delete and webhook jobs decide which pair and when;
// this decides what both sides end up holding.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "shared/clock.hpp"
#include "worker/log/logger.hpp"
#include "worker/remote/task_runner.hpp"
#include "worker/sync/conflict_log.hpp"
#include "worker/sync/delete_guard.hpp"
#include "worker/sync/dependencies.hpp"
#include "worker/sync/merge.hpp"
#include "worker/sync/task_map.hpp"
#include "worker/sync/vikunja_tasks.hpp"

namespace vsync {

struct SyncSettings {
  std::string default_project;  // Vikunja's project for tasks without one in Taskwarrior
  ConflictRule conflict_rule = ConflictRule::newest;
};

// Taskwarrior tasks that could be the other half of an unlinked Vikunja task.
struct TaskwarriorCandidates {
  std::optional<nlohmann::json> by_vikunja_id;  // carries the vikunja_id UDA of that task
  std::vector<nlohmann::json> by_title;         // same title, project and done state
};

class PairSync {
 public:
  using json = nlohmann::json;

  PairSync(VikunjaTasks& vikunja, TaskRunner& task, TaskMap& task_map, ConflictLog& conflicts,
           DeleteGuard& deletes, const Clock& clock, SyncSettings settings, Logger& log);

  // A side's mapped fields, its dependencies read through the links.
  TaskFields taskwarrior_fields(const json& task);
  TaskFields vikunja_fields(const json& task, const std::string& taskwarrior_project);

  // Taskwarrior's current task; nullopt when it has none with this uuid.
  std::optional<json> taskwarrior_task(const std::string& uuid);
  // Vikunja's current task of the link; nullopt when Vikunja no longer has it, also when
  // another task holds its id now (is_linked_task).
  std::optional<json> linked_vikunja_task(const TaskLink& link);

  // Merges and writes both sides of the pair (tw_uuid, Vikunja's task) against `base`, and
  // links them with the merge as the agreed state. Notes are merged too when Vikunja's comments
  // are given (read for a comment event), or read here when the annotations are not the agreed
  // ones: a push that changes no note reads no comments.
  void converge(const std::string& tw_uuid, const std::optional<TaskFields>& base, json taskwarrior,
                const json& vikunja, std::optional<std::vector<Comment>> comments = std::nullopt);

  // The link's task vanished on one side: delete it on the other, for job `job_id`, unless the
  // delete guard holds it (JobStopped: the receiving target pauses with reason "mass delete").
  void deleted_in_vikunja(const TaskLink& link, std::int64_t job_id);
  void deleted_in_taskwarrior(const TaskLink& link, std::int64_t job_id);

  // Forgets the link of a Vikunja task that Vikunja lost, and its vikunja_id in Taskwarrior,
  // deleting nothing: the next reconcile treats the Taskwarrior task as new.
  void unlink(const TaskLink& link);

  // Unlinked Taskwarrior tasks (templates and deleted ones excluded) that could be `vikunja`.
  TaskwarriorCandidates taskwarrior_candidates(const json& vikunja);
  // Unlinked Vikunja tasks with the title, project and done state of `fields`.
  std::vector<json> vikunja_candidates(const TaskFields& fields);

  // Writes the link into the Taskwarrior task (the vikunja_id UDA) unless `known` already
  // carries it, so that `task info` and another replica see it. A failure is logged, not the job's:
  // the link itself is in the task map.
  void mark_linked(const std::string& tw_uuid, std::int64_t vikunja_id, const json* known = nullptr);

  // Creates the Vikunja task in Taskwarrior and links the two.
  void create_in_taskwarrior(const json& vikunja);
  // Completes the Taskwarrior task as exported, ended at `end` (Vikunja's done_at) or now.
  void complete_in_taskwarrior(json task, std::optional<UnixMillis> end);

  const SyncSettings& settings() const { return settings_; }

 private:
  bool unlinked(const std::string& tw_uuid);
  void hold_mass_delete(Side vanished_in, std::int64_t job_id, const TaskLink& link);
  std::optional<std::string> vikunja_lost_every_link(const TaskLink& link);
  // Makes Vikunja's "blocked" relations of the task those of `merged`; returns `merged` less the
  // ones Vikunja refused (logged), so that the agreed state does not claim them and the next
  // sync tries them again.
  std::set<std::string> write_vikunja_depends(const std::string& tw_uuid, const json& vikunja,
                                              const std::set<std::string>& merged);

  // Adds, rewrites and removes Vikunja's comments as the merge says; returns the pairs both sides
  // hold once Taskwarrior is written. An edit or delete Vikunja refuses (only a comment's author
  // may change it) leaves Vikunja's comment as it is, and the merge then writes it back to its
  // annotation, the refused change kept as a conflict; a refused add is tried again next time.
  std::vector<NotePair> write_vikunja_notes(const std::string& tw_uuid, std::int64_t vikunja_id, NoteMerge& merge,
                                            const std::vector<Comment>& comments);
  void warn_notes_not_carried(const std::string& tw_uuid, std::int64_t vikunja_id,
                              const std::vector<UncarriedNote>& notes);

  VikunjaTasks& vikunja_;
  TaskRunner& task_;
  TaskMap& task_map_;
  ConflictLog& conflicts_;
  DeleteGuard& deletes_;
  Dependencies dependencies_;
  const Clock& clock_;
  SyncSettings settings_;
  Logger& log_;
};

}  // namespace vsync
