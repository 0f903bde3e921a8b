#include "worker/sync/reconcile.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "shared/json_document.hpp"
#include "shared/task_status.hpp"
#include "shared/timestamp.hpp"
#include "worker/queue/job_outcome.hpp"
#include "worker/sync/field_mapping.hpp"
#include "worker/sync/recurrence.hpp"

namespace vsync {

Reconcile::Reconcile(VikunjaTasks& vikunja, TaskRunner& task, TaskMap& task_map, QueueStore& store,
                     std::string default_project, const Clock& clock)
    : vikunja_(vikunja), task_(task), task_map_(task_map), dependencies_(task_map), store_(store),
      default_project_(std::move(default_project)), clock_(clock) {}

PlannedJob Reconcile::push(JobKind kind, const nlohmann::json& taskwarrior, std::string reason) {
  const std::string uuid = string_or(taskwarrior, "uuid");
  return {NewJob{kind, taskwarrior_key(uuid), taskwarrior.dump(), std::nullopt},
          string_or(taskwarrior, "description"), std::move(reason), std::nullopt};
}

PlannedJob Reconcile::webhook(const char* event, const nlohmann::json& vikunja_task, std::string reason) {
  // The body a webhook would carry; the handler reads the task back from Vikunja anyway.
  const nlohmann::json body{{"event_name", event},
                            {"time", format_rfc3339(clock_.now())},
                            {"data", {{"task", vikunja_task}}},
                            {"sent_by", "vikunja-worker reconcile"}};
  return {NewJob{JobKind::webhook, store_.key_of_vikunja_task(id_of(vikunja_task)), body.dump(),
                 updated_of(vikunja_task)},
          string_or(vikunja_task, "title"), std::move(reason), std::nullopt};
}

std::string_view to_string(ReconcileKind kind) { return kind == ReconcileKind::full ? "full" : "changes"; }

bool ReconcileScope::carries_completed(Side side, std::optional<UnixMillis> completed_at) const {
  const auto& sync_start = side == Side::taskwarrior ? taskwarrior_sync_start : vikunja_sync_start;
  return include_completed || (sync_start && completed_at && *completed_at > *sync_start);
}

namespace {

std::optional<UnixMillis> taskwarrior_end(const nlohmann::json& task) {
  const auto text = optional_string(task, "end");
  return text ? parse_taskwarrior_date(*text) : std::nullopt;
}

void note_latest(std::optional<UnixMillis>& latest, std::optional<UnixMillis> changed) {
  if (changed && (!latest || *changed > *latest)) latest = changed;
}

}  // namespace

void Reconcile::plan_link(ReconcilePlan& plan, const TaskLink& link, const json* taskwarrior, const json* vikunja) {
  const auto status = taskwarrior ? std::optional(status_of(*taskwarrior, "task export")) : std::nullopt;
  const bool taskwarrior_alive = status && *status != TaskStatus::deleted;
  if (!vikunja) {
    // Missing from the list is not yet gone (an archived project is not listed): the webhook
    // job reads the task back, and only Vikunja's "does not exist" deletes or buries anything.
    const std::string title = taskwarrior ? string_or(*taskwarrior, "description") : std::string();
    plan.jobs.push_back(webhook("task.deleted", {{"id", link.vikunja_id}, {"title", title}},
                                taskwarrior_alive ? "gone from Vikunja" : "gone from both sides"));
    if (taskwarrior_alive) plan.jobs.back().deletes_vanished_in = Side::vikunja;
    return;
  }
  if (!taskwarrior) {
    plan.left_alone.push_back(fmt::format("tw:{} <-> vikunja #{} \"{}\": in Vikunja, but Taskwarrior no longer has the "
                                          "task (purged?); nothing deleted",
                                          link.tw_uuid, link.vikunja_id, string_or(*vikunja, "title")));
    return;
  }
  if (!plan_taskwarrior_half(plan, link, *taskwarrior) && !plan_vikunja_half(plan, link, *vikunja)) {
    ++plan.agreeing_pairs;
  }
}

// The pair's Taskwarrior task against the agreed state: a delete, or a push that merges both
// sides. True when the pair is dealt with: a job planned, a recurring template (its instances
// are the linked ones), an unreadable task (left alone).
bool Reconcile::plan_taskwarrior_half(ReconcilePlan& plan, const TaskLink& link, const json& taskwarrior) {
  const TaskStatus status = status_of(taskwarrior, "task export");
  if (status == TaskStatus::deleted) {
    plan.jobs.push_back(push(JobKind::del, taskwarrior, "deleted in Taskwarrior"));
    plan.jobs.back().deletes_vanished_in = Side::taskwarrior;
    return true;
  }
  if (status == TaskStatus::recurring) return true;
  try {
    TaskFields fields = read_taskwarrior(taskwarrior, default_project_);
    fields.depends = dependencies_.of_taskwarrior(taskwarrior);
    if (link.agreed && same_fields(fields, *link.agreed) && annotations_agree(link.agreed->notes, annotations_of(taskwarrior))) {
      return false;
    }
  } catch (const JobStopped& unreadable) {  // one bad record must not stop the whole reconcile
    plan.left_alone.push_back(fmt::format("tw:{} <-> vikunja #{}: {}", link.tw_uuid, link.vikunja_id,
                                          unreadable.outcome.error));
    return true;
  }
  plan.jobs.push_back(push(JobKind::push, taskwarrior, link.agreed ? "changed in Taskwarrior" : "never agreed"));
  return true;
}

// The pair's Vikunja task against the agreed state (Taskwarrior's agrees, or was not read): a
// webhook job, or nothing. True when the pair is dealt with.
bool Reconcile::plan_vikunja_half(ReconcilePlan& plan, const TaskLink& link, const json& vikunja) {
  try {
    TaskFields fields = vikunja_.fields_of(vikunja, link.agreed ? link.agreed->project : std::string());
    fields.depends = dependencies_.of_vikunja(vikunja);
    if (link.agreed && same_fields(fields, *link.agreed)) {
      if (plan.kind != ReconcileKind::full) return false;
      // A comment changes no `updated`: only a full pass looks, one request per linked task.
      const auto comments = vikunja_.comments(link.vikunja_id);
      if (!comments || comments_agree(link.agreed->notes, *comments)) return false;
      plan.jobs.push_back(webhook("task.comment.edited", vikunja, "comments changed in Vikunja"));
      return true;
    }
  } catch (const JobStopped& unreadable) {
    plan.left_alone.push_back(fmt::format("tw:{} <-> vikunja #{}: {}", link.tw_uuid, link.vikunja_id,
                                          unreadable.outcome.error));
    return true;
  }
  plan.jobs.push_back(webhook("task.updated", vikunja, link.agreed ? "changed in Vikunja" : "never agreed"));
  return true;
}

// Onboarding, and creates whose event was lost: open tasks always, completed ones when
// completed after the sync began.
void Reconcile::plan_taskwarrior_only(ReconcilePlan& plan, const ReconcileScope& scope, json&& task,
                                      Unlinked& unlinked) {
  const TaskStatus status = status_of(task, "task export");
  if (status == TaskStatus::completed && !scope.carries_completed(Side::taskwarrior, taskwarrior_end(task))) {
    ++plan.completed_skipped;
    return;
  }
  if (status != TaskStatus::pending && status != TaskStatus::waiting && status != TaskStatus::completed) return;
  if (status == TaskStatus::completed && in_carried_series(task)) return;  // its series' Vikunja task moved on
  plan.jobs.push_back(push(JobKind::push, task, status == TaskStatus::completed ? "completed in Taskwarrior, never linked"
                                                                                 : "only in Taskwarrior"));
  unlinked.taskwarrior.push_back(std::move(task));
}

void Reconcile::plan_vikunja_only(ReconcilePlan& plan, const ReconcileScope& scope, json&& task, Unlinked& unlinked) {
  const bool done = task.value("done", false);
  if (done && !scope.carries_completed(Side::vikunja, done_at_of(task))) {
    ++plan.completed_skipped;
    return;
  }
  unlinked.vikunja_jobs.push_back(webhook("task.created", task, done ? "completed in Vikunja, never linked" : "only in Vikunja"));
  unlinked.vikunja.push_back(std::move(task));
}

ReconcilePlan Reconcile::plan(const ReconcileScope& scope) {
  ReconcilePlan plan;
  plan.kind = scope.kind;
  Unlinked unlinked;
  if (scope.kind == ReconcileKind::full) {
    plan_full(plan, scope, unlinked);
  } else {
    plan_changes(plan, scope, unlinked);
  }
  // Pushes first, so that a namesake pair is linked by the push before the webhook of its
  // Vikunja half runs.
  for (PlannedJob& job : unlinked.vikunja_jobs) plan.jobs.push_back(std::move(job));
  explain_namesakes(plan, unlinked);
  return plan;
}

void Reconcile::plan_full(ReconcilePlan& plan, const ReconcileScope& scope, Unlinked& unlinked) {
  // Taskwarrior's tasks as their export text, parsed again for the few a pair needs.
  plan.taskwarrior_written_at = task_.files_written_at();
  std::map<std::string, std::string> taskwarrior;
  task_.export_each({}, [&](json&& task) {
    note_latest(plan.taskwarrior_seen_until, taskwarrior_modified(task));
    taskwarrior.emplace(string_or(task, "uuid"), task.dump());
  });
  const auto taskwarrior_task = [&](const std::string& uuid) -> std::optional<json> {
    const auto found = taskwarrior.find(uuid);
    if (found == taskwarrior.end()) return std::nullopt;
    return json::parse(found->second);
  };
  plan.taskwarrior_tasks = static_cast<int>(taskwarrior.size());

  std::set<std::string> linked_uuids = task_map_.buried_uuids();
  std::set<std::int64_t> linked_ids = task_map_.buried_vikunja_ids();
  std::map<std::int64_t, TaskLink> unlisted;  // by Vikunja id, until its task is listed
  for (TaskLink& link : task_map_.all_links()) {
    linked_uuids.insert(link.tw_uuid);
    linked_ids.insert(link.vikunja_id);
    unlisted.emplace(link.vikunja_id, std::move(link));
  }
  vikunja_.each(std::nullopt, [&](json&& task) {
    ++plan.vikunja_tasks;
    note_latest(plan.vikunja_seen_until, updated_of(task));
    const auto link = unlisted.find(id_of(task));
    // Another task under the link's id (a replaced Vikunja) is not the linked one: gone.
    if (link != unlisted.end() && is_linked_task(link->second, created_of(task))) {
      const auto tw = taskwarrior_task(link->second.tw_uuid);
      plan_link(plan, link->second, tw ? &*tw : nullptr, &task);
      unlisted.erase(link);
    } else if (!linked_ids.contains(id_of(task))) {
      plan_vikunja_only(plan, scope, std::move(task), unlinked);
    }
  });
  for (const auto& [id, link] : unlisted) {
    const auto tw = taskwarrior_task(link.tw_uuid);
    plan_link(plan, link, tw ? &*tw : nullptr, nullptr);
  }
  for (const auto& [uuid, text] : taskwarrior) {
    if (!linked_uuids.contains(uuid)) plan_taskwarrior_only(plan, scope, json::parse(text), unlinked);
  }
}

// Only what changed since the last reconcile, each changed task against its link's agreed state
// (the job merges whatever the other side holds); a task gone from Vikunja waits for a full pass.
// Vikunja: the tasks `updated` since. Taskwarrior: nothing when its files were not written since;
// else every task, not those `modified` since: `task sync` brings the other replica's changes
// with their own, older `modified`, and `task export` reads every pending task whatever its filter.
void Reconcile::plan_changes(ReconcilePlan& plan, const ReconcileScope& scope, Unlinked& unlinked) {
  std::set<std::string> dealt_with, agreeing;  // linked pairs, by uuid
  plan.taskwarrior_written_at = task_.files_written_at();
  if (!plan.taskwarrior_written_at || plan.taskwarrior_written_at != scope.taskwarrior_written_at) {
    const std::set<std::string> buried = task_map_.buried_uuids();
    std::map<std::string, TaskLink> links;
    for (TaskLink& link : task_map_.all_links()) links.emplace(link.tw_uuid, std::move(link));
    task_.export_each({}, [&](json&& task) {
      ++plan.taskwarrior_tasks;
      const std::string uuid = string_or(task, "uuid");
      if (buried.contains(uuid)) return;
      if (const auto link = links.find(uuid); link != links.end()) {
        (plan_taskwarrior_half(plan, link->second, task) ? dealt_with : agreeing).insert(uuid);
      } else {
        plan_taskwarrior_only(plan, scope, std::move(task), unlinked);
      }
    });
  }
  vikunja_.each(scope.vikunja_changed_after, [&](json&& task) {
    ++plan.vikunja_tasks;
    note_latest(plan.vikunja_seen_until, updated_of(task));
    const std::int64_t id = id_of(task);
    if (task_map_.buried_vikunja_id(id)) return;
    if (const auto link = task_map_.by_vikunja_id(id)) {
      if (dealt_with.contains(link->tw_uuid) || !is_linked_task(*link, created_of(task))) return;
      if (plan_vikunja_half(plan, *link, task)) {
        agreeing.erase(link->tw_uuid);
      } else {
        agreeing.insert(link->tw_uuid);
      }
    } else {
      plan_vikunja_only(plan, scope, std::move(task), unlinked);
    }
  });
  plan.agreeing_pairs = static_cast<int>(agreeing.size());
}

namespace {

std::string project_shown(const TaskFields& fields) {
  return fields.project.empty() ? std::string("none (the default project)") : fmt::format("\"{}\"", fields.project);
}

}  // namespace

// A task on each side with one title, planned as two new tasks, looks like a duplicate to come:
// say why the job that runs first will not link them (the rule of pair_sync.hpp's candidates).
void Reconcile::explain_namesakes(ReconcilePlan& plan, const Unlinked& unlinked) {
  std::map<std::string, std::vector<TaskFields>> taskwarrior_by_title;
  std::map<std::string, std::vector<const nlohmann::json*>> vikunja_by_title;
  try {
    for (const json& task : unlinked.taskwarrior) {
      TaskFields fields = read_taskwarrior(task, default_project_);
      taskwarrior_by_title[fields.title].push_back(std::move(fields));
    }
    for (const json& task : unlinked.vikunja) vikunja_by_title[vikunja_.fields_of(task).title].push_back(&task);
    for (const auto& [title, ours] : taskwarrior_by_title) {
      const auto theirs = vikunja_by_title.find(title);
      if (theirs == vikunja_by_title.end()) continue;
      // The project as each Taskwarrior task would see the Vikunja one.
      const auto matches = [&](const TaskFields& tw, const nlohmann::json* vk) {
        const TaskFields seen = vikunja_.fields_of(*vk, tw.project);
        return same_project(tw.project, seen.project) && tw.done == seen.done;
      };
      const TaskFields& one = ours.front();
      const nlohmann::json* other = theirs->second.front();
      std::string why;
      if (!matches(one, other)) {
        why = fmt::format("Taskwarrior's project is {}, Vikunja's {}", project_shown(one),
                          project_shown(vikunja_.fields_of(*other)));
      } else if (std::count_if(ours.begin(), ours.end(), [&](const TaskFields& tw) { return matches(tw, other); }) > 1 ||
                 std::count_if(theirs->second.begin(), theirs->second.end(),
                               [&](const nlohmann::json* vk) { return matches(one, vk); }) > 1) {
        why = "more than one namesake on a side: which is which cannot be told by the title";
      } else {
        continue;  // the first job links them
      }
      plan.namesakes_not_linked.push_back(fmt::format("\"{}\": {}", title, why));
    }
  } catch (const JobStopped&) {
    // an unreadable task is reported by the job that meets it
  }
}

void Reconcile::apply(const ReconcilePlan& plan) {
  for (const PlannedJob& planned : plan.jobs) {
    // A job already waiting will merge both sides anyway; replacing it could turn a delete the
    // user made since the export into a push, or reset its retries every hour.
    if (store_.has_pending(planned.job.key, target_of(planned.job.kind))) continue;
    store_.enqueue(planned.job);
  }
}

int ReconcilePlan::deletes(Side vanished_in) const {
  return static_cast<int>(std::count_if(jobs.begin(), jobs.end(), [&](const PlannedJob& planned) {
    return planned.deletes_vanished_in == vanished_in;
  }));
}

std::string describe_plan(const ReconcilePlan& plan, bool dry_run) {
  std::string text =
      plan.kind == ReconcileKind::full
          ? fmt::format("reconcile (full): {} Taskwarrior tasks, {} Vikunja tasks, {} linked pairs agree\n",
                        plan.taskwarrior_tasks, plan.vikunja_tasks, plan.agreeing_pairs)
          : fmt::format("reconcile (changes since the last): {} Taskwarrior tasks read, {} Vikunja tasks changed, "
                        "{} linked pairs agree\n",
                        plan.taskwarrior_tasks, plan.vikunja_tasks, plan.agreeing_pairs);
  const char* verb = dry_run ? "would queue" : "queued";
  for (const PlannedJob& planned : plan.jobs) {
    text += fmt::format("{} {} {} \"{}\": {}\n", verb, planned.job.kind, planned.job.key, planned.title, planned.reason);
  }
  for (const std::string& note : plan.left_alone) text += "left alone: " + note + "\n";
  for (const std::string& held : plan.held_back) text += (dry_run ? "would be " : "") + held + "\n";
  for (const std::string& note : plan.namesakes_not_linked) text += "namesakes not linked: " + note + "\n";
  if (plan.completed_skipped > 0) {
    text += fmt::format("left alone: {} completed task{} never linked, completed before the sync began "
                        "(reconcile --include-completed carries them over)\n",
                        plan.completed_skipped, plan.completed_skipped == 1 ? "" : "s");
  }
  if (plan.nothing_to_do()) text += "nothing to do\n";
  return text;
}

}  // namespace vsync
