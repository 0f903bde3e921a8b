#include "worker/sync/vikunja_tasks.hpp"

#include "shared/json_document.hpp"
#include "shared/timestamp.hpp"
#include "worker/sync/dependencies.hpp"
#include "worker/sync/field_mapping.hpp"
#include "worker/sync/html_text.hpp"

namespace vsync {

namespace {

std::string title_of(const nlohmann::json& object) { return string_or(object, "title"); }

}  // namespace

std::int64_t id_of(const nlohmann::json& object) { return object.at("id").get<std::int64_t>(); }

std::optional<UnixMillis> updated_of(const nlohmann::json& task) {
  const auto text = optional_string(task, "updated");
  return text ? parse_rfc3339(*text) : std::nullopt;
}

std::optional<UnixMillis> created_of(const nlohmann::json& task) {
  const auto text = optional_string(task, "created");
  return text ? parse_rfc3339(*text) : std::nullopt;
}

std::optional<UnixMillis> done_at_of(const nlohmann::json& task) {
  const auto text = optional_string(task, "done_at");
  const auto time = text ? parse_rfc3339(*text) : std::nullopt;
  return time && *time > *parse_rfc3339(vikunja_no_date) ? time : std::nullopt;
}

VikunjaTasks::VikunjaTasks(VikunjaClient& client, std::string default_project, Logger& log, bool use_users_default)
    : client_(client), default_project_(std::move(default_project)), log_(log), use_users_default_(use_users_default) {}

void VikunjaTasks::load_projects() {
  for (const json& project : client_.projects()) {
    project_ids_.emplace(title_of(project), id_of(project));
    project_titles_.emplace(id_of(project), title_of(project));
  }
  if (use_users_default_) users_default_id_ = client_.users_default_project();
}

bool VikunjaTasks::is_default_project(std::int64_t id, const std::string& title) const {
  return users_default_id_ && project_titles_.contains(*users_default_id_) ? id == *users_default_id_
                                                                           : same_project(title, default_project_);
}

std::optional<std::int64_t> VikunjaTasks::known_project_id(const std::string& title) {
  if (title.empty() && users_default_id_ && project_titles_.contains(*users_default_id_)) return users_default_id_;
  const std::string& wanted = title.empty() ? default_project_ : title;
  if (const auto exact = project_ids_.find(wanted); exact != project_ids_.end()) return exact->second;
  for (const auto& [other, id] : project_ids_) {  // few: a person's projects
    if (same_project(other, wanted)) return id;
  }
  return std::nullopt;
}

std::int64_t VikunjaTasks::project_id(const std::string& title) {
  if (const auto cached = known_project_id(title)) return *cached;
  load_projects();
  if (const auto found = known_project_id(title)) return *found;
  const std::string wanted = title.empty() ? default_project_ : title;
  const std::int64_t created = id_of(client_.create_project(wanted));
  ++projects_created_;
  log_.log(LogLevel::info, "project created", "title={} id={}", log_quote(wanted), created);
  project_titles_[created] = wanted;
  return project_ids_[wanted] = created;
}

std::optional<std::string> VikunjaTasks::project_title(std::int64_t id) {
  if (const auto cached = project_titles_.find(id); cached != project_titles_.end()) return cached->second;
  load_projects();
  const auto found = project_titles_.find(id);
  return found != project_titles_.end() ? std::optional(found->second) : std::nullopt;
}

std::int64_t VikunjaTasks::label_id(const std::string& title) {
  if (const auto cached = label_ids_.find(title); cached != label_ids_.end()) return cached->second;
  // The search is a case-insensitive substring match: keep only the exact title.
  for (const json& label : client_.labels(title)) {
    if (title_of(label) == title) return label_ids_[title] = id_of(label);
  }
  const std::int64_t created = id_of(client_.create_label(title));
  log_.log(LogLevel::info, "label created", "title={} id={}", log_quote(title), created);
  return label_ids_[title] = created;
}

void VikunjaTasks::forget_cached() {
  users_default_id_.reset();
  project_ids_.clear();
  project_titles_.clear();
  label_ids_.clear();
}

TaskFields VikunjaTasks::fields_of(const json& task, const std::string& taskwarrior_project) {
  const std::int64_t id = task.value("project_id", std::int64_t{0});
  const auto title = project_title(id);
  TaskFields fields = read_vikunja(task, title.value_or(""), "");
  if (!title) {
    fields.project = taskwarrior_project;  // a project this token cannot list: no side's change
  } else if (!taskwarrior_project.empty() && same_project(*title, taskwarrior_project)) {
    fields.project = taskwarrior_project;  // Taskwarrior's spelling; also when it names the default project
  } else if (is_default_project(id, *title)) {
    fields.project.clear();
  }
  return fields;
}

void VikunjaTasks::set_labels(std::int64_t task_id, const json& current_labels,
                              const std::set<std::string>& tags) {
  std::map<std::string, std::int64_t> current;
  if (current_labels.is_array()) {
    for (const json& label : current_labels) current.emplace(title_of(label), id_of(label));
  }
  for (const std::string& tag : tags) {
    if (!current.contains(tag)) client_.add_label(task_id, label_id(tag));
  }
  for (const auto& [title, id] : current) {
    if (!tags.contains(title)) client_.remove_label(task_id, id);
  }
}

std::vector<std::int64_t> VikunjaTasks::set_blocked_by(std::int64_t task_id, const std::set<std::int64_t>& current,
                                                       const std::set<std::int64_t>& wanted) {
  std::vector<std::int64_t> refused;
  for (const std::int64_t other : wanted) {
    if (!current.contains(other) && !client_.add_relation(task_id, vikunja_blocked_kind, other)) refused.push_back(other);
  }
  for (const std::int64_t other : current) {
    if (!wanted.contains(other) && !client_.remove_relation(task_id, vikunja_blocked_kind, other)) {
      refused.push_back(other);
    }
  }
  return refused;
}

nlohmann::json VikunjaTasks::update(const json& current, const TaskFields& fields) {
  json wanted = current;
  write_vikunja(wanted, fields);
  const std::int64_t current_id = current.value("project_id", std::int64_t{0});
  const auto current_project = project_title(current_id);
  const bool stays = !current_project || (fields.project.empty() ? is_default_project(current_id, *current_project)
                                                                 : same_project(*current_project, fields.project));
  if (!stays) wanted["project_id"] = project_id(fields.project);
  json result = current;
  if (wanted != current) result = client_.update_task(id_of(current), wanted);
  set_labels(id_of(current), current.value("labels", json()), fields.tags);
  return result;
}

nlohmann::json VikunjaTasks::end_repeat(const json& current) {
  json ended = current;
  ended["repeat_after"] = 0;
  ended["repeat_mode"] = 0;
  ended[vikunja_done_field] = true;
  return client_.update_task(id_of(current), ended);
}

nlohmann::json VikunjaTasks::create(const TaskFields& fields, const std::optional<Repeat>& repeat) {
  json fresh = json::object();
  write_vikunja(fresh, fields);
  if (repeat) {
    fresh["repeat_after"] = repeat->seconds;
    fresh["repeat_mode"] = repeat->monthly ? 1 : 0;
  }
  json created = client_.create_task(project_id(fields.project), fresh);
  set_labels(id_of(created), json(), fields.tags);
  return created;
}

std::vector<nlohmann::json> VikunjaTasks::with_title(const std::string& project, const std::string& title,
                                                     bool done) {
  std::vector<json> matches;
  for (json& task : client_.tasks_of_project(project_id(project), title)) {
    if (title_of(task) == title && task.value(vikunja_done_field, false) == done) matches.push_back(std::move(task));
  }
  return matches;
}

std::optional<std::vector<Comment>> VikunjaTasks::comments(std::int64_t task_id) {
  const auto read = client_.comments(task_id);
  if (!read) return std::nullopt;
  return comments_of(*read);
}

std::optional<std::int64_t> VikunjaTasks::add_comment(std::int64_t task_id, const std::string& text) {
  const auto made = client_.add_comment(task_id, html_of_text(text));
  if (!made) return std::nullopt;
  return id_of(*made);
}

bool VikunjaTasks::write_comment(std::int64_t task_id, std::int64_t comment_id, const std::string& text) {
  return client_.update_comment(task_id, comment_id, html_of_text(text));
}

}  // namespace vsync
