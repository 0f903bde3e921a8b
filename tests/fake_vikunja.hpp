#pragma once
// A stand-in for Vikunja on 127.0.0.1 (an ephemeral port), faithful to vikunja-api.md where the
// sync depends on it: bearer-token auth (401 code 11), PUT creates and POST is a full replace,
// 404 codes 3001/4002/8002, paginated lists with x-pagination-* headers and a saved-filter
// pseudo-project on every page, all tasks at GET /tasks, label search by substring, label add (400 code 8001 when already
// there) and remove (403 when not there), task relations (with their inverse kind, and
// related_tasks in the task), task comments (paginated, oldest first; 404 code 4015), project webhooks (secrets never returned, an update
// changes events only), GET /info and GET /user, and (once asked to) the signed deliveries of
// those webhooks. It can be told to refuse connections, answer a fixed
// status or garbage, hang (then answer, or drop the request unapplied), or lose the answer to
// the next create. Its listening socket is close-on-exec, so a process the test starts cannot
// keep the port listening after refuse_connections().

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace vsync::test {

class FakeVikunja {
 public:
  using json = nlohmann::json;
  static constexpr const char* token = "tk_fake_token_for_tests";

  FakeVikunja();
  ~FakeVikunja();
  FakeVikunja(const FakeVikunja&) = delete;
  FakeVikunja& operator=(const FakeVikunja&) = delete;

  std::string url() const;  // http://127.0.0.1:PORT, no trailing slash

  // --- behaviour ---
  void refuse_connections();  // stops listening: connection refused
  void answer_normally();     // listens again on the same port, forgets any failure mode
  void answer_every_request(int status, std::map<std::string, std::string> headers, std::string body);
  // What a hung request does once its time is up: carry on as a slow server would, or be
  // dropped without being applied, as if it never reached the server.
  enum class AfterHang { answer, drop };
  void hang_every_request(std::chrono::milliseconds how_long, AfterHang after = AfterHang::answer);
  void lose_next_create_answer(std::chrono::milliseconds delay);  // creates, then answers too late
  void set_max_items_per_page(int count);
  void set_version(std::string version);  // what GET /info reports (default v0.24.6)
  // Moves the server's clock (Unix seconds; each change then adds one): `updated` of later
  // changes, for deciding which side changed last.
  void set_server_time(long long unix_seconds);
  // From now on, deliver the project webhooks as Vikunja does (vikunja-api.md § 4): every task
  // created, changed or deleted, through the API or the methods below, is POSTed to each webhook
  // of its project that lists the event, signed with its secret, from a thread of its own after
  // the change (the task re-read at send time; a deleted one as it was). One attempt each, in
  // order. Off by default: most tests register receivers that nobody listens on.
  void deliver_webhooks();
  // Waits (on a condition) until every change so far was delivered and answered.
  bool wait_for_deliveries_sent(std::chrono::milliseconds timeout);

  // --- data ---
  std::int64_t add_project(const std::string& title);
  std::int64_t add_label(const std::string& title);
  std::int64_t add_task(std::int64_t project_id, json fields);
  void attach_label(std::int64_t task_id, std::int64_t label_id);
  // A relation as the web UI makes it: `kind` from task_id to other_id, and its inverse
  // (blocked <-> blocking) from other_id back.
  void relate(std::int64_t task_id, const std::string& kind, std::int64_t other_id);
  void unrelate(std::int64_t task_id, const std::string& kind, std::int64_t other_id);
  void edit_task(std::int64_t id, const json& fields);  // as the web UI would
  void remove_task(std::int64_t id);
  void remove_project(std::int64_t id);  // with its tasks
  void archive_project(std::int64_t id);  // no longer listed by GET /projects; its tasks stay
  // Every project, task, label and webhook gone, as after a restore from an old backup (ids go
  // on from where they were) or a reinstall (`restart_ids`: the next task gets id 1 again).
  void lose_everything(bool restart_ids = false);
  // GET /user's settings.default_project_id (0 by default: none).
  void set_users_default_project(std::int64_t project_id);
  void refuse_user_route();  // GET /user answers 401, as to a token scoped to the sync's routes
  void refuse_relation_routes();  // 401, as to a token without the tasks_relations permission
  void refuse_comment_routes();   // 401, as to a token without the tasks_comments permission
  // Comments as the web UI writes them (HTML); none of them changes the task's `updated`. Only a
  // comment's author may edit or delete it through the API (403 for another's): the token's user
  // is author 1.
  std::int64_t add_comment(std::int64_t task_id, const std::string& html, std::int64_t author_id = 1);
  void edit_comment(std::int64_t task_id, std::int64_t comment_id, const std::string& html);
  void remove_comment(std::int64_t task_id, std::int64_t comment_id);
  std::vector<json> comments(std::int64_t task_id);  // oldest first, as GET shows them
  std::optional<json> task(std::int64_t id);  // as GET would show it
  std::vector<json> tasks();
  std::vector<json> projects();
  std::vector<json> labels();
  std::vector<json> webhooks();  // with their secrets, which the API never returns

  // --- observation ---
  long long requests() const { return requests_.load(); }
  // Requests answered by a failure mode (fixed answer, dropped after a hang, lost create answer).
  long long faulted_requests() const { return faulted_requests_.load(); }
  long long requests_matching(const std::string& method, const std::string& path_prefix) const;
  void forget_requests();
  // Waits (on a condition, not a fixed sleep) until at least `count` requests arrived.
  bool wait_for_requests(long long count, std::chrono::milliseconds timeout);
  long long deliveries() const;  // webhook deliveries the receiver answered with 2xx
  long long failed_deliveries() const;

 private:
  void start(int port);
  void stop();
  void install_routes();
  bool intercept(const httplib::Request& request, httplib::Response& response);
  json task_view(std::int64_t id);  // caller holds mutex_
  // The relation and its inverse; false when `kind` is not one Vikunja knows. Caller holds mutex_.
  bool set_relation(std::int64_t task_id, const std::string& kind, std::int64_t other_id, bool present);
  std::string next_time();          // caller holds mutex_
  // `extra`: the event's own keys beside the task (`comment`). Caller holds mutex_.
  void emit(const char* event, std::int64_t task_id, json extra = json::object());
  std::int64_t put_comment(std::int64_t task_id, const std::string& html, std::int64_t author_id);  // caller holds mutex_
  // False when the task has no such comment. Caller holds mutex_.
  bool change_comment(std::int64_t task_id, std::int64_t comment_id, const std::optional<std::string>& html);
  void deliver_loop();

  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;

  mutable std::mutex mutex_;
  std::condition_variable released_;
  std::condition_variable arrived_;
  bool stopping_ = false;
  std::optional<json> fixed_answer_;  // {status, headers, body}
  std::chrono::milliseconds hang_{0};
  bool drop_after_hang_ = false;
  std::optional<std::chrono::milliseconds> lose_create_;
  int max_per_page_ = 50;
  std::int64_t next_id_ = 1;
  long long tick_ = 0;
  long long clock_base_ = 1'764'000'000;
  std::map<std::int64_t, json> projects_, tasks_, labels_, webhooks_;
  std::string version_ = "v0.24.6";
  std::map<std::int64_t, std::set<std::int64_t>> task_labels_;
  std::map<std::int64_t, std::set<std::pair<std::string, std::int64_t>>> relations_;  // task -> (kind, other)
  std::map<std::int64_t, std::map<std::int64_t, json>> comments_;  // task -> comment id -> comment
  std::int64_t next_comment_id_ = 1;
  std::set<std::int64_t> archived_projects_;
  std::int64_t users_default_project_ = 0;
  bool refuse_user_route_ = false;
  bool refuse_relation_routes_ = false;
  bool refuse_comment_routes_ = false;
  std::atomic<long long> requests_{0};
  std::atomic<long long> faulted_requests_{0};
  std::vector<std::string> request_log_;

  struct Event {
    std::string name;
    std::int64_t task_id;
    json snapshot;  // the task when it changed: sent when it cannot be re-read (deleted)
    json extra;     // keys of `data` beside the task
  };
  bool delivering_ = false;
  bool delivery_in_flight_ = false;
  bool closing_ = false;
  std::deque<Event> outbox_;
  std::condition_variable outbox_changed_;
  std::thread delivery_thread_;
  long long delivered_ = 0;
  long long failed_ = 0;
};

}  // namespace vsync::test
