#include "worker/sync/series_sync.hpp"

#include <fmt/format.h>

#include "shared/json_document.hpp"
#include "shared/task_snapshot.hpp"
#include "shared/task_status.hpp"
#include "worker/sync/field_mapping.hpp"
#include "worker/sync/vikunja_tasks.hpp"

namespace vsync {

namespace {

bool open_status(TaskStatus status) { return status == TaskStatus::pending || status == TaskStatus::waiting; }

// Due first; an instance without a due date (Taskwarrior needs one for recurrence) last.
bool due_before(const nlohmann::json& a, const nlohmann::json& b) {
  const auto due_a = parse_taskwarrior_date(string_or(a, "due"));
  const auto due_b = parse_taskwarrior_date(string_or(b, "due"));
  return due_a && (!due_b || *due_a < *due_b);
}

}  // namespace

SeriesSync::SeriesSync(PairSync& pair, VikunjaTasks& vikunja, TaskRunner& task, TaskMap& task_map, const Clock& clock,
                       Logger& log)
    : pair_(pair), vikunja_(vikunja), task_(task), task_map_(task_map), clock_(clock), log_(log) {}

std::vector<nlohmann::json> SeriesSync::instances(const std::string& series) {
  // The uuid is Taskwarrior's own, checked before it becomes a filter word.
  if (!is_uuid(series)) return {};
  return task_.export_tasks({"parent:" + series});
}

InstancePlacement SeriesSync::place(const std::string& tw_uuid, const json& instance) {
  const auto series = series_of(instance);
  if (!series || !in_carried_series(instance)) return {};  // each instance is a task of its own
  if (!open_status(status_of(instance, "task export"))) {
    return {std::nullopt, "an instance of a recurring series that is no longer open: its Vikunja task follows the series"};
  }
  // The series' link is on its latest linked instance (earlier ones linked before series were
  // carried keep their own, done, tasks), or on its template.
  std::optional<json> latest_linked;
  for (json& other : instances(*series)) {
    if (string_or(other, "uuid") == tw_uuid) continue;
    const bool open = open_status(status_of(other, "task export"));
    if (task_map_.by_uuid(string_or(other, "uuid"))) {
      if (!latest_linked || due_before(*latest_linked, other)) latest_linked = std::move(other);
    } else if (open && due_before(other, instance)) {
      return {std::nullopt, "an earlier instance of its recurring series is synced first"};
    }
  }
  if (const auto waiting = task_map_.by_uuid(*series)) return take_from_template(tw_uuid, instance, *waiting);
  if (latest_linked && holds_series_task(*latest_linked)) {
    return {std::nullopt, "another instance of its recurring series is the one synced"};
  }
  return {};
}

InstancePlacement SeriesSync::take_from_template(const std::string& tw_uuid, const json& instance,
                                                 const TaskLink& waiting) {
  if (!pair_.linked_vikunja_task(waiting)) {  // deleted in Vikunja while it waited: a new task
    task_map_.bury(waiting.tw_uuid, waiting.vikunja_id, Side::vikunja);
    return {};
  }
  task_map_.move_link(waiting.tw_uuid, tw_uuid, waiting.vikunja_id, waiting.vikunja_updated_at, waiting.agreed);
  pair_.mark_linked(tw_uuid, waiting.vikunja_id, &instance);
  log_.log(LogLevel::info, "series moved on", "tw_uuid={} vikunja_id={} series={}", tw_uuid, waiting.vikunja_id,
           waiting.tw_uuid);
  return {task_map_.by_uuid(tw_uuid), std::nullopt, true};
}

// Whether the linked instance holds its series' task: a task that repeats, open (a completed
// instance's push moves the link on). An instance linked to a plain task holds nothing.
bool SeriesSync::holds_series_task(const json& linked) {
  const auto link = task_map_.by_uuid(string_or(linked, "uuid"));
  const auto vikunja = link ? pair_.linked_vikunja_task(*link) : std::nullopt;
  return vikunja && repeat_of_vikunja(*vikunja) && !vikunja->value("done", false);
}

std::optional<Repeat> SeriesSync::repeat_for(const std::string& tw_uuid, const json& instance) {
  const auto recur = optional_string(instance, "recur");
  if (!recur || !series_of(instance)) return std::nullopt;
  const auto repeat = repeat_of_recur(*recur);
  if (!repeat) {
    log_.log(LogLevel::warning, "recurrence not carried", "tw_uuid={} recur={} reason={}", tw_uuid, log_quote(*recur),
             log_quote("Vikunja repeats by a fixed time or by one month; each instance is synced as its own task"));
  }
  return repeat;
}

bool SeriesSync::waits_for_instance(const json& taskwarrior) {
  return status_of(taskwarrior, "task export") == TaskStatus::recurring;
}

bool SeriesSync::skipped_occurrence(const TaskLink& link, const json& deleted) {
  const auto series = series_of(deleted);
  if (!series || !in_carried_series(deleted) || ended(*series, std::nullopt)) return false;
  const auto vikunja = pair_.linked_vikunja_task(link);
  if (!vikunja || !repeat_of_vikunja(*vikunja)) return false;
  log_.log(LogLevel::info, "occurrence skipped", "tw_uuid={} vikunja_id={} series={}", link.tw_uuid, link.vikunja_id,
           *series);
  follow(link, *series, *vikunja);
  return true;
}

// The template is gone, or its `until` has passed (or comes before the next occurrence): no
// instance follows.
bool SeriesSync::ended(const std::string& series, std::optional<UnixMillis> next_due) {
  const auto template_task = pair_.taskwarrior_task(series);
  if (!template_task || !waits_for_instance(*template_task)) return true;
  const auto until = parse_taskwarrior_date(string_or(*template_task, "until"));
  return until && (*until <= clock_.now() || (next_due && *next_due > *until));
}

void SeriesSync::after_merge(const std::string& tw_uuid, const json& merged) {
  if (!series_of(merged) || status_of(merged, "task export") != TaskStatus::completed) return;
  const auto link = task_map_.by_uuid(tw_uuid);
  const auto taskwarrior = pair_.taskwarrior_task(tw_uuid);  // still completed, not reopened since
  if (!link || !taskwarrior) return;
  if (const auto vikunja = pair_.linked_vikunja_task(*link)) follows_completion(*link, *vikunja, *taskwarrior);
}

bool SeriesSync::repeated_in_vikunja(const TaskLink& link, const json& vikunja, const json& taskwarrior) {
  const auto series = series_of(taskwarrior);
  if (!series || !repeated_in_vikunja_since(vikunja, link.vikunja_updated_at)) return false;
  const TaskStatus status = status_of(taskwarrior, "task export");
  if (open_status(status)) {
    pair_.complete_in_taskwarrior(taskwarrior, done_at_of(vikunja));
    log_.log(LogLevel::info, "completed in Taskwarrior", "tw_uuid={} vikunja_id={} cause={}", link.tw_uuid,
             link.vikunja_id, log_quote("done in Vikunja, which repeats it"));
  } else if (status != TaskStatus::completed) {
    return false;
  }
  follow(link, *series, vikunja);
  return true;
}

bool SeriesSync::follows_completion(const TaskLink& link, const json& vikunja, const json& taskwarrior) {
  const auto series = series_of(taskwarrior);
  // Agreed done: the merge marked the task done, and Vikunja repeated it. Not agreed yet: the
  // merge comes first, and marks it done.
  if (!series || status_of(taskwarrior, "task export") != TaskStatus::completed || !repeat_of_vikunja(vikunja) ||
      vikunja.value("done", false) || !link.agreed || !link.agreed->done) {
    return false;
  }
  follow(link, *series, vikunja);
  return true;
}

// The link leaves the completed instance for the next open one, or for the template until
// Taskwarrior makes it. The agreed state is Vikunja's task as it moved: the next instance's
// own dates then win where they differ, and its annotations and the task's comments are merged
// as new on both sides (each instance has its own annotations, the Vikunja task one thread).
void SeriesSync::follow(const TaskLink& link, const std::string& series, const json& vikunja_now) {
  const TaskFields moved = pair_.vikunja_fields(vikunja_now, link.agreed ? link.agreed->project : std::string());
  TaskFields base = link.agreed.value_or(moved);
  base.done = false;
  base.due = moved.due;
  base.scheduled = moved.scheduled;
  base.until = moved.until;
  base.notes = std::nullopt;
  std::optional<json> next;
  for (json& instance : instances(series)) {
    if (string_or(instance, "uuid") == link.tw_uuid || !open_status(status_of(instance, "task export"))) continue;
    const auto other = task_map_.by_uuid(string_or(instance, "uuid"));
    if (other && other->vikunja_id != link.vikunja_id) continue;  // a task of its own (linked before series were)
    if (!next || due_before(instance, *next)) next = std::move(instance);
  }
  if (!next && ended(series, moved.due)) {
    // The last occurrence: no longer repeating, done, like the instance.
    const json ended_task = vikunja_.end_repeat(vikunja_now);
    TaskFields done = base;  // Vikunja's moved dates: the instance's own go back at the next sync
    done.done = true;
    task_map_.link(link.tw_uuid, link.vikunja_id, updated_of(ended_task), done);
    log_.log(LogLevel::info, "series ended", "tw_uuid={} vikunja_id={} series={}", link.tw_uuid, link.vikunja_id, series);
    return;
  }
  const std::string next_uuid = next ? string_or(*next, "uuid") : series;
  task_map_.move_link(link.tw_uuid, next_uuid, link.vikunja_id, updated_of(vikunja_now), base);
  if (!next) {
    log_.log(LogLevel::info, "series waits for its next instance", "tw_uuid={} vikunja_id={} series={}", link.tw_uuid,
             link.vikunja_id, series);
    return;
  }
  log_.log(LogLevel::info, "series moved on", "tw_uuid={} vikunja_id={} series={}", next_uuid, link.vikunja_id, series);
  pair_.converge(next_uuid, base, *next, vikunja_now);
}

}  // namespace vsync
