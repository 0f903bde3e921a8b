#include "worker/sync/pair_sync.hpp"

#include <uuid/uuid.h>

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "shared/json_document.hpp"
#include "shared/task_status.hpp"
#include "shared/timestamp.hpp"
#include "worker/queue/job_outcome.hpp"
#include "worker/sync/field_mapping.hpp"
#include "worker/sync/html_text.hpp"

namespace vsync {

namespace {

// What export adds that import must not get back.
nlohmann::json importable(nlohmann::json task) {
  task.erase("id");
  task.erase("urgency");
  return task;
}

// A version 4 uuid for a task created from Vikunja, from libuuid (getrandom, not a PRNG seeded
// once per process).
std::string new_uuid() {
  uuid_t uuid;
  uuid_generate_random(uuid);
  char text[37];
  uuid_unparse_lower(uuid, text);
  return text;
}

// A description too large to carry is left alone on both sides; say so each time, since its
// changes do not cross.
void warn_uncarried(Logger& log, const std::string& tw_uuid, std::int64_t vikunja_id, Side side,
                    const std::optional<std::string>& why) {
  if (!why) return;
  log.log(LogLevel::warning, "description not carried", "tw_uuid={} vikunja_id={} side={} reason={}", tw_uuid,
          vikunja_id, side, log_quote(*why));
}

}  // namespace

PairSync::PairSync(VikunjaTasks& vikunja, TaskRunner& task, TaskMap& task_map, ConflictLog& conflicts,
                   DeleteGuard& deletes, const Clock& clock, SyncSettings settings, Logger& log)
    : vikunja_(vikunja), task_(task), task_map_(task_map), conflicts_(conflicts), deletes_(deletes),
      dependencies_(task_map), clock_(clock), settings_(std::move(settings)), log_(log) {}

TaskFields PairSync::taskwarrior_fields(const json& task) {
  TaskFields fields = read_taskwarrior(task, settings_.default_project);
  fields.depends = dependencies_.of_taskwarrior(task);
  return fields;
}

TaskFields PairSync::vikunja_fields(const json& task, const std::string& taskwarrior_project) {
  TaskFields fields = vikunja_.fields_of(task, taskwarrior_project);
  fields.depends = dependencies_.of_vikunja(task);
  return fields;
}

std::set<std::string> PairSync::write_vikunja_depends(const std::string& tw_uuid, const json& vikunja,
                                                      const std::set<std::string>& merged) {
  std::set<std::string> held = merged;
  for (const std::int64_t refused : vikunja_.set_blocked_by(id_of(vikunja), dependencies_.linked_blocked_ids(vikunja),
                                                            dependencies_.vikunja_ids(merged))) {
    // What Vikunja holds for it (a refused add: not there; a refused removal: still there).
    if (const auto link = task_map_.by_vikunja_id(refused)) {
      if (merged.contains(link->tw_uuid)) {
        held.erase(link->tw_uuid);
      } else {
        held.insert(link->tw_uuid);
      }
    }
    log_.log(LogLevel::warning, "dependency not carried", "tw_uuid={} vikunja_id={} blocked_by={} reason={}", tw_uuid,
             id_of(vikunja), refused,
             log_quote("Vikunja refused the relation: that task is gone or not visible, or the token lacks "
                       "tasks_relations"));
  }
  return held;
}

std::vector<NotePair> PairSync::write_vikunja_notes(const std::string& tw_uuid, std::int64_t vikunja_id,
                                                    NoteMerge& merge, const std::vector<Comment>& comments) {
  std::map<std::int64_t, std::string> held;  // what Vikunja holds of each comment
  for (const Comment& comment : comments) {
    if (comment.text) held[comment.id] = *comment.text;
  }
  std::vector<NotePair> pairs;
  std::vector<UncarriedNote> refused;
  const std::string refusal = "Vikunja refused the comment: another user wrote it, the token lacks tasks_comments, "
                              "or it is gone";
  // Vikunja keeps its comment: so does the annotation, and the change refused is a conflict.
  const auto keep_vikunjas = [&](const std::string& entry, std::int64_t comment_id, const std::string& ours) {
    refused.push_back({fmt::format("comment {}", comment_id), refusal});
    merge.annotations_to_remove.erase(entry);
    merge.annotations_to_write[entry] = held[comment_id];
    merge.conflicts.push_back({"(Vikunja refused the change)", ours, held[comment_id], Side::vikunja});
    pairs.push_back({entry, comment_id, held[comment_id]});
  };
  for (const NotePair& pair : merge.pairs) {
    const auto text = merge.comments_to_write.find(pair.comment_id);
    if (text != merge.comments_to_write.end() && !vikunja_.write_comment(vikunja_id, pair.comment_id, text->second) &&
        held.contains(pair.comment_id)) {
      keep_vikunjas(pair.entry, pair.comment_id, text->second);
      continue;
    }
    pairs.push_back(pair);
  }
  for (const auto& [comment_id, entry] : merge.comments_to_remove) {
    if (!vikunja_.remove_comment(vikunja_id, comment_id) && held.contains(comment_id)) {
      keep_vikunjas(entry, comment_id, "(deleted)");
    }
  }
  for (const NotePair& note : merge.comments_to_add) {
    if (const auto comment_id = vikunja_.add_comment(vikunja_id, note.text)) {
      pairs.push_back({note.entry, *comment_id, note.text});
    } else {
      refused.push_back({fmt::format("annotation {}", note.entry), refusal + "; tried again at the next sync"});
    }
  }
  warn_notes_not_carried(tw_uuid, vikunja_id, refused);
  std::sort(pairs.begin(), pairs.end(), [](const NotePair& a, const NotePair& b) { return a.entry < b.entry; });
  return pairs;
}

void PairSync::warn_notes_not_carried(const std::string& tw_uuid, std::int64_t vikunja_id,
                                      const std::vector<UncarriedNote>& notes) {
  for (const UncarriedNote& note : notes) {
    log_.log(LogLevel::warning, "note not carried", "tw_uuid={} vikunja_id={} note={} reason={}", tw_uuid, vikunja_id,
             log_quote(note.note), log_quote(note.reason));
  }
}

std::optional<nlohmann::json> PairSync::taskwarrior_task(const std::string& uuid) {
  auto tasks = task_.export_tasks({uuid});
  if (tasks.empty()) return std::nullopt;
  return std::move(tasks.front());
}

std::optional<nlohmann::json> PairSync::linked_vikunja_task(const TaskLink& link) {
  auto task = vikunja_.get(link.vikunja_id);
  if (task && !is_linked_task(link, created_of(*task))) {
    log_.log(LogLevel::warning, "another task under a linked id", "tw_uuid={} vikunja_id={} note={}", link.tw_uuid,
             link.vikunja_id, log_quote("made after the link: Vikunja's data was replaced; the linked task is gone"));
    return std::nullopt;
  }
  return task;
}

void PairSync::converge(const std::string& tw_uuid, const std::optional<TaskFields>& base, json taskwarrior,
                        const json& vikunja, std::optional<std::vector<Comment>> comments) {
  const std::int64_t vikunja_id = id_of(vikunja);
  const TaskFields taskwarrior_fields = this->taskwarrior_fields(taskwarrior);
  const TaskFields vikunja_fields = this->vikunja_fields(vikunja, taskwarrior_fields.project);
  // Unknown times count as old: a side that says when it changed wins over one that does not.
  const Side newer = taskwarrior_modified(taskwarrior).value_or(0) > updated_of(vikunja).value_or(0)
                         ? Side::taskwarrior
                         : Side::vikunja;
  const MergeResult merged = merge_fields(base, taskwarrior_fields, vikunja_fields, settings_.conflict_rule, newer);
  TaskFields agreed = merged.fields;
  const std::optional<std::vector<NotePair>> base_notes = base ? base->notes : std::nullopt;
  const std::vector<Annotation> annotations = annotations_of(taskwarrior);
  const bool annotations_as_agreed = annotations_agree(base_notes, annotations);
  if (!comments && !annotations_as_agreed) comments = vikunja_.comments(vikunja_id);
  std::optional<NoteMerge> notes;
  agreed.notes = base_notes;
  if (comments) {
    notes = merge_notes(base_notes, annotations, *comments, settings_.conflict_rule, taskwarrior_modified(taskwarrior),
                        clock_.now());
    warn_notes_not_carried(tw_uuid, vikunja_id, notes->uncarried);
  } else if (!annotations_as_agreed) {
    warn_notes_not_carried(tw_uuid, vikunja_id,
                           {{"annotations", "Vikunja did not list the comments: the token lacks tasks_comments, or the "
                                              "task was deleted meanwhile"}});
  }
  if (!taskwarrior_fields.description) {
    warn_uncarried(log_, tw_uuid, vikunja_id, Side::taskwarrior,
                   why_text_not_carried(string_or(taskwarrior, taskwarrior_description_uda)));
  }
  if (!vikunja_fields.description) {
    warn_uncarried(log_, tw_uuid, vikunja_id, Side::vikunja, why_html_not_carried(string_or(vikunja, "description")));
  }

  // Comments before the task: a write that fails after the task's update would leave Vikunja
  // holding the merge, which the retry would read as Vikunja's own change (a completion undone
  // in Taskwarrior since would come back). Comments written before a failure pair by their text.
  if (notes) agreed.notes = write_vikunja_notes(tw_uuid, vikunja_id, *notes, *comments);
  json vikunja_now = vikunja;
  if (!same_fields(merged.fields, vikunja_fields)) {
    vikunja_now = vikunja_.update(vikunja, merged.fields);
    if (!same_field(Field::depends, merged.fields, vikunja_fields)) {
      agreed.depends = write_vikunja_depends(tw_uuid, vikunja, *merged.fields.depends);
    }
  }
  if (!same_fields(merged.fields, taskwarrior_fields) || (notes && notes->changes_taskwarrior())) {
    // Import replaces the whole task: if the user changed it since it was read, merge again
    // (the retry reads it anew) rather than overwrite that change.
    const auto now_in_taskwarrior = taskwarrior_task(tw_uuid);
    if (now_in_taskwarrior && string_or(*now_in_taskwarrior, "modified") != string_or(taskwarrior, "modified")) {
      // Vikunja's comments are written already: their pairing is kept, so that the merge again
      // sees the user's change of a note as a change of that note (not a new one), and a note
      // the merge overwrote is in the conflicts table.
      if (notes && base) {
        TaskFields written = *base;
        written.notes = agreed.notes;
        task_map_.link(tw_uuid, vikunja_id, updated_of(vikunja), written);
        conflicts_.record_notes(tw_uuid, vikunja_id, notes->conflicts, settings_.conflict_rule);
      }
      throw JobStopped{JobOutcome::retry("the Taskwarrior task changed while it was merged; merging again", false)
                           .on(Target::taskwarrior)};
    }
    const auto spelled_project = optional_string(taskwarrior, "project");
    const json depends = dependencies_.taskwarrior_depends(taskwarrior, *merged.fields.depends);
    write_taskwarrior(taskwarrior, merged.fields, done_at_of(vikunja), clock_.now());
    if (notes) write_annotations(taskwarrior, *notes);
    if (depends.empty()) {
      taskwarrior.erase("depends");
    } else {
      taskwarrior["depends"] = depends;
    }
    // The default project as the user names it in Taskwarrior ("Inbox") stays as it is.
    if (merged.fields.project.empty() && taskwarrior_fields.project.empty() && spelled_project) {
      taskwarrior["project"] = *spelled_project;
    }
    taskwarrior["vikunja_id"] = std::to_string(vikunja_id);
    task_.import_task(importable(taskwarrior));
  } else {
    mark_linked(tw_uuid, vikunja_id, &taskwarrior);
  }
  // Recorded once both sides hold the result: a retry after a failed write records nothing twice.
  conflicts_.record(tw_uuid, vikunja_id, merged.conflicts, settings_.conflict_rule);
  if (notes) conflicts_.record_notes(tw_uuid, vikunja_id, notes->conflicts, settings_.conflict_rule);
  task_map_.link(tw_uuid, vikunja_id, updated_of(vikunja_now), agreed);
  log_.log(LogLevel::debug, "pair converged", "tw_uuid={} vikunja_id={} conflicts={}", tw_uuid, vikunja_id,
           merged.conflicts.size());
}

void PairSync::deleted_in_vikunja(const TaskLink& link, std::int64_t job_id) {
  const auto taskwarrior = taskwarrior_task(link.tw_uuid);
  const TaskStatus status = taskwarrior ? status_of(*taskwarrior, "task export") : TaskStatus::deleted;
  // A series' template, whose link waited for the next instance: the series goes on, its next
  // instance makes a new task (vikunja-sync(7), Recurrence).
  if (status != TaskStatus::deleted && status != TaskStatus::recurring) {
    hold_mass_delete(Side::vikunja, job_id, link);
    if (!link.agreed || !same_fields(read_taskwarrior(*taskwarrior, settings_.default_project), *link.agreed)) {
      conflicts_.record_delete(link.tw_uuid, link.vikunja_id, Side::vikunja, taskwarrior->dump());
    }
    task_.delete_task(link.tw_uuid);
    log_.log(LogLevel::info, "deleted in Taskwarrior", "tw_uuid={} vikunja_id={} cause={}", link.tw_uuid,
             link.vikunja_id, log_quote("gone from Vikunja"));
  }
  task_map_.bury(link.tw_uuid, link.vikunja_id, Side::vikunja);
  deletes_.deleted(Side::vikunja, job_id);
}

void PairSync::deleted_in_taskwarrior(const TaskLink& link, std::int64_t job_id) {
  if (const auto vikunja = linked_vikunja_task(link)) {
    hold_mass_delete(Side::taskwarrior, job_id, link);
    // Comments made or edited since the agreed state go with the task: kept with the losing edit.
    json losing = *vikunja;
    const auto comments = vikunja_.comments(link.vikunja_id);
    const bool comments_changed = comments && !comments_agree(link.agreed ? link.agreed->notes : std::nullopt, *comments);
    if (comments_changed) {
      losing["comments"] = json::array();
      for (const Comment& comment : *comments) losing["comments"].push_back(comment.text.value_or("(not carried)"));
    }
    if (!link.agreed || comments_changed || !same_fields(vikunja_.fields_of(*vikunja, link.agreed->project), *link.agreed)) {
      conflicts_.record_delete(link.tw_uuid, link.vikunja_id, Side::taskwarrior, losing.dump());
    }
    vikunja_.remove(link.vikunja_id);
    log_.log(LogLevel::info, "deleted in Vikunja", "tw_uuid={} vikunja_id={} cause={}", link.tw_uuid,
             link.vikunja_id, log_quote("deleted in Taskwarrior"));
  }
  task_map_.bury(link.tw_uuid, link.vikunja_id, Side::taskwarrior);
  deletes_.deleted(Side::taskwarrior, job_id);
}

void PairSync::unlink(const TaskLink& link) {
  task_map_.forget(link.tw_uuid);
  // A stale vikunja_id would tie the task to whatever Vikunja next gives that id.
  auto taskwarrior = taskwarrior_task(link.tw_uuid);
  if (taskwarrior && optional_string(*taskwarrior, "vikunja_id") == std::to_string(link.vikunja_id)) {
    taskwarrior->erase("vikunja_id");
    task_.import_task(importable(std::move(*taskwarrior)));
  }
  log_.log(LogLevel::info, "unlinked", "tw_uuid={} vikunja_id={} cause={}", link.tw_uuid, link.vikunja_id,
           log_quote("gone from Vikunja; relink"));
}

// Throws the pause of the receiving target when this delete is one of a mass delete.
void PairSync::hold_mass_delete(Side vanished_in, std::int64_t job_id, const TaskLink& link) {
  if (deletes_.off() || deletes_.confirmed(vanished_in, job_id)) return;
  auto why = deletes_.hold(vanished_in);
  if (!why && vanished_in == Side::vikunja) why = vikunja_lost_every_link(link);
  if (!why) return;
  log_.log(LogLevel::warning, "delete held back", "tw_uuid={} vikunja_id={} reason={}", link.tw_uuid,
           link.vikunja_id, log_quote(*why));
  throw JobStopped{JobOutcome::paused(mass_delete_reason, clock_.now() + mass_delete_pause, *why)
                       .on(receiving_target(vanished_in))};
}

// A Vikunja whose data was replaced answers "gone" for every linked task, however few deletes
// are queued yet: ask about a few others before believing this one.
std::optional<std::string> PairSync::vikunja_lost_every_link(const TaskLink& link) {
  const std::vector<std::int64_t> others = deletes_.other_linked_vikunja_ids(link.vikunja_id, 3);
  if (others.empty()) return std::nullopt;
  for (const std::int64_t id : others) {
    const auto other = task_map_.by_vikunja_id(id);
    if (!other || linked_vikunja_task(*other)) return std::nullopt;
  }
  return fmt::format("held back a delete of a task gone from Vikunja: Vikunja has none of the {} other linked "
                     "tasks asked about either; if they were deleted on purpose: vikunja-worker reconcile "
                     "--allow-deletes; if Vikunja lost them: vikunja-worker relink",
                     others.size());
}

bool PairSync::unlinked(const std::string& tw_uuid) {
  return !task_map_.by_uuid(tw_uuid) && !task_map_.buried_uuid(tw_uuid);
}

TaskwarriorCandidates PairSync::taskwarrior_candidates(const json& vikunja) {
  TaskwarriorCandidates found;
  // One export serves both. Nothing from the network is passed as a filter: titles are
  // compared here.
  const std::string id_text = std::to_string(id_of(vikunja));
  for (json& candidate : task_.export_tasks({fmt::format("status.not:{}", TaskStatus::deleted)})) {
    if (status_of(candidate, "task export") == TaskStatus::recurring) continue;  // a template
    if (!unlinked(string_or(candidate, "uuid"))) continue;
    const auto candidate_id = optional_string(candidate, "vikunja_id");
    if (candidate_id == id_text) {
      found.by_vikunja_id = std::move(candidate);
      continue;
    }
    if (candidate_id) continue;  // the other half of another Vikunja task
    // Same title, done state and project, the project as the candidate would see it in Vikunja.
    const TaskFields ours = read_taskwarrior(candidate, settings_.default_project);
    const TaskFields theirs = vikunja_.fields_of(vikunja, ours.project);
    if (ours.title == theirs.title && ours.done == theirs.done && same_project(ours.project, theirs.project)) {
      found.by_title.push_back(std::move(candidate));
    }
  }
  return found;
}

std::vector<nlohmann::json> PairSync::vikunja_candidates(const TaskFields& fields) {
  std::vector<json> unlinked;
  for (json& task : vikunja_.with_title(fields.project, fields.title, fields.done)) {
    if (!task_map_.by_vikunja_id(id_of(task)) && !task_map_.buried_vikunja_id(id_of(task))) {
      unlinked.push_back(std::move(task));
    }
  }
  return unlinked;
}

void PairSync::mark_linked(const std::string& tw_uuid, std::int64_t vikunja_id, const json* known) {
  const std::string id_text = std::to_string(vikunja_id);
  if (known && optional_string(*known, "vikunja_id") == id_text) return;
  try {
    task_.set_attribute(tw_uuid, "vikunja_id", id_text);  // hooks see VIKUNJA_SYNC_RUNNING: no echo job
  } catch (const JobStopped& stopped) {
    log_.log(LogLevel::warning, "link not written to Taskwarrior", "tw_uuid={} vikunja_id={} error={}", tw_uuid,
             vikunja_id, log_quote(stopped.outcome.error));
  }
}

void PairSync::complete_in_taskwarrior(json task, std::optional<UnixMillis> end) {
  task["status"] = to_string(TaskStatus::completed);
  task["end"] = format_taskwarrior_date(end.value_or(clock_.now()));
  task_.import_task(importable(std::move(task)));
}

void PairSync::create_in_taskwarrior(const json& vikunja) {
  const std::int64_t vikunja_id = id_of(vikunja);
  TaskFields fields = vikunja_fields(vikunja, std::string());
  json task{{"uuid", new_uuid()}, {"status", to_string(TaskStatus::pending)},
            {"entry", format_taskwarrior_date(clock_.now())}};
  write_taskwarrior(task, fields, done_at_of(vikunja), clock_.now());
  if (const auto comments = vikunja_.comments(vikunja_id)) {
    const NoteMerge notes = merge_notes(std::nullopt, {}, *comments, settings_.conflict_rule, std::nullopt, clock_.now());
    write_annotations(task, notes);
    fields.notes = notes.pairs;
    warn_notes_not_carried(task["uuid"], vikunja_id, notes.uncarried);
  }
  if (!fields.depends->empty()) task["depends"] = *fields.depends;
  task["vikunja_id"] = std::to_string(vikunja_id);
  task_.import_task(task);
  if (!fields.description) {
    warn_uncarried(log_, task["uuid"], vikunja_id, Side::vikunja, why_html_not_carried(string_or(vikunja, "description")));
  }
  task_map_.link(task["uuid"].get<std::string>(), vikunja_id, updated_of(vikunja), fields);
  log_.log(LogLevel::info, "created in Taskwarrior", "tw_uuid={} vikunja_id={}", task["uuid"].get<std::string>(),
           vikunja_id);
}

}  // namespace vsync
