#pragma once
// Vikunja as the sync sees it: tasks read and written as TaskFields, projects and labels by
// title. Projects and labels are looked up once per worker and remembered, and created when
// missing; forget_cached() empties that memory (a project or label deleted in Vikunja since).
// An update reads nothing itself: the caller passes the task it read, the whole of which is
// sent back (POST replaces), and labels change through the label endpoints only where they
// differ. A task moves to another project only when its project's title changed: projects are
// found by title as a person reads it (same_project: "inbox" finds "Inbox"; an exact match
// first), and two projects may share one. Tasks without a project go to the default project:
// the user's own default project in Vikunja (GET /user, where the token may read it) unless
// `default_project` was set by the user, else the project with that title.
// Calls that fail throw JobStopped (vikunja_client.hpp).

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "worker/log/logger.hpp"
#include "worker/remote/vikunja_client.hpp"
#include "worker/sync/annotation_comments.hpp"
#include "worker/sync/recurrence.hpp"
#include "worker/sync/task_fields.hpp"

namespace vsync {

// A Vikunja object's id (the client checked it is an integer), and a task's times: `updated`,
// `created`, `done_at` (nullopt for Vikunja's zero time: not done).
std::int64_t id_of(const nlohmann::json& object);
std::optional<UnixMillis> updated_of(const nlohmann::json& task);
std::optional<UnixMillis> created_of(const nlohmann::json& task);
std::optional<UnixMillis> done_at_of(const nlohmann::json& task);

class VikunjaTasks {
 public:
  using json = nlohmann::json;

  // `use_users_default`: ask Vikunja which project is the user's default before `default_project`.
  VikunjaTasks(VikunjaClient& client, std::string default_project, Logger& log, bool use_users_default = false);

  std::optional<json> get(std::int64_t task_id) { return client_.get_task(task_id); }
  std::vector<json> all() { return client_.all_tasks(); }
  // Every task, or those `updated` after a time (Vikunja's clock), a page at a time.
  void each(std::optional<UnixMillis> updated_after, const std::function<void(json&&)>& visit) {
    client_.each_task(updated_after, visit);
  }
  // The project as the sync names it: Taskwarrior's spelling where `taskwarrior_project` is the
  // same title (whatever its case, the default project's included), none for the default
  // project, else Vikunja's title. `taskwarrior_project` also stands in for a project this token
  // cannot list (archived, or shared read-only): no side's change, and update() then leaves the
  // task where it is.
  TaskFields fields_of(const json& task, const std::string& taskwarrior_project = {});
  // Writes `fields` over `current` (as read); returns the task as Vikunja now holds it.
  json update(const json& current, const TaskFields& fields);
  // Adds and removes the task's "blocked" relations so that, of `current` (those of linked
  // tasks), it is blocked by `wanted`. Returns the ids whose relation Vikunja refused to add or
  // remove.
  std::vector<std::int64_t> set_blocked_by(std::int64_t task_id, const std::set<std::int64_t>& current,
                                           const std::set<std::int64_t>& wanted);
  // The task's comments as notes; nullopt when the token may not read them.
  std::optional<std::vector<Comment>> comments(std::int64_t task_id);
  // A comment of `text` (as HTML); its id, or nullopt when refused.
  std::optional<std::int64_t> add_comment(std::int64_t task_id, const std::string& text);
  bool write_comment(std::int64_t task_id, std::int64_t comment_id, const std::string& text);
  bool remove_comment(std::int64_t task_id, std::int64_t comment_id) { return client_.delete_comment(task_id, comment_id); }
  // The task as read, no longer repeating and done; as Vikunja now holds it.
  json end_repeat(const json& current);
  // A new task with `fields`, repeating as `repeat` says (recurrence.hpp).
  json create(const TaskFields& fields, const std::optional<Repeat>& repeat = std::nullopt);
  bool remove(std::int64_t task_id) { return client_.delete_task(task_id); }
  // Tasks of the project with exactly this title and done state.
  std::vector<json> with_title(const std::string& project, const std::string& title, bool done);

  void forget_cached();
  bool has_cached() const { return !project_ids_.empty() || !label_ids_.empty(); }
  long long projects_created() const { return projects_created_; }  // by this process, so far

 private:
  std::int64_t project_id(const std::string& title);  // "" is the default project
  std::optional<std::int64_t> known_project_id(const std::string& title);  // loaded, not created
  bool is_default_project(std::int64_t id, const std::string& title) const;
  std::optional<std::string> project_title(std::int64_t id);
  std::int64_t label_id(const std::string& title);
  void load_projects();
  void set_labels(std::int64_t task_id, const json& current_labels, const std::set<std::string>& tags);

  VikunjaClient& client_;
  std::string default_project_;
  Logger& log_;
  bool use_users_default_;
  std::optional<std::int64_t> users_default_id_;  // asked once per load of the projects
  std::map<std::string, std::int64_t> project_ids_;
  std::map<std::int64_t, std::string> project_titles_;
  std::map<std::string, std::int64_t> label_ids_;
  long long projects_created_ = 0;
};

}  // namespace vsync
