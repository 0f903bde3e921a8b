#include "worker/sync/taskwarrior_sync.hpp"

#include <uuid/uuid.h>

#include <fmt/format.h>

#include "shared/json_document.hpp"
#include "shared/task_snapshot.hpp"
#include "shared/task_status.hpp"
#include "shared/timestamp.hpp"
#include "shared/webhook_event.hpp"
#include "worker/sync/field_mapping.hpp"

namespace vsync {

namespace {

// A version 4 uuid for a task created from Vikunja, from libuuid (getrandom, not a PRNG seeded
// once per process).
std::string new_uuid() {
  uuid_t uuid;
  uuid_generate_random(uuid);
  char text[37];
  uuid_unparse_lower(uuid, text);
  return text;
}

// The title of the task's project when the envelope carries that project (project webhooks do).
std::optional<std::string> project_title_of(const nlohmann::json& data, const nlohmann::json& vikunja_task) {
  const auto project = data.find("project");
  if (project == data.end() || !project->is_object() || !vikunja_task.contains("project_id")) return std::nullopt;
  if (project->value("id", nlohmann::json()) != vikunja_task["project_id"]) return std::nullopt;
  const std::string title = string_or(*project, "title");
  return title.empty() ? std::nullopt : std::optional(title);
}

// What export adds that import must not get back.
nlohmann::json importable(nlohmann::json task) {
  task.erase("id");
  task.erase("urgency");
  return task;
}

}  // namespace

TaskwarriorSync::TaskwarriorSync(TaskRunner& task, TaskMap& task_map, const Clock& clock,
                                 std::string default_project, Logger& log)
    : task_(task), task_map_(task_map), clock_(clock), default_project_(std::move(default_project)), log_(log) {}

std::optional<nlohmann::json> TaskwarriorSync::find(std::int64_t vikunja_id, const json& vikunja_task,
                                                    const std::optional<std::string>& project_title) {
  if (const auto link = task_map_.by_vikunja_id(vikunja_id); link && is_uuid(link->tw_uuid)) {
    const auto tasks = task_.export_tasks({link->tw_uuid});
    if (!tasks.empty()) return tasks.front();
  }
  // One export serves both fallbacks. Nothing from the network is passed as a filter: the
  // vikunja_id and the title are compared here. Templates first, so an instance never wins.
  auto candidates = task_.export_tasks({"status.not:deleted"});
  std::stable_sort(candidates.begin(), candidates.end(), [](const json& a, const json& b) {
    return (status_of(a, "task export") == TaskStatus::recurring) >
           (status_of(b, "task export") == TaskStatus::recurring);
  });
  const std::string id_text = std::to_string(vikunja_id);
  for (const json& candidate : candidates) {
    if (string_or(candidate, "vikunja_id") == id_text) return candidate;
  }
  const std::string title = string_or(vikunja_task, "title");
  const std::optional<std::string> project =
      project_title && *project_title != default_project_ ? project_title : std::nullopt;
  for (const json& candidate : candidates) {
    const auto candidate_project = candidate.contains("project") ? std::optional(string_or(candidate, "project")) : std::nullopt;
    if (status_of(candidate, "task export") == TaskStatus::pending && string_or(candidate, "description") == title &&
        !candidate.contains("vikunja_id") && (!project_title || candidate_project == project) &&
        !task_map_.by_uuid(string_or(candidate, "uuid"))) {
      return candidate;
    }
  }
  return std::nullopt;
}

JobOutcome TaskwarriorSync::remove(const ClaimedJob& job, std::int64_t vikunja_id, const json& vikunja_task) {
  const auto found = find(vikunja_id, vikunja_task, std::nullopt);
  if (found && status_of(*found, "task export") != TaskStatus::deleted) {
    task_.delete_task(string_or(*found, "uuid"));
  } else {
    log_.log(LogLevel::info, "task already gone from Taskwarrior", "id={} key={}", job.id, job.key);
  }
  if (found) task_map_.forget(string_or(*found, "uuid"));
  return JobOutcome::done();
}

JobOutcome TaskwarriorSync::run(const ClaimedJob& job) {
  WebhookEvent event;
  try {
    event = parse_webhook_event(job.payload, "the webhook body");
  } catch (const std::exception& e) {
    return JobOutcome::dead(e.what());
  }
  if (!event.synced) return JobOutcome::done();
  const json& vikunja_task = event.envelope["data"]["task"];

  const auto link = task_map_.by_vikunja_id(event.task_id);
  if (link && link->vikunja_updated_at && event.task_updated && *event.task_updated < *link->vikunja_updated_at) {
    log_.log(LogLevel::info, "webhook skipped", "id={} key={} reason={}", job.id, job.key,
             log_quote("older than the last version applied"));
    return JobOutcome::done();
  }
  if (event.event_name == "task.deleted") return remove(job, event.task_id, vikunja_task);

  const std::string fingerprint = vikunja_fingerprint(vikunja_task);
  if (link && link->fingerprint == fingerprint) {
    // Our own push echoing back, or a duplicate delivery: both sides already agree.
    log_.log(LogLevel::debug, "webhook changes nothing", "id={} key={} reason=echo", job.id, job.key);
    task_map_.link(link->tw_uuid, event.task_id, event.task_updated, fingerprint);
    return JobOutcome::done();
  }

  const auto project_title = project_title_of(event.envelope["data"], vikunja_task);
  const auto existing = find(event.task_id, vikunja_task, project_title);
  if (existing && status_of(*existing, "task export") == TaskStatus::deleted) {
    log_.log(LogLevel::info, "webhook skipped", "id={} key={} reason={}", job.id, job.key,
             log_quote("deleted in Taskwarrior; its delete job wins"));
    return JobOutcome::done();
  }
  json merged = existing ? importable(*existing)
                         : json{{"uuid", new_uuid()}, {"status", to_string(TaskStatus::pending)},
                                {"entry", format_taskwarrior_date(clock_.now())}};
  const bool changed = apply_vikunja_fields(merged, vikunja_task, project_title, default_project_, clock_.now());
  if (changed || !existing) {
    task_.import_task(merged);
  } else {
    log_.log(LogLevel::debug, "webhook changes nothing", "id={} key={}", job.id, job.key);
  }
  task_map_.link(merged["uuid"].get<std::string>(), event.task_id, event.task_updated, fingerprint);
  return JobOutcome::done();
}

}  // namespace vsync
