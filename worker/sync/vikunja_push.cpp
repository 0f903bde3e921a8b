#include "worker/sync/vikunja_push.hpp"

#include <set>

#include <fmt/format.h>

#include "shared/json_document.hpp"
#include "shared/task_snapshot.hpp"
#include "shared/timestamp.hpp"
#include "worker/sync/field_mapping.hpp"

namespace vsync {

namespace {

std::int64_t id_of(const nlohmann::json& object) { return object.at("id").get<std::int64_t>(); }

std::optional<UnixMillis> updated_of(const nlohmann::json& task) {
  const auto found = task.find("updated");
  return found != task.end() && found->is_string() ? parse_rfc3339(found->get<std::string>())
                                                   : std::nullopt;
}

std::string title_of(const nlohmann::json& object) { return string_or(object, "title"); }

TaskSnapshot snapshot_of(const ClaimedJob& job) {
  try {
    return parse_task_snapshot(job.payload, "the job's payload");
  } catch (const std::exception& e) {
    throw JobStopped{JobOutcome::dead(e.what())};
  }
}

}  // namespace

VikunjaPush::VikunjaPush(VikunjaClient& client, TaskMap& task_map, std::string default_project,
                         Logger& log)
    : client_(client), task_map_(task_map), default_project_(std::move(default_project)), log_(log) {}

std::int64_t VikunjaPush::project_id(const std::string& title) {
  if (const auto cached = project_ids_.find(title); cached != project_ids_.end()) return cached->second;
  for (const json& project : client_.projects()) project_ids_.emplace(title_of(project), id_of(project));
  if (const auto found = project_ids_.find(title); found != project_ids_.end()) return found->second;
  const std::int64_t created = id_of(client_.create_project(title));
  log_.log(LogLevel::info, "project created", "title={} id={}", log_quote(title), created);
  return project_ids_[title] = created;
}

std::int64_t VikunjaPush::label_id(const std::string& title) {
  if (const auto cached = label_ids_.find(title); cached != label_ids_.end()) return cached->second;
  // The search is a case-insensitive substring match: keep only the exact title.
  for (const json& label : client_.labels(title)) {
    if (title_of(label) == title) return label_ids_[title] = id_of(label);
  }
  const std::int64_t created = id_of(client_.create_label(title));
  log_.log(LogLevel::info, "label created", "title={} id={}", log_quote(title), created);
  return label_ids_[title] = created;
}

std::optional<nlohmann::json> VikunjaPush::find_by_title(std::int64_t project, const std::string& title,
                                                         bool done) {
  std::optional<json> newest;
  for (const json& task : client_.tasks_of_project(project, title)) {
    if (title_of(task) == title && task.value(vikunja_done_field, false) == done && !task_map_.by_vikunja_id(id_of(task)) &&
        (!newest || id_of(task) > id_of(*newest))) {
      newest = task;
    }
  }
  return newest;
}

void VikunjaPush::sync_labels(std::int64_t task_id, const json& current_labels,
                              const json& taskwarrior_task) {
  std::map<std::string, std::int64_t> current;
  if (current_labels.is_array()) {
    for (const json& label : current_labels) current.emplace(title_of(label), id_of(label));
  }
  const std::vector<std::string> tags = taskwarrior_tags(taskwarrior_task);
  const std::set<std::string> wanted(tags.begin(), tags.end());
  for (const std::string& tag : wanted) {
    if (!current.contains(tag)) client_.add_label(task_id, label_id(tag));
  }
  for (const auto& [title, id] : current) {
    if (!wanted.contains(title)) client_.remove_label(task_id, id);
  }
}

JobOutcome VikunjaPush::run(const ClaimedJob& job) {
  const auto attempt = [&] { return job.kind == JobKind::del ? remove(job) : push(job); };
  try {
    return attempt();
  } catch (const JobStopped& stopped) {
    const bool cached = !project_ids_.empty() || !label_ids_.empty();
    if (stopped.outcome.kind != JobOutcome::Kind::dead || !cached) throw;
    // A 404 for a project or label deleted in Vikunja since we cached its id: look again.
    project_ids_.clear();
    label_ids_.clear();
    return attempt();
  }
}

JobOutcome VikunjaPush::push(const ClaimedJob& job) {
  const TaskSnapshot snapshot = snapshot_of(job);
  if (snapshot.status == TaskStatus::deleted) return remove(job);
  if (snapshot.status == TaskStatus::recurring) {
    // The template of a recurring task; its instances carry the recurrence to Vikunja.
    log_.log(LogLevel::info, "job skipped", "id={} key={} reason={}", job.id, job.key,
             log_quote("recurring template"));
    return JobOutcome::done();
  }
  const std::string project_title = string_or(snapshot.task, "project", default_project_);
  const std::int64_t project = project_id(project_title);

  std::optional<json> existing;
  if (const auto link = task_map_.by_uuid(snapshot.uuid)) {
    existing = client_.get_task(link->vikunja_id);
    if (!existing) {
      log_.log(LogLevel::info, "task gone from Vikunja", "key={} vikunja_id={} note={}", job.key,
               link->vikunja_id, log_quote("creating it again"));
      task_map_.forget(snapshot.uuid);
    }
  }
  if (!existing) {
    existing = find_by_title(project, string_or(snapshot.task, "description"), snapshot.status == TaskStatus::completed);
  }

  json result;
  if (existing) {
    json updated = *existing;
    bool changed = apply_taskwarrior_fields(updated, snapshot.task);
    if (updated.value("project_id", std::int64_t{0}) != project) {
      updated["project_id"] = project;
      changed = true;
    }
    result = changed ? client_.update_task(id_of(*existing), updated) : *existing;
  } else {
    json fresh = json::object();
    apply_taskwarrior_fields(fresh, snapshot.task);
    result = client_.create_task(project, fresh);
  }
  // Linked before the label calls: a retry after a failed label call updates, never duplicates.
  task_map_.link(snapshot.uuid, id_of(result), updated_of(result));
  sync_labels(id_of(result), existing ? (*existing)["labels"] : json(), snapshot.task);
  // What Vikunja now holds, so that its webhook echoing this change back costs nothing.
  json labels = json::array();
  for (const std::string& tag : taskwarrior_tags(snapshot.task)) labels.push_back({{"title", tag}});
  result["labels"] = labels;
  task_map_.link(snapshot.uuid, id_of(result), updated_of(result), vikunja_fingerprint(result));
  return JobOutcome::done();
}

JobOutcome VikunjaPush::remove(const ClaimedJob& job) {
  const TaskSnapshot snapshot = snapshot_of(job);
  std::optional<std::int64_t> target;
  if (const auto link = task_map_.by_uuid(snapshot.uuid)) {
    target = link->vikunja_id;
  } else {
    const std::string project_title = string_or(snapshot.task, "project", default_project_);
    if (const auto found = find_by_title(project_id(project_title), string_or(snapshot.task, "description"),
                                         /*done=*/false)) {
      target = id_of(*found);
    }
  }
  if (target && !client_.delete_task(*target)) {
    log_.log(LogLevel::info, "task already gone from Vikunja", "key={} vikunja_id={}", job.key, *target);
  }
  task_map_.forget(snapshot.uuid);
  return JobOutcome::done();
}

}  // namespace vsync
