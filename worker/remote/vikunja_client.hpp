#pragma once
// The Vikunja API v1 calls the sync makes (vikunja-api.md §3), over one HttpClient.
// A call that fails throws JobStopped carrying its classified outcome (http_outcome.hpp);
// answers that are part of normal operation (a task already gone) are return values.
// Lists are read page by page to the end; pseudo-projects (ids <= 0) are skipped.

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "shared/clock.hpp"
#include "worker/remote/http_client.hpp"

namespace vsync {

class VikunjaClient {
 public:
  using json = nlohmann::json;

  VikunjaClient(std::string base_url, HttpClient http, const Clock& clock);
  // Where and as whom the next request goes (settings re-read while the worker runs).
  void set_access(const std::string& base_url, const std::string& bearer_token);

  std::optional<json> get_task(std::int64_t task_id);  // nullopt when Vikunja has no such task
  json create_task(std::int64_t project_id, const json& task);
  json update_task(std::int64_t task_id, const json& task);  // the whole task: POST replaces
  bool delete_task(std::int64_t task_id);                    // false when it was already gone
  std::vector<json> tasks_of_project(std::int64_t project_id, const std::string& search);
  // Every task the token can see, done ones included (GET /tasks; /tasks/all before v1.0).
  std::vector<json> all_tasks();
  // The same, a page at a time; with `updated_after`, only tasks whose `updated` is later
  // (Vikunja's filter, v1.0+).
  void each_task(std::optional<UnixMillis> updated_after, const std::function<void(json&&)>& visit);
  // Whether any task's `updated` lies between the two (Vikunja's filter; v1.0+).
  bool any_task_updated_between(UnixMillis after, UnixMillis before);

  std::vector<json> projects();
  json create_project(const std::string& title);
  std::vector<json> labels(const std::string& search);
  json create_label(const std::string& title);
  void add_label(std::int64_t task_id, std::int64_t label_id);     // already there: fine
  void remove_label(std::int64_t task_id, std::int64_t label_id);  // not there: fine
  // A relation of `kind` from the task to another, with its inverse (Vikunja makes both). True
  // when it is there now (also when it was already); false when Vikunja refused: the other task
  // is gone or not visible to the token, or the token lacks the tasks_relations permission.
  bool add_relation(std::int64_t task_id, const std::string& kind, std::int64_t other_id);
  // True when it is gone now (also when it was not there); false when refused, as above.
  bool remove_relation(std::int64_t task_id, const std::string& kind, std::int64_t other_id);

  // A task's comments, oldest first; nullopt when refused (a token without the tasks_comments
  // permission: 401 or 403, as for relations) or the task is gone since it was read (404).
  std::optional<std::vector<json>> comments(std::int64_t task_id);
  // The comment made (with its id); nullopt when refused or the task is gone.
  std::optional<json> add_comment(std::int64_t task_id, const std::string& html);
  // True when the comment holds `html` now; false when refused or gone (404, code 4015).
  bool update_comment(std::int64_t task_id, std::int64_t comment_id, const std::string& html);
  // True when it is gone now (also when it was already); false when refused.
  bool delete_comment(std::int64_t task_id, std::int64_t comment_id);

  // Project webhooks. Vikunja never returns a webhook's secret, and an update changes only
  // its events.
  std::vector<json> webhooks(std::int64_t project_id);
  json create_webhook(std::int64_t project_id, const json& webhook);
  void update_webhook_events(std::int64_t project_id, std::int64_t webhook_id, const json& events);
  void delete_webhook(std::int64_t project_id, std::int64_t webhook_id);

  // Whether the token may use a route (probed on task 0, which does not exist): false only when
  // Vikunja answers 401, which, for a token accepted elsewhere, is a permission it lacks.
  bool token_may(const std::string& method, const std::string& path);

  // GET /info (no token needed): the server's version and settings.
  json info();
  // The user's default project (GET /user, settings.default_project_id); nullopt when the token
  // may not read /user (a token scoped to the sync's routes) or none is set.
  std::optional<std::int64_t> users_default_project();

  void on_progress(std::function<void()> callback) { http_.on_progress(std::move(callback)); }
  long long requests_sent() const { return http_.requests_sent(); }
  const std::map<std::string, long long>& outcomes() const { return http_.outcomes(); }

 private:
  HttpResponse call(const std::string& method, const std::string& path,
                    const std::optional<json>& body, std::initializer_list<long> accepted,
                    HttpClient::Connection connection = HttpClient::Connection::reuse);
  json object_from(const HttpResponse& response, const std::string& call_name);
  std::string named(const std::string& method, const std::string& path) const;  // for messages
  std::vector<json> all_pages(const std::string& path, const std::string& query);
  // False when the first page was refused with one of `refused`.
  bool each_item(const std::string& path, const std::string& query, const std::function<void(json&&)>& visit,
                 std::initializer_list<long> refused = {});

  std::string api_;  // <base>/api/v1
  HttpClient http_;
  const Clock& clock_;
};

}  // namespace vsync
