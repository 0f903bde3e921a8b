#include "worker/remote/vikunja_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "shared/timestamp.hpp"
#include "worker/queue/job_outcome.hpp"
#include "worker/remote/http_outcome.hpp"

namespace vsync {

namespace {

constexpr int max_pages = 1000;
constexpr long long task_not_found = 4002;  // "This task does not exist"

std::string url_encode(const std::string& text) {
  char* escaped = curl_easy_escape(nullptr, text.c_str(), static_cast<int>(text.size()));
  std::string result = escaped != nullptr ? escaped : "";
  curl_free(escaped);
  return result;
}


}  // namespace

VikunjaClient::VikunjaClient(std::string base_url, HttpClient http, const Clock& clock)
    : api_(std::move(base_url) + "/api/v1"), http_(std::move(http)), clock_(clock) {}

// "GET /vikunja/api/v1/tasks/7": the path as the server sees it, a reverse proxy's prefix included.
std::string VikunjaClient::named(const std::string& method, const std::string& path) const {
  const auto scheme = api_.find("://");
  const auto path_start = api_.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  return fmt::format("{} {}{}", method, path_start == std::string::npos ? "/api/v1" : api_.substr(path_start), path);
}

void VikunjaClient::set_access(const std::string& base_url, const std::string& bearer_token) {
  api_ = base_url + "/api/v1";
  http_.set_bearer_token(bearer_token);
}

HttpResponse VikunjaClient::call(const std::string& method, const std::string& path,
                                 const std::optional<json>& body,
                                 std::initializer_list<long> accepted, HttpClient::Connection connection) {
  const std::string call_name = named(method, path);
  HttpResult result =
      http_.send(method, api_ + path, body ? std::optional(body->dump()) : std::nullopt, connection);
  const bool ok = result.response && ((result.response->status >= 200 && result.response->status < 300) ||
                                      std::find(accepted.begin(), accepted.end(),
                                                result.response->status) != accepted.end());
  if (!ok) throw JobStopped{classify_failure(result, clock_.now(), call_name)};
  return std::move(*result.response);
}

nlohmann::json VikunjaClient::object_from(const HttpResponse& response, const std::string& call_name) {
  json parsed = json::parse(response.body, nullptr, false);
  if (parsed.is_discarded()) throw JobStopped{unexpected_body(response, call_name, "not JSON")};
  if (!parsed.is_object()) throw JobStopped{unexpected_body(response, call_name, "not an object")};
  if (parsed.contains("id") && !parsed["id"].is_number_integer()) {
    throw JobStopped{unexpected_body(response, call_name, "\"id\" is not an integer")};
  }
  return parsed;
}

std::vector<nlohmann::json> VikunjaClient::all_pages(const std::string& path, const std::string& query) {
  std::vector<json> items;
  each_item(path, query, [&](json&& item) { items.push_back(std::move(item)); });
  return items;
}

bool VikunjaClient::each_item(const std::string& path, const std::string& query,
                              const std::function<void(json&&)>& visit, std::initializer_list<long> refused) {
  std::set<long long> seen;  // saved filters repeat on every page
  for (int page = 1; page <= max_pages; ++page) {
    const std::string page_path = fmt::format("{}?page={}&per_page=50{}", path, page, query);
    const HttpResponse response = call("GET", page_path, std::nullopt, page == 1 ? refused : std::initializer_list<long>{});
    if (response.status >= 400) return false;  // one of `refused`
    json parsed = json::parse(response.body, nullptr, false);
    if (!parsed.is_array()) {
      throw JobStopped{unexpected_body(response, named("GET", page_path), "not a JSON array")};
    }
    for (json& item : parsed) {
      if (!item.is_object() || !item.contains("id") || !item["id"].is_number_integer()) {
        throw JobStopped{unexpected_body(response, named("GET", page_path), "an item without an integer id")};
      }
      const long long id = item["id"].get<long long>();
      if (id > 0 && seen.insert(id).second) visit(std::move(item));
    }
    const auto total = response.headers.find("x-pagination-total-pages");
    if (parsed.empty() || total == response.headers.end() || page >= std::atoi(total->second.c_str())) break;
  }
  return true;
}

std::optional<nlohmann::json> VikunjaClient::get_task(std::int64_t task_id) {
  const std::string path = fmt::format("/tasks/{}", task_id);
  const HttpResponse response = call("GET", path, std::nullopt, {404});
  if (response.status == 404) {
    // Gone only when Vikunja says so; any other 404 (a wrong URL) must never read as a delete.
    if (vikunja_error_code(response) == task_not_found) return std::nullopt;
    throw JobStopped{classify_failure({response, {}}, clock_.now(), named("GET", path))};
  }
  return object_from(response, named("GET", path));
}

nlohmann::json VikunjaClient::create_task(std::int64_t project_id, const json& task) {
  const std::string path = fmt::format("/projects/{}/tasks", project_id);
  return object_from(call("PUT", path, task, {}, HttpClient::Connection::fresh), named("PUT", path));
}

nlohmann::json VikunjaClient::update_task(std::int64_t task_id, const json& task) {
  const std::string path = fmt::format("/tasks/{}", task_id);
  return object_from(call("POST", path, task, {}), named("POST", path));
}

bool VikunjaClient::delete_task(std::int64_t task_id) {
  const std::string path = fmt::format("/tasks/{}", task_id);
  const HttpResponse response = call("DELETE", path, std::nullopt, {404});
  if (response.status != 404) return true;
  if (vikunja_error_code(response) == task_not_found) return false;
  throw JobStopped{classify_failure({response, {}}, clock_.now(), named("DELETE", path))};
}

std::vector<nlohmann::json> VikunjaClient::webhooks(std::int64_t project_id) {
  return all_pages(fmt::format("/projects/{}/webhooks", project_id), "");
}

nlohmann::json VikunjaClient::create_webhook(std::int64_t project_id, const json& webhook) {
  const std::string path = fmt::format("/projects/{}/webhooks", project_id);
  return object_from(call("PUT", path, webhook, {}, HttpClient::Connection::fresh), named("PUT", path));
}

void VikunjaClient::update_webhook_events(std::int64_t project_id, std::int64_t webhook_id, const json& events) {
  call("POST", fmt::format("/projects/{}/webhooks/{}", project_id, webhook_id), json{{"events", events}}, {});
}

void VikunjaClient::delete_webhook(std::int64_t project_id, std::int64_t webhook_id) {
  call("DELETE", fmt::format("/projects/{}/webhooks/{}", project_id, webhook_id), std::nullopt, {});
}

nlohmann::json VikunjaClient::info() { return object_from(call("GET", "/info", std::nullopt, {}), named("GET", "/info")); }

std::optional<std::int64_t> VikunjaClient::users_default_project() {
  // Optional: a refusal (the token's scope) or a server without the route means no default
  // project, never an outage or a bad token, so no breaker hears of it.
  const HttpResponse response = call("GET", "/user", std::nullopt, {400, 401, 403, 404, 405, 410});
  if (response.status >= 400) return std::nullopt;
  const json user = object_from(response, named("GET", "/user"));
  const auto settings = user.find("settings");
  if (settings == user.end() || !settings->is_object()) return std::nullopt;
  const auto id = settings->find("default_project_id");
  if (id == settings->end() || !id->is_number_integer() || id->get<std::int64_t>() <= 0) return std::nullopt;
  return id->get<std::int64_t>();
}


std::vector<nlohmann::json> VikunjaClient::tasks_of_project(std::int64_t project_id,
                                                            const std::string& search) {
  return all_pages(fmt::format("/projects/{}/tasks", project_id), "&s=" + url_encode(search));
}

namespace {

// A clause of Vikunja's filter language on a task's `updated` (op: > or <).
std::string updated_clause(const char* op, UnixMillis time) {
  return fmt::format("updated {} \"{}\"", op, format_rfc3339(time));
}

}  // namespace

bool VikunjaClient::any_task_updated_between(UnixMillis after, UnixMillis before) {
  const std::string filter = updated_clause(">", after) + " && " + updated_clause("<", before);
  const std::string path = "/tasks?page=1&per_page=1&filter=" + url_encode(filter);
  const HttpResponse response = call("GET", path, std::nullopt, {});
  const json tasks = json::parse(response.body, nullptr, false);
  if (!tasks.is_array()) throw JobStopped{unexpected_body(response, named("GET", path), "not a JSON array")};
  // Saved filters come on every page with negative ids: only a real task counts.
  return std::any_of(tasks.begin(), tasks.end(), [](const json& task) {
    return task.is_object() && task.value("id", std::int64_t{0}) > 0;
  });
}

std::vector<nlohmann::json> VikunjaClient::all_tasks() {
  std::vector<json> tasks;
  each_task(std::nullopt, [&](json&& task) { tasks.push_back(std::move(task)); });
  return tasks;
}

void VikunjaClient::each_task(std::optional<UnixMillis> updated_after, const std::function<void(json&&)>& visit) {
  const std::string query =
      updated_after ? "&filter=" + url_encode(updated_clause(">", *updated_after)) : "";
  bool visited = false;
  const auto visit_and_note = [&](json&& task) {
    visited = true;
    visit(std::move(task));
  };
  try {
    each_item("/tasks", query, visit_and_note);
  } catch (const JobStopped& stopped) {
    // Vikunja 0.24 and older list them at /tasks/all; /tasks is then the router's 404.
    if (stopped.outcome.reason != "configuration" || visited) throw;
    try {
      each_item("/tasks/all", query, visit);
    } catch (const JobStopped&) {
      throw stopped;  // neither path: the first answer says more
    }
  }
}

std::vector<nlohmann::json> VikunjaClient::projects() { return all_pages("/projects", ""); }

nlohmann::json VikunjaClient::create_project(const std::string& title) {
  return object_from(call("PUT", "/projects", json{{"title", title}}, {}, HttpClient::Connection::fresh),
                     named("PUT", "/projects"));
}

std::vector<nlohmann::json> VikunjaClient::labels(const std::string& search) {
  return all_pages("/labels", "&s=" + url_encode(search));
}

nlohmann::json VikunjaClient::create_label(const std::string& title) {
  return object_from(call("PUT", "/labels", json{{"title", title}}, {}, HttpClient::Connection::fresh),
                     named("PUT", "/labels"));
}

void VikunjaClient::add_label(std::int64_t task_id, std::int64_t label_id) {
  const HttpResponse response = call("PUT", fmt::format("/tasks/{}/labels", task_id),
                                     json{{"label_id", label_id}}, {400});
  if (response.status == 400 && vikunja_error_code(response) != 8001) {  // 8001: already on the task
    throw JobStopped{classify_failure({response, {}}, clock_.now(),
                                      named("PUT", fmt::format("/tasks/{}/labels", task_id)))};
  }
}

// 401 here is a token without the tasks_relations permission (the task itself was just read with
// it), not a bad token: refused, without pausing everything else.
bool VikunjaClient::add_relation(std::int64_t task_id, const std::string& kind, std::int64_t other_id) {
  // 409 (4008): already there; 404 (4002) or 403 (4005): the other task is gone or not ours to see.
  const HttpResponse response = call("PUT", fmt::format("/tasks/{}/relations", task_id),
                                     json{{"other_task_id", other_id}, {"relation_kind", kind}}, {401, 403, 404, 409});
  return response.status < 300 || response.status == 409;
}

bool VikunjaClient::remove_relation(std::int64_t task_id, const std::string& kind, std::int64_t other_id) {
  // 404 (4009): not there, which is what was wanted.
  const HttpResponse response =
      call("DELETE", fmt::format("/tasks/{}/relations/{}/{}", task_id, kind, other_id), std::nullopt, {401, 403, 404});
  return response.status != 401 && response.status != 403;
}

// 401 and 403 here are a token without the tasks_comments permission (the task was just read);
// 404 a task deleted since it was read.
std::optional<std::vector<nlohmann::json>> VikunjaClient::comments(std::int64_t task_id) {
  std::vector<json> found;
  if (!each_item(fmt::format("/tasks/{}/comments", task_id), "", [&](json&& comment) { found.push_back(std::move(comment)); },
                 {401, 403, 404})) {
    return std::nullopt;
  }
  return found;
}

std::optional<nlohmann::json> VikunjaClient::add_comment(std::int64_t task_id, const std::string& html) {
  const std::string path = fmt::format("/tasks/{}/comments", task_id);
  const HttpResponse response = call("PUT", path, json{{"comment", html}}, {401, 403, 404});
  if (response.status >= 400) return std::nullopt;
  json comment = object_from(response, named("PUT", path));
  if (!comment.contains("id")) throw JobStopped{unexpected_body(response, named("PUT", path), "no \"id\"")};
  return comment;
}

bool VikunjaClient::update_comment(std::int64_t task_id, std::int64_t comment_id, const std::string& html) {
  const HttpResponse response =
      call("POST", fmt::format("/tasks/{}/comments/{}", task_id, comment_id), json{{"comment", html}}, {401, 403, 404});
  return response.status < 300;
}

bool VikunjaClient::delete_comment(std::int64_t task_id, std::int64_t comment_id) {
  // 404 (4015): already gone, which is what was wanted.
  const HttpResponse response =
      call("DELETE", fmt::format("/tasks/{}/comments/{}", task_id, comment_id), std::nullopt, {401, 403, 404});
  return response.status != 401 && response.status != 403;
}

bool VikunjaClient::token_may(const std::string& method, const std::string& path) {
  try {
    return call(method, path, std::nullopt, {401, 403, 404}).status != 401;
  } catch (const JobStopped&) {
    return true;  // past the token check; whatever failed is not the permission
  }
}

void VikunjaClient::remove_label(std::int64_t task_id, std::int64_t label_id) {
  // Vikunja answers 403 when the label is not on the task (label_task_permissions.go).
  call("DELETE", fmt::format("/tasks/{}/labels/{}", task_id, label_id), std::nullopt, {403});
}

}  // namespace vsync
