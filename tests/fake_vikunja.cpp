#include "fake_vikunja.hpp"

#include <functional>

#include <httplib.h>

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <regex>
#include <cctype>
#include <stdexcept>

#include <fmt/format.h>

namespace vsync::test {

namespace {

using json = nlohmann::json;
constexpr const char* no_date = "0001-01-01T00:00:00Z";

void send_json(httplib::Response& response, int status, const json& body) {
  response.status = status;
  response.set_content(body.dump(), "application/json");
}

void send_error(httplib::Response& response, int status, int code, const std::string& message) {
  send_json(response, status, code >= 0 ? json{{"code", code}, {"message", message}} : json{{"message", message}});
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

bool contains_text(const json& object, const std::string& field, const std::string& needle) {
  return object.contains(field) && object[field].is_string() &&
         lower(object[field].get<std::string>()).find(lower(needle)) != std::string::npos;
}

std::int64_t path_id(const httplib::Request& request, int index) {
  return std::stoll(request.matches[static_cast<std::size_t>(index)].str());
}

// vikunja-api.md "Update semantics": these are zeroed when missing or zero in the body.
const char* const replaced_fields[] = {"description", "done", "due_date", "start_date", "end_date",
                                       "repeat_after", "repeat_mode", "priority", "hex_color",
                                       "percent_done", "is_favorite"};

json zero_of(const std::string& field) {
  if (field == "description" || field == "hex_color") return "";
  if (field == "done" || field == "is_favorite") return false;
  if (field.ends_with("_date")) return no_date;
  return 0;
}

json task_defaults() {
  json task = json::object();
  for (const char* field : replaced_fields) task[field] = zero_of(field);
  task["title"] = "";
  task["done_at"] = no_date;
  return task;
}

// Vikunja sets done_at when done goes from false to true and resets it to the zero time when
// done goes back to false; a done_at sent in a body is ignored (vikunja-api.md, Task object).
void stamp_done_at(json& task, bool was_done, const std::string& now) {
  const bool done = task.value("done", false);
  if (!done) {
    task["done_at"] = no_date;
  } else if (!was_done) {
    task["done_at"] = now;
  }
}

std::optional<time_t> seconds_of(const std::string& date) {
  std::tm utc{};
  const char* end = strptime(date.c_str(), "%Y-%m-%dT%H:%M:%SZ", &utc);
  if (end == nullptr || *end != '\0' || date == no_date) return std::nullopt;
  return timegm(&utc);
}

std::string date_of(time_t seconds) {
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

// Vikunja's UpdateDone (vikunja-api.md "Repeating tasks"): a repeating task marked done is kept
// open with its dates moved forward (mode 0: by repeat_after until the due date is after now;
// mode 1: by one month), and done_at stamped. Reminders are not modelled.
void repeat_when_done(json& task, bool was_done, const std::string& now) {
  const std::int64_t every = task.value("repeat_after", std::int64_t{0});
  const int mode = task.value("repeat_mode", 0);
  if (was_done || !task.value("done", false) || (mode == 0 && every <= 0) || mode > 1) return;
  const time_t now_seconds = seconds_of(now).value_or(0);
  const auto due = seconds_of(task.value("due_date", std::string(no_date)));
  time_t shift = 0;
  if (mode == 1) {
    std::tm utc{};
    const time_t from = due.value_or(now_seconds);
    gmtime_r(&from, &utc);
    utc.tm_mon += 1;
    shift = timegm(&utc) - from;
  } else {
    do shift += every;
    while (due && *due + shift <= now_seconds);
  }
  for (const char* field : {"due_date", "start_date", "end_date"}) {
    if (const auto date = seconds_of(task.value(field, std::string(no_date)))) task[field] = date_of(*date + shift);
  }
  task["done"] = false;
  task["done_at"] = now;
}

// X-Vikunja-Signature: lowercase hex of HMAC-SHA256 over the exact body bytes. Computed here
// with OpenSSL directly, not with the code under test.
std::string signature_of(const std::string& body, const std::string& secret) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(body.data()),
       body.size(), digest, &length);
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

// A webhook's `time`: the send time, with fractional seconds as Vikunja always writes it.
std::string send_time() {
  const auto now = std::chrono::system_clock::now();
  const time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto nanoseconds = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count() % 1'000'000'000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  return fmt::format("{}.{:09}Z", text, nanoseconds);
}

}  // namespace

FakeVikunja::FakeVikunja() { start(0); }

FakeVikunja::~FakeVikunja() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
  }
  outbox_changed_.notify_all();
  if (delivery_thread_.joinable()) delivery_thread_.join();
  stop();
}

void FakeVikunja::deliver_webhooks() {
  std::lock_guard lock(mutex_);
  if (delivering_) return;
  delivering_ = true;
  delivery_thread_ = std::thread([this] { deliver_loop(); });
}

long long FakeVikunja::deliveries() const {
  std::lock_guard lock(mutex_);
  return delivered_;
}

long long FakeVikunja::failed_deliveries() const {
  std::lock_guard lock(mutex_);
  return failed_;
}

bool FakeVikunja::wait_for_deliveries_sent(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return arrived_.wait_for(lock, timeout, [&] { return outbox_.empty() && !delivery_in_flight_; });
}

void FakeVikunja::emit(const char* event, std::int64_t task_id, json extra) {
  if (!delivering_) return;
  outbox_.push_back(Event{event, task_id, task_view(task_id), std::move(extra)});
  outbox_changed_.notify_all();
}

void FakeVikunja::deliver_loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    outbox_changed_.wait(lock, [this] { return closing_ || !outbox_.empty(); });
    if (closing_) return;
    const Event event = std::move(outbox_.front());
    outbox_.pop_front();
    delivery_in_flight_ = true;
    // Vikunja re-reads the task before sending; when that fails (deleted) it sends the event's own.
    const json task = tasks_.contains(event.task_id) ? task_view(event.task_id) : event.snapshot;
    const json project_id = task["project_id"];
    const auto project = projects_.find(project_id.get<std::int64_t>());
    json data{{"doer", {{"id", 1}, {"username", "fake"}, {"name", "Fake User"}}},
              {"project", project == projects_.end() ? json(nullptr) : project->second},
              {"task", task}};
    data.update(event.extra);
    // The envelope is a Go struct (this key order); `data` went through a map (sorted keys).
    const std::string body = fmt::format(R"({{"event_name":{},"time":{},"data":{}}})", json(event.name).dump(),
                                         json(send_time()).dump(), data.dump());
    std::vector<std::pair<std::string, std::string>> targets;  // (target_url, secret)
    for (const auto& [id, webhook] : webhooks_) {
      const json& events = webhook["events"];
      if (webhook["project_id"] == project_id && std::find(events.begin(), events.end(), event.name) != events.end()) {
        targets.emplace_back(webhook["target_url"].get<std::string>(), webhook["secret"].get<std::string>());
      }
    }
    const std::string user_agent = "Vikunja/" + version_;
    lock.unlock();
    long long answered = 0;
    for (const auto& [target_url, secret] : targets) {
      const auto path_at = target_url.find('/', target_url.find("://") + 3);
      httplib::Client client(target_url.substr(0, path_at));
      client.set_connection_timeout(std::chrono::seconds(2));
      client.set_read_timeout(std::chrono::seconds(10));
      httplib::Headers headers{{"User-Agent", user_agent}};
      if (!secret.empty()) headers.emplace("X-Vikunja-Signature", signature_of(body, secret));
      const auto response = client.Post(path_at == std::string::npos ? "/" : target_url.substr(path_at), headers, body,
                                        "application/json");
      if (response && response->status / 100 == 2) ++answered;
    }
    lock.lock();
    delivered_ += answered;
    failed_ += static_cast<long long>(targets.size()) - answered;
    delivery_in_flight_ = false;
    arrived_.notify_all();
  }
}

std::string FakeVikunja::url() const { return fmt::format("http://127.0.0.1:{}", port_); }

void FakeVikunja::start(int port) {
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
  }
  server_ = std::make_unique<httplib::Server>();
  // A child inheriting the listening socket would keep the port open (and, with SO_REUSEPORT,
  // take a share of the connections) after refuse_connections().
  server_->set_socket_options([](socket_t sock) {
    httplib::default_socket_options(sock);
    ::fcntl(sock, F_SETFD, FD_CLOEXEC);
  });
  // Vikunja serves any number of connections; cpp-httplib's default pool (8 threads, each held
  // by an idle keep-alive connection for 5 s) would make new connections wait past a client's
  // timeout once a few workers keep connections open, and apply their requests after it.
  server_->new_task_queue = [] { return new httplib::ThreadPool(64); };
  install_routes();
  if (port == 0) {
    port_ = server_->bind_to_any_port("127.0.0.1");
  } else if (!server_->bind_to_port("127.0.0.1", port)) {
    throw std::runtime_error(fmt::format("fake Vikunja cannot listen on port {} again", port));
  }
  if (port_ <= 0) throw std::runtime_error("fake Vikunja cannot bind to 127.0.0.1");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // stop() before the accept loop runs would be lost, and the loop would never end.
  while (!server_->is_running()) std::this_thread::yield();
}

void FakeVikunja::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  released_.notify_all();
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
}

void FakeVikunja::refuse_connections() { stop(); }

void FakeVikunja::answer_normally() {
  {
    std::lock_guard lock(mutex_);
    fixed_answer_.reset();
    hang_ = std::chrono::milliseconds(0);
    drop_after_hang_ = false;
    lose_create_.reset();
  }
  if (!server_) start(port_);
}

void FakeVikunja::answer_every_request(int status, std::map<std::string, std::string> headers, std::string body) {
  std::lock_guard lock(mutex_);
  fixed_answer_ = json{{"status", status}, {"headers", headers}, {"body", body}};
}

void FakeVikunja::hang_every_request(std::chrono::milliseconds how_long, AfterHang after) {
  std::lock_guard lock(mutex_);
  hang_ = how_long;
  drop_after_hang_ = after == AfterHang::drop;
}

void FakeVikunja::lose_next_create_answer(std::chrono::milliseconds delay) {
  std::lock_guard lock(mutex_);
  lose_create_ = delay;
}

void FakeVikunja::set_max_items_per_page(int count) {
  std::lock_guard lock(mutex_);
  max_per_page_ = count;
}

namespace {

// Vikunja's filter language as far as the sync uses it: clauses `updated > "TIME"` and
// `updated < "TIME"` joined by &&, times in RFC 3339 UTC (compared as text, as the stand-in
// writes them). nullopt for anything else, so that a test never passes on a filter ignored.
std::optional<std::function<bool(const std::string&)>> parse_updated_filter(const std::string& filter) {
  std::vector<std::pair<char, std::string>> bounds;
  static const std::regex clause(R"re(^\s*updated\s*([<>])\s*"([0-9T:\-]+Z)"\s*$)re");
  std::size_t from = 0;
  while (!filter.empty() && from <= filter.size()) {
    const std::size_t to = std::min(filter.find("&&", from), filter.size());
    std::smatch match;
    const std::string part = filter.substr(from, to - from);
    if (!std::regex_match(part, match, clause)) return std::nullopt;
    bounds.emplace_back(match[1].str()[0], match[2].str());
    from = to + 2;
  }
  return [bounds](const std::string& updated) {
    return std::all_of(bounds.begin(), bounds.end(), [&](const auto& bound) {
      return bound.first == '>' ? updated > bound.second : updated < bound.second;
    });
  };
}

}  // namespace

std::string FakeVikunja::next_time() {
  // A server clock that moves one second per change, so `updated` orders every write.
  const long long seconds = clock_base_ + ++tick_;
  const time_t t = seconds;
  std::tm utc{};
  gmtime_r(&t, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

void FakeVikunja::set_server_time(long long unix_seconds) {
  std::lock_guard lock(mutex_);
  clock_base_ = unix_seconds;
  tick_ = 0;
}

std::int64_t FakeVikunja::add_project(const std::string& title) {
  std::lock_guard lock(mutex_);
  const std::int64_t id = next_id_++;
  projects_[id] = json{{"id", id}, {"title", title}, {"description", ""}, {"identifier", ""},
                       {"parent_project_id", 0}, {"is_archived", false}, {"created", next_time()},
                       {"updated", next_time()}};
  return id;
}

std::int64_t FakeVikunja::add_label(const std::string& title) {
  std::lock_guard lock(mutex_);
  const std::int64_t id = next_id_++;
  labels_[id] = json{{"id", id}, {"title", title}, {"description", ""}, {"hex_color", ""},
                     {"created", next_time()}, {"updated", next_time()}};
  return id;
}

std::int64_t FakeVikunja::add_task(std::int64_t project_id, json fields) {
  std::lock_guard lock(mutex_);
  const std::int64_t id = next_id_++;
  json task = task_defaults();
  for (auto& [key, value] : fields.items()) task[key] = value;
  task["id"] = id;
  task["project_id"] = project_id;
  task["identifier"] = fmt::format("#{}", id);
  task["created"] = task["updated"] = next_time();
  if (!fields.contains("done_at")) stamp_done_at(task, false, task["updated"]);  // a test's own time wins
  task.erase("labels");
  tasks_[id] = task;
  emit("task.created", id);
  return id;
}

void FakeVikunja::attach_label(std::int64_t task_id, std::int64_t label_id) {
  std::lock_guard lock(mutex_);
  task_labels_[task_id].insert(label_id);
  emit("task.updated", task_id);  // there is no label event
}

void FakeVikunja::edit_task(std::int64_t id, const json& fields) {
  std::lock_guard lock(mutex_);
  json& task = tasks_.at(id);
  const bool was_done = task.value("done", false);
  for (auto& [key, value] : fields.items()) task[key] = value;
  task["updated"] = next_time();
  if (!fields.contains("done_at")) stamp_done_at(task, was_done, task["updated"]);
  repeat_when_done(task, was_done, task["updated"]);
  emit("task.updated", id);
}

void FakeVikunja::remove_task(std::int64_t id) {
  std::lock_guard lock(mutex_);
  if (tasks_.contains(id)) emit("task.deleted", id);
  tasks_.erase(id);
  task_labels_.erase(id);
  relations_.erase(id);
  comments_.erase(id);
}

void FakeVikunja::archive_project(std::int64_t id) {
  std::lock_guard lock(mutex_);
  archived_projects_.insert(id);
}

void FakeVikunja::remove_project(std::int64_t id) {
  std::lock_guard lock(mutex_);
  projects_.erase(id);
  std::erase_if(tasks_, [&](const auto& entry) { return entry.second["project_id"] == id; });
}

void FakeVikunja::lose_everything(bool restart_ids) {
  std::lock_guard lock(mutex_);
  if (restart_ids) next_id_ = 1;
  projects_.clear();
  tasks_.clear();
  labels_.clear();
  webhooks_.clear();
  task_labels_.clear();
  relations_.clear();
  comments_.clear();
  archived_projects_.clear();
}

void FakeVikunja::set_users_default_project(std::int64_t project_id) {
  std::lock_guard lock(mutex_);
  users_default_project_ = project_id;
}

void FakeVikunja::refuse_user_route() {
  std::lock_guard lock(mutex_);
  refuse_user_route_ = true;
}

nlohmann::json FakeVikunja::task_view(std::int64_t id) {
  json view = tasks_.at(id);
  json attached = json::array();
  for (const std::int64_t label : task_labels_[id]) attached.push_back(labels_.at(label));
  view["labels"] = attached.empty() ? json(nullptr) : attached;
  // related_tasks: kind -> the other tasks, each without its own relations (pkg/models/tasks.go
  // addRelatedTasksToTasks).
  json related = json::object();
  for (const auto& [kind, other] : relations_[id]) {
    if (tasks_.contains(other)) related[kind].push_back(tasks_.at(other));
  }
  view["related_tasks"] = related;
  return view;
}

// pkg/models/task_relation.go: every kind and its inverse ("related" is its own).
bool FakeVikunja::set_relation(std::int64_t task_id, const std::string& kind, std::int64_t other_id, bool present) {
  static const std::map<std::string, std::string> inverse{
      {"subtask", "parenttask"}, {"parenttask", "subtask"}, {"related", "related"},   {"duplicateof", "duplicates"},
      {"duplicates", "duplicateof"}, {"blocking", "blocked"}, {"blocked", "blocking"}, {"precedes", "follows"},
      {"follows", "precedes"},   {"copiedfrom", "copiedto"}, {"copiedto", "copiedfrom"}};
  const auto found = inverse.find(kind);
  if (found == inverse.end()) return false;
  if (present) {
    relations_[task_id].insert({kind, other_id});
    relations_[other_id].insert({found->second, task_id});
  } else {
    relations_[task_id].erase({kind, other_id});
    relations_[other_id].erase({found->second, task_id});
  }
  if (tasks_.contains(task_id)) emit(present ? "task.relation.created" : "task.relation.deleted", task_id);
  return true;
}

void FakeVikunja::refuse_relation_routes() {
  std::lock_guard lock(mutex_);
  refuse_relation_routes_ = true;
}

// pkg/models/task_comments.go: the author is the token's user; `updated` moves on an edit; the
// task's own `updated` does not.
std::int64_t FakeVikunja::put_comment(std::int64_t task_id, const std::string& html, std::int64_t author_id) {
  const std::int64_t id = next_comment_id_++;
  const std::string now = next_time();
  json comment{{"id", id},          {"comment", html}, {"author", {{"id", author_id}, {"username", fmt::format("user{}", author_id)}}},
               {"reactions", nullptr}, {"created", now},  {"updated", now}};
  comments_[task_id][id] = comment;
  emit("task.comment.created", task_id, {{"comment", comment}});
  return id;
}

bool FakeVikunja::change_comment(std::int64_t task_id, std::int64_t comment_id, const std::optional<std::string>& html) {
  auto& of_task = comments_[task_id];
  const auto comment = of_task.find(comment_id);
  if (comment == of_task.end()) return false;
  if (html) {
    comment->second["comment"] = *html;
    comment->second["updated"] = next_time();
    emit("task.comment.edited", task_id, {{"comment", comment->second}});
  } else {
    const json removed = comment->second;
    of_task.erase(comment);
    emit("task.comment.deleted", task_id, {{"comment", removed}});
  }
  return true;
}

std::int64_t FakeVikunja::add_comment(std::int64_t task_id, const std::string& html, std::int64_t author_id) {
  std::lock_guard lock(mutex_);
  return put_comment(task_id, html, author_id);
}

void FakeVikunja::edit_comment(std::int64_t task_id, std::int64_t comment_id, const std::string& html) {
  std::lock_guard lock(mutex_);
  change_comment(task_id, comment_id, html);
}

void FakeVikunja::remove_comment(std::int64_t task_id, std::int64_t comment_id) {
  std::lock_guard lock(mutex_);
  change_comment(task_id, comment_id, std::nullopt);
}

std::vector<nlohmann::json> FakeVikunja::comments(std::int64_t task_id) {
  std::lock_guard lock(mutex_);
  std::vector<json> all;
  for (const auto& [id, comment] : comments_[task_id]) all.push_back(comment);
  return all;
}

void FakeVikunja::refuse_comment_routes() {
  std::lock_guard lock(mutex_);
  refuse_comment_routes_ = true;
}

void FakeVikunja::relate(std::int64_t task_id, const std::string& kind, std::int64_t other_id) {
  std::lock_guard lock(mutex_);
  set_relation(task_id, kind, other_id, true);
}

void FakeVikunja::unrelate(std::int64_t task_id, const std::string& kind, std::int64_t other_id) {
  std::lock_guard lock(mutex_);
  set_relation(task_id, kind, other_id, false);
}

std::optional<nlohmann::json> FakeVikunja::task(std::int64_t id) {
  std::lock_guard lock(mutex_);
  if (!tasks_.contains(id)) return std::nullopt;
  return task_view(id);
}

void FakeVikunja::set_version(std::string version) {
  std::lock_guard lock(mutex_);
  version_ = std::move(version);
}

std::vector<nlohmann::json> FakeVikunja::webhooks() {
  std::lock_guard lock(mutex_);
  std::vector<json> all;
  for (const auto& [id, webhook] : webhooks_) all.push_back(webhook);
  return all;
}

std::vector<nlohmann::json> FakeVikunja::tasks() {
  std::lock_guard lock(mutex_);
  std::vector<json> all;
  for (const auto& [id, task] : tasks_) all.push_back(task_view(id));
  return all;
}

std::vector<nlohmann::json> FakeVikunja::projects() {
  std::lock_guard lock(mutex_);
  std::vector<json> all;
  for (const auto& [id, project] : projects_) all.push_back(project);
  return all;
}

std::vector<nlohmann::json> FakeVikunja::labels() {
  std::lock_guard lock(mutex_);
  std::vector<json> all;
  for (const auto& [id, label] : labels_) all.push_back(label);
  return all;
}

long long FakeVikunja::requests_matching(const std::string& method, const std::string& path_prefix) const {
  std::lock_guard lock(mutex_);
  return std::count_if(request_log_.begin(), request_log_.end(), [&](const std::string& line) {
    return line.starts_with(method + " /api/v1" + path_prefix);
  });
}

void FakeVikunja::forget_requests() {
  std::lock_guard lock(mutex_);
  request_log_.clear();
  requests_ = 0;
}

bool FakeVikunja::wait_for_requests(long long count, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return arrived_.wait_for(lock, timeout, [&] { return requests_.load() >= count; });
}

// Failure modes and auth, before any route runs. True when the request was answered here.
bool FakeVikunja::intercept(const httplib::Request& request, httplib::Response& response) {
  std::unique_lock lock(mutex_);
  ++requests_;
  request_log_.push_back(request.method + " " + request.target);
  arrived_.notify_all();
  if (hang_.count() > 0) {
    const bool drop = drop_after_hang_;  // as the mode was when the request arrived
    released_.wait_for(lock, hang_, [this] { return stopping_; });
    if (drop) {
      ++faulted_requests_;
      send_error(response, 504, -1, "dropped by the stand-in after hanging");  // nobody is listening
      return true;
    }
  }
  if (fixed_answer_) {
    ++faulted_requests_;
    response.status = (*fixed_answer_)["status"].get<int>();
    for (auto& [name, value] : (*fixed_answer_)["headers"].items()) response.set_header(name, value.get<std::string>());
    response.set_content((*fixed_answer_)["body"].get<std::string>(), "application/json");
    return true;
  }
  if (request.get_header_value("Authorization") != std::string("Bearer ") + token) {
    send_error(response, 401, 11, "missing, malformed, expired or otherwise invalid token provided");
    return true;
  }
  return false;
}

void FakeVikunja::install_routes() {
  using httplib::Request;
  using httplib::Response;
  auto& server = *server_;
  server.set_keep_alive_max_count(1000);
  server.set_tcp_nodelay(true);  // else Nagle and delayed ACKs add 40 ms to every answer

  // One page of `count` items, item(i) making the i-th only when it is on the page.
  const auto page_of_count = [this](const Request& request, Response& response, std::size_t count,
                                    const std::function<json(std::size_t)>& item, const std::vector<json>& every_page) {
    const int per_page = std::min(max_per_page_, request.has_param("per_page") && std::stoi(request.get_param_value("per_page")) > 0
                                                     ? std::stoi(request.get_param_value("per_page"))
                                                     : max_per_page_);
    const int page = request.has_param("page") ? std::stoi(request.get_param_value("page")) : 1;
    json body = json::array();
    for (std::size_t i = static_cast<std::size_t>((page - 1) * per_page);
         i < count && i < static_cast<std::size_t>(page * per_page); ++i) {
      body.push_back(item(i));
    }
    const int result_count = static_cast<int>(body.size());
    for (const json& extra : every_page) body.push_back(extra);
    const int total_pages = result_count == 0 ? 0 : static_cast<int>((count + per_page - 1) / per_page);
    response.set_header("x-pagination-total-pages", std::to_string(total_pages));
    response.set_header("x-pagination-result-count", std::to_string(result_count));
    send_json(response, 200, body);
  };
  const auto page_of = [page_of_count](const Request& request, Response& response, const std::vector<json>& items,
                                       const std::vector<json>& every_page) {
    page_of_count(request, response, items.size(), [&](std::size_t i) { return items[i]; }, every_page);
  };

  server.Get("/api/v1/projects", [this, page_of](const Request& request, Response& response) {
    if (intercept(request, response)) return;
    std::lock_guard lock(mutex_);
    std::vector<json> items;
    for (const auto& [id, project] : projects_) {
      if (!archived_projects_.contains(id)) items.push_back(project);
    }
    page_of(request, response, items, {json{{"id", -2}, {"title", "My Open Tasks"}}});
  });

  server.Put("/api/v1/projects", [this](const Request& request, Response& response) {
    if (intercept(request, response)) return;
    const json body = json::parse(request.body, nullptr, false);
    if (!body.is_object() || !body.contains("title") || body["title"] == "") {
      return send_json(response, 412, {{"code", 2002}, {"message", "Invalid Data"}, {"invalid_fields", {"title: non zero value required"}}});
    }
    const std::int64_t id = add_project(body["title"].get<std::string>());
    std::lock_guard lock(mutex_);
    send_json(response, 201, projects_.at(id));
  });

  // Every task the user can see (Vikunja v1.0+), done ones included; `s` searches titles.
  server.Get("/api/v1/tasks", [this, page_of_count](const Request& request, Response& response) {
    if (intercept(request, response)) return;
    std::lock_guard lock(mutex_);
    const std::string search = request.has_param("s") ? request.get_param_value("s") : "";
    const auto filter = parse_updated_filter(request.has_param("filter") ? request.get_param_value("filter") : "");
    if (!filter) return send_json(response, 400, {{"message", "the stand-in understands only updated > / < \"TIME\""}});
    std::vector<std::int64_t> ids;
    for (const auto& [id, task] : tasks_) {
      if ((search.empty() || contains_text(task, "title", search)) && (*filter)(task.value("updated", ""))) {
        ids.push_back(id);
      }
    }
    page_of_count(request, response, ids.size(), [&](std::size_t i) { return task_view(ids[i]); }, {});
  });

  server.Get(R"(/api/v1/projects/(\d+)/tasks)", [this, page_of](const Request& request, Response& response) {
    if (intercept(request, response)) return;
    std::lock_guard lock(mutex_);
    const std::int64_t project = path_id(request, 1);
    if (!projects_.contains(project)) return send_error(response, 404, 3001, "This project does not exist.");
    const std::string search = request.has_param("s") ? request.get_param_value("s") : "";
    std::vector<json> items;
    for (const auto& [id, task] : tasks_) {
      if (task["project_id"] == project && (search.empty() || contains_text(task, "title", search) || contains_text(task, "description", search))) {
        items.push_back(task_view(id));
      }
    }
    page_of(request, response, items, {});
  });

  server.Put(R"(/api/v1/projects/(\d+)/tasks)", [this](const Request& request, Response& response) {
    if (intercept(request, response)) return;
    const std::int64_t project = path_id(request, 1);
    json body = json::parse(request.body, nullptr, false);
    std::optional<std::chrono::milliseconds> lose;
    {
      std::lock_guard lock(mutex_);
      if (!body.is_object()) return send_error(response, 400, 2004, "Invalid model provided.");
      if (!projects_.contains(project)) return send_error(response, 404, 3001, "This project does not exist.");
      if (!body.contains("title") || body["title"] == "") return send_error(response, 400, 4001, "You must provide at least a task title.");
      lose = std::exchange(lose_create_, std::nullopt);
    }
    body.erase("labels");  // ignored on create
    body.erase("done_at");  // set by the server
    const std::int64_t id = add_task(project, body);
    std::unique_lock lock(mutex_);
    if (lose) {
      ++faulted_requests_;
      released_.wait_for(lock, *lose, [this] { return stopping_; });  // the client gave up
    }
    send_json(response, 201, task_view(id));
  });

  server.Get(R"(/api/v1/tasks/(\d+))", [this](const Request& request, Response& response) {
    if (intercept(request, response)) return;
    std::lock_guard lock(mutex_);
    const std::int64_t id = path_id(request, 1);
    if (!tasks_.contains(id)) return send_error(response, 404, 4002, "This task does not exist");
    send_json(response, 200, task_view(id));
  });

  server.Post(R"(/api/v1/tasks/(\d+))", [this](const Request& request, Response& response) {
    if (intercept(request, response)) return;
    std::lock_guard lock(mutex_);
    const std::int64_t id = path_id(request, 1);
    const json body = json::parse(request.body, nullptr, false);
    if (!body.is_object()) return send_error(response, 400, 2004, "Invalid model provided.");
    if (!tasks_.contains(id)) return send_error(response, 404, 4002, "This task does not exist");
    json& stored = tasks_.at(id);
    const bool was_done = stored.value("done", false);
    for (const char* field : replaced_fields) {
      stored[field] = body.contains(field) && !body[field].is_null() ? body[field] : zero_of(field);
    }
    for (const char* field : {"reminders", "assignees"}) {  // omitted: all deleted
      stored[field] = body.contains(field) ? body[field] : json(nullptr);
    }
    if (body.contains("title") && body["title"].is_string() && body["title"] != "") stored["title"] = body["title"];
    if (body.contains("project_id") && body["project_id"].is_number_integer() && body["project_id"] != 0) {
      stored["project_id"] = body["project_id"];
    }
    stored["updated"] = next_time();
    stamp_done_at(stored, was_done, stored["updated"]);
    repeat_when_done(stored, was_done, stored["updated"]);
    emit("task.updated", id);
    send_json(response, 200, task_view(id));
  });

  server.Delete(R"(/api/v1/tasks/(\d+))", [this](const Request& request, Response& response) {
    if (intercept(request, response)) return;
    std::lock_guard lock(mutex_);
    const std::int64_t id = path_id(request, 1);
    if (!tasks_.contains(id)) return send_error(response, 404, 4002, "This task does not exist");
    emit("task.deleted", id);
    tasks_.erase(id);
    task_labels_.erase(id);
    relations_.erase(id);
    comments_.erase(id);
    send_json(response, 200, {{"message", "Successfully deleted."}});
  });

  server.Get("/api/v1/labels", [this, page_of](const Request& request, Response& response) {
    if (intercept(request, response)) return;
    std::lock_guard lock(mutex_);
    const std::string search = request.has_param("s") ? request.get_param_value("s") : "";
    std::vector<json> items;
    for (const auto& [id, label] : labels_) {
      if (search.empty() || contains_text(label, "title", search)) items.push_back(label);
    }
    page_of(request, response, items, {});
  });

  server.Put("/api/v1/labels", [this](const Request& request, Response& response) {
    if (intercept(request, response)) return;
    const json body = json::parse(request.body, nullptr, false);
    if (!body.is_object() || !body.contains("title") || body["title"] == "") {
      return send_json(response, 412, {{"code", 2002}, {"message", "Invalid Data"}});
    }
    const std::int64_t id = add_label(body["title"].get<std::string>());
    std::lock_guard lock(mutex_);
    send_json(response, 201, labels_.at(id));
  });

  server.Put(R"(/api/v1/tasks/(\d+)/labels)", [this](const Request& request, Response& response) {
    if (intercept(request, response)) return;
    std::lock_guard lock(mutex_);
    const std::int64_t id = path_id(request, 1);
    const json body = json::parse(request.body, nullptr, false);
    if (!tasks_.contains(id)) return send_error(response, 404, 4002, "This task does not exist");
    if (!body.is_object() || !body.contains("label_id") || !body["label_id"].is_number_integer()) {
      return send_error(response, 400, 2004, "Invalid model provided.");
    }
    const std::int64_t label = body["label_id"].get<std::int64_t>();
    if (!labels_.contains(label)) return send_error(response, 404, 8002, "This label does not exist.");
    if (!task_labels_[id].insert(label).second) return send_error(response, 400, 8001, "This label already exists on the task.");
    tasks_.at(id)["updated"] = next_time();
    emit("task.updated", id);  // there is no label event
    send_json(response, 201, {{"label_id", label}, {"created", next_time()}});
  });

  server.Delete(R"(/api/v1/tasks/(\d+)/labels/(\d+))", [this](const Request& request, Response& response) {
    if (intercept(request, response)) return;
    std::lock_guard lock(mutex_);
    const std::int64_t id = path_id(request, 1);
    if (!tasks_.contains(id)) return send_error(response, 404, 4002, "This task does not exist");
    if (task_labels_[id].erase(path_id(request, 2)) == 0) return send_error(response, 403, 0, "Forbidden");
    tasks_.at(id)["updated"] = next_time();
    emit("task.updated", id);
    send_json(response, 200, {{"message", "Successfully deleted."}});
  });

  // Relations (pkg/models/task_relation.go): PUT makes the relation and its inverse; DELETE
  // removes both. Neither changes the task's `updated`.
  server.Put(R"(/api/v1/tasks/(\d+)/relations)", [this](const Request& request, Response& response) {
    if (intercept(request, response)) return;
    std::lock_guard lock(mutex_);
    if (refuse_relation_routes_) return send_error(response, 401, 11, "missing, malformed, expired or otherwise invalid token provided");
    const std::int64_t id = path_id(request, 1);
    const json body = json::parse(request.body, nullptr, false);
    if (!tasks_.contains(id)) return send_error(response, 404, 4002, "This task does not exist");
    if (!body.is_object() || !body.contains("other_task_id") || !body["other_task_id"].is_number_integer() ||
        !body.contains("relation_kind") || !body["relation_kind"].is_string()) {
      return send_error(response, 400, 2004, "Invalid model provided.");
    }
    const std::int64_t other = body["other_task_id"].get<std::int64_t>();
    const std::string kind = body["relation_kind"].get<std::string>();
    if (!tasks_.contains(other)) return send_error(response, 404, 4002, "This task does not exist");
    if (other == id) return send_error(response, 400, 4010, "You cannot relate a task with itself");
    if (relations_[id].contains({kind, other})) return send_error(response, 409, 4008, "The task relation already exists.");
    if (!set_relation(id, kind, other, true)) return send_error(response, 400, 4007, "The task relation is invalid.");
    send_json(response, 201, {{"task_id", id}, {"other_task_id", other}, {"relation_kind", kind}, {"created", next_time()}});
  });

  server.Delete(R"(/api/v1/tasks/(\d+)/relations/(\w+)/(\d+))", [this](const Request& request, Response& response) {
    if (intercept(request, response)) return;
    std::lock_guard lock(mutex_);
    if (refuse_relation_routes_) return send_error(response, 401, 11, "missing, malformed, expired or otherwise invalid token provided");
    const std::int64_t id = path_id(request, 1);
    const std::string kind = request.matches[2];
    const std::int64_t other = path_id(request, 3);
    if (!tasks_.contains(id)) return send_error(response, 404, 4002, "This task does not exist");
    if (!relations_[id].contains({kind, other})) return send_error(response, 404, 4009, "The task relation does not exist.");
    set_relation(id, kind, other, false);
    send_json(response, 200, {{"message", "The task relation was successfully deleted."}});
  });

  // Comments (pkg/models/task_comments.go): listed oldest first, a page at a time; PUT creates,
  // POST replaces the text, DELETE removes. 404 code 4015 for a comment the task does not have.
  server.Get(R"(/api/v1/tasks/(\d+)/comments)", [this, page_of](const Request& request, Response& response) {
    if (intercept(request, response)) return;
    std::lock_guard lock(mutex_);
    if (refuse_comment_routes_) return send_error(response, 401, 11, "missing, malformed, expired or otherwise invalid token provided");
    const std::int64_t id = path_id(request, 1);
    if (!tasks_.contains(id)) return send_error(response, 404, 4002, "This task does not exist");
    std::vector<json> items;
    for (const auto& [comment_id, comment] : comments_[id]) items.push_back(comment);
    page_of(request, response, items, {});
  });

  // pkg/models/task_comment_permissions.go: only the author edits or deletes (one that is gone: 404).
  const auto written_by_token_user = [this](std::int64_t task_id, std::int64_t comment_id) {
    const auto comment = comments_[task_id].find(comment_id);
    return comment == comments_[task_id].end() || comment->second["author"]["id"] == 1;
  };
  const auto comment_text = [](const Request& request) -> std::optional<std::string> {
    const json body = json::parse(request.body, nullptr, false);
    if (!body.is_object() || !body.contains("comment") || !body["comment"].is_string() || body["comment"] == "") {
      return std::nullopt;
    }
    return body["comment"].get<std::string>();
  };

  server.Put(R"(/api/v1/tasks/(\d+)/comments)", [this, comment_text](const Request& request, Response& response) {
    if (intercept(request, response)) return;
    std::lock_guard lock(mutex_);
    if (refuse_comment_routes_) return send_error(response, 401, 11, "missing, malformed, expired or otherwise invalid token provided");
    const std::int64_t id = path_id(request, 1);
    if (!tasks_.contains(id)) return send_error(response, 404, 4002, "This task does not exist");
    const auto text = comment_text(request);
    if (!text) return send_error(response, 400, 2002, "Struct is invalid.");
    const std::int64_t comment_id = put_comment(id, *text, 1);
    send_json(response, 201, comments_[id][comment_id]);
  });

  server.Post(R"(/api/v1/tasks/(\d+)/comments/(\d+))", [this, comment_text, written_by_token_user](const Request& request, Response& response) {
    if (intercept(request, response)) return;
    std::lock_guard lock(mutex_);
    if (refuse_comment_routes_) return send_error(response, 401, 11, "missing, malformed, expired or otherwise invalid token provided");
    const std::int64_t id = path_id(request, 1);
    const std::int64_t comment_id = path_id(request, 2);
    const auto text = comment_text(request);
    if (!text) return send_error(response, 400, 2002, "Struct is invalid.");
    if (!written_by_token_user(id, comment_id)) return send_error(response, 403, 0, "Forbidden");
    if (!change_comment(id, comment_id, *text)) return send_error(response, 404, 4015, "This task comment does not exist");
    send_json(response, 200, comments_[id][comment_id]);
  });

  server.Delete(R"(/api/v1/tasks/(\d+)/comments/(\d+))", [this, written_by_token_user](const Request& request, Response& response) {
    if (intercept(request, response)) return;
    std::lock_guard lock(mutex_);
    if (refuse_comment_routes_) return send_error(response, 401, 11, "missing, malformed, expired or otherwise invalid token provided");
    if (!written_by_token_user(path_id(request, 1), path_id(request, 2))) return send_error(response, 403, 0, "Forbidden");
    if (!change_comment(path_id(request, 1), path_id(request, 2), std::nullopt)) {
      return send_error(response, 404, 4015, "This task comment does not exist");
    }
    send_json(response, 200, {{"message", "The task comment was successfully deleted."}});
  });

  // GET /info needs no token (pkg/routes/api/shared/info.go); GET /user is the token's owner.
  server.Get("/api/v1/info", [this](const Request& request, Response& response) {
    {
      std::lock_guard lock(mutex_);
      if (!fixed_answer_ && hang_.count() == 0) {
        ++requests_;
        return send_json(response, 200, {{"version", version_}, {"frontend_url", "http://127.0.0.1/"},
                                         {"max_items_per_page", max_per_page_}, {"webhooks_enabled", true}});
      }
    }
    intercept(request, response);
  });
  // A token scoped to the sync's routes may not read /user (Vikunja answers 401 code 11, as
  // for any route the token has no permission for).
  server.Get("/api/v1/user", [this](const Request& request, Response& response) {
    if (intercept(request, response)) return;
    std::lock_guard lock(mutex_);
    if (refuse_user_route_) {
      send_json(response, 401, {{"code", 11}, {"message", "missing, malformed, expired or otherwise invalid token provided"}});
      return;
    }
    send_json(response, 200, {{"id", 1}, {"username", "fake"}, {"name", "Fake User"},
                              {"settings", {{"default_project_id", users_default_project_}}}});
  });

  // Project webhooks (pkg/models/webhooks.go): the secret and basic-auth password are stored
  // but never returned; an update changes the events only; unknown events are 412.
  const auto known_events = [](const json& events) {
    static const std::set<std::string> names{
        "task.created",          "task.updated",          "task.deleted",          "task.assignee.created",
        "task.assignee.deleted", "task.comment.created",  "task.comment.edited",   "task.comment.deleted",
        "task.attachment.created", "task.attachment.deleted", "task.relation.created", "task.relation.deleted",
        "project.updated",       "project.deleted"};
    if (!events.is_array() || events.empty()) return false;
    for (const json& event : events) {
      if (!event.is_string() || !names.contains(event.get<std::string>())) return false;
    }
    return true;
  };
  const auto webhook_view = [](json webhook) {
    webhook.erase("secret");
    webhook.erase("basic_auth_password");
    return webhook;
  };
  server.Get(R"(/api/v1/projects/(\d+)/webhooks)", [this, page_of, webhook_view](const Request& request, Response& response) {
    if (intercept(request, response)) return;
    std::lock_guard lock(mutex_);
    const std::int64_t project = path_id(request, 1);
    if (!projects_.contains(project)) return send_error(response, 404, 3001, "This project does not exist.");
    std::vector<json> items;
    for (const auto& [id, webhook] : webhooks_) {
      if (webhook["project_id"] == project) items.push_back(webhook_view(webhook));
    }
    page_of(request, response, items, {});
  });
  server.Put(R"(/api/v1/projects/(\d+)/webhooks)", [this, known_events, webhook_view](const Request& request, Response& response) {
    if (intercept(request, response)) return;
    std::lock_guard lock(mutex_);
    const std::int64_t project = path_id(request, 1);
    const json body = json::parse(request.body, nullptr, false);
    if (!projects_.contains(project)) return send_error(response, 404, 3001, "This project does not exist.");
    if (!body.is_object() || !body.contains("target_url") || !body["target_url"].is_string() ||
        !body["target_url"].get<std::string>().starts_with("http")) {
      return send_json(response, 412, {{"code", 2002}, {"message", "Invalid Data"}, {"invalid_fields", {"target_url"}}});
    }
    if (!known_events(body.value("events", json()))) {
      return send_json(response, 412, {{"code", 2002}, {"message", "Invalid Data"}, {"invalid_fields", {"events"}}});
    }
    const std::int64_t id = next_id_++;
    const std::string now = next_time();
    webhooks_[id] = json{{"id", id}, {"project_id", project}, {"target_url", body["target_url"]},
                         {"events", body["events"]}, {"secret", body.value("secret", "")},
                         {"basic_auth_user", body.value("basic_auth_user", "")},
                         {"basic_auth_password", body.value("basic_auth_password", "")},
                         {"created_by", {{"id", 1}, {"username", "fake"}}}, {"created", now}, {"updated", now}};
    send_json(response, 201, webhook_view(webhooks_[id]));
  });
  server.Post(R"(/api/v1/projects/(\d+)/webhooks/(\d+))", [this, known_events, webhook_view](const Request& request, Response& response) {
    if (intercept(request, response)) return;
    std::lock_guard lock(mutex_);
    const auto found = webhooks_.find(path_id(request, 2));
    if (found == webhooks_.end() || found->second["project_id"] != path_id(request, 1)) {
      return send_error(response, 404, 12001, "The webhook does not exist.");
    }
    const json body = json::parse(request.body, nullptr, false);
    if (!body.is_object() || !known_events(body.value("events", json()))) {
      return send_json(response, 412, {{"code", 2002}, {"message", "Invalid Data"}, {"invalid_fields", {"events"}}});
    }
    found->second["events"] = body["events"];  // the only column an update writes
    found->second["updated"] = next_time();
    send_json(response, 200, webhook_view(found->second));
  });
  server.Delete(R"(/api/v1/projects/(\d+)/webhooks/(\d+))", [this](const Request& request, Response& response) {
    if (intercept(request, response)) return;
    std::lock_guard lock(mutex_);
    const auto found = webhooks_.find(path_id(request, 2));
    if (found == webhooks_.end() || found->second["project_id"] != path_id(request, 1)) {
      return send_error(response, 404, 12001, "The webhook does not exist.");
    }
    webhooks_.erase(found);
    send_json(response, 200, {{"message", "Successfully deleted."}});
  });

  server.set_error_handler([](const Request&, Response& response) {
    if (response.status == 404 && response.body.empty()) send_json(response, 404, {{"message", "Not Found"}});
  });
}

}  // namespace vsync::test
