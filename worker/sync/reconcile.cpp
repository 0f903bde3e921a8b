#include "worker/sync/reconcile.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "shared/json_document.hpp"
#include "shared/task_status.hpp"
#include "shared/timestamp.hpp"
#include "worker/queue/job_outcome.hpp"

namespace vsync {

Reconcile::Reconcile(VikunjaTasks& vikunja, TaskRunner& task, TaskMap& task_map, QueueStore& store,
                     std::string default_project, const Clock& clock)
    : vikunja_(vikunja), task_(task), task_map_(task_map), store_(store),
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

void Reconcile::plan_link(ReconcilePlan& plan, const TaskLink& link, const nlohmann::json* taskwarrior,
                          const nlohmann::json* vikunja) {
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
  if (*status == TaskStatus::deleted) {
    plan.jobs.push_back(push(JobKind::del, *taskwarrior, "deleted in Taskwarrior"));
    plan.jobs.back().deletes_vanished_in = Side::taskwarrior;
    return;
  }
  if (*status == TaskStatus::recurring) return;  // a template: its instances are the linked ones
  TaskFields taskwarrior_fields, vikunja_fields;
  try {
    taskwarrior_fields = read_taskwarrior(*taskwarrior, default_project_);
    vikunja_fields = vikunja_.fields_of(*vikunja, taskwarrior_fields.project);
  } catch (const JobStopped& unreadable) {  // one bad record must not stop the whole reconcile
    plan.left_alone.push_back(fmt::format("tw:{} <-> vikunja #{}: {}", link.tw_uuid, link.vikunja_id,
                                          unreadable.outcome.error));
    return;
  }
  if (!link.agreed || !same_fields(taskwarrior_fields, *link.agreed)) {
    plan.jobs.push_back(push(JobKind::push, *taskwarrior, link.agreed ? "changed in Taskwarrior" : "never agreed"));
  } else if (!same_fields(vikunja_fields, *link.agreed)) {
    plan.jobs.push_back(webhook("task.updated", *vikunja, "changed in Vikunja"));
  } else {
    ++plan.agreeing_pairs;
  }
}

ReconcilePlan Reconcile::plan() {
  ReconcilePlan plan;
  std::map<std::string, nlohmann::json> taskwarrior;
  for (auto& task : task_.export_tasks({})) {
    std::string uuid = string_or(task, "uuid");
    taskwarrior.emplace(std::move(uuid), std::move(task));
  }
  std::map<std::int64_t, nlohmann::json> vikunja;
  for (auto& task : vikunja_.all()) vikunja.emplace(id_of(task), std::move(task));
  plan.taskwarrior_tasks = static_cast<int>(taskwarrior.size());
  plan.vikunja_tasks = static_cast<int>(vikunja.size());

  std::set<std::string> linked_uuids = task_map_.buried_uuids();
  std::set<std::int64_t> linked_ids = task_map_.buried_vikunja_ids();
  for (const TaskLink& link : task_map_.all_links()) {
    linked_uuids.insert(link.tw_uuid);
    linked_ids.insert(link.vikunja_id);
    const auto tw = taskwarrior.find(link.tw_uuid);
    const auto vk = vikunja.find(link.vikunja_id);
    // Another task under the link's id (a replaced Vikunja) is not the linked one: gone.
    const bool listed = vk != vikunja.end() && is_linked_task(link, created_of(vk->second));
    plan_link(plan, link, tw == taskwarrior.end() ? nullptr : &tw->second, listed ? &vk->second : nullptr);
  }
  // Unlinked tasks: onboarding, and creates whose event was lost. Pushes are planned first, so
  // that a namesake pair is linked by the push before the webhook of its Vikunja half runs.
  std::vector<const nlohmann::json*> taskwarrior_only, vikunja_only;
  for (const auto& [uuid, task] : taskwarrior) {
    const TaskStatus status = status_of(task, "task export");
    if (linked_uuids.contains(uuid) || (status != TaskStatus::pending && status != TaskStatus::waiting)) continue;
    plan.jobs.push_back(push(JobKind::push, task, "only in Taskwarrior"));
    taskwarrior_only.push_back(&task);
  }
  for (const auto& [id, task] : vikunja) {
    if (linked_ids.contains(id) || task.value("done", false)) continue;
    plan.jobs.push_back(webhook("task.created", task, "only in Vikunja"));
    vikunja_only.push_back(&task);
  }
  explain_namesakes(plan, taskwarrior_only, vikunja_only);
  return plan;
}

namespace {

std::string project_shown(const TaskFields& fields) {
  return fields.project.empty() ? std::string("none (the default project)") : fmt::format("\"{}\"", fields.project);
}

}  // namespace

// A task on each side with one title, planned as two new tasks, looks like a duplicate to come:
// say why the job that runs first will not link them (the rule of pair_sync.hpp's candidates).
void Reconcile::explain_namesakes(ReconcilePlan& plan, const std::vector<const nlohmann::json*>& taskwarrior_only,
                                  const std::vector<const nlohmann::json*>& vikunja_only) {
  std::map<std::string, std::vector<TaskFields>> taskwarrior_by_title;
  std::map<std::string, std::vector<const nlohmann::json*>> vikunja_by_title;
  try {
    for (const nlohmann::json* task : taskwarrior_only) {
      TaskFields fields = read_taskwarrior(*task, default_project_);
      taskwarrior_by_title[fields.title].push_back(std::move(fields));
    }
    for (const nlohmann::json* task : vikunja_only) vikunja_by_title[vikunja_.fields_of(*task).title].push_back(task);
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
  std::string text = fmt::format("reconcile: {} Taskwarrior tasks, {} Vikunja tasks, {} linked pairs agree\n",
                                 plan.taskwarrior_tasks, plan.vikunja_tasks, plan.agreeing_pairs);
  const char* verb = dry_run ? "would queue" : "queued";
  for (const PlannedJob& planned : plan.jobs) {
    text += fmt::format("{} {} {} \"{}\": {}\n", verb, planned.job.kind, planned.job.key, planned.title, planned.reason);
  }
  for (const std::string& note : plan.left_alone) text += "left alone: " + note + "\n";
  for (const std::string& held : plan.held_back) text += (dry_run ? "would be " : "") + held + "\n";
  for (const std::string& note : plan.namesakes_not_linked) text += "namesakes not linked: " + note + "\n";
  if (plan.nothing_to_do()) text += "nothing to do\n";
  return text;
}

}  // namespace vsync
