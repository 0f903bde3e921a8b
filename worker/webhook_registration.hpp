#pragma once
// `vikunja-worker webhooks install|list|remove`: a webhook for task.created, task.updated and
// task.deleted on every project, pointing at the user's receiver, with the configured secret.
//
// Idempotent: a project whose webhook for the URL is the one we registered, with the same
// secret (by fingerprint: Vikunja never returns secrets) and events, is left alone; other
// events are updated in place (an update can change only the events); a webhook for the URL we
// did not register, or registered with another secret, is replaced, so that the secret is known
// to be right; duplicates for the URL are removed. Projects made later get theirs from
// register_new_projects(), which a reconcile calls.

#include <cstdint>
#include <optional>
#include <utility>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>

#include "shared/clock.hpp"
#include "worker/remote/vikunja_client.hpp"

namespace vsync {

enum class WebhookChange { created, events_updated, replaced, unchanged, removed };
std::string_view to_string(WebhookChange change);

struct ProjectWebhook {
  std::int64_t project_id;
  std::string project_title;
  WebhookChange change;
};

struct ListedWebhook {
  std::int64_t project_id;
  std::string project_title;
  std::int64_t webhook_id;
  std::string target_url;
  std::vector<std::string> events;
  bool registered_here;  // by `webhooks install` with this queue
};

class WebhookRegistration {
 public:
  WebhookRegistration(VikunjaClient& vikunja, SQLite::Database& db, const Clock& clock);

  std::vector<ProjectWebhook> install(const std::string& url, const std::string& secret);
  std::vector<ListedWebhook> list();
  std::vector<ProjectWebhook> remove(const std::string& url);
  // The receiver URLs `install` was given (until `remove`).
  std::vector<std::string> receivers();
  // For every receiver, a webhook on each project that has none yet.
  std::vector<ProjectWebhook> register_new_projects(const std::string& secret);

 private:
  ProjectWebhook ensure(const nlohmann::json& project, const std::string& url, const std::string& secret);
  std::optional<std::pair<std::int64_t, std::string>> registration(std::int64_t project_id, const std::string& url);
  void record(std::int64_t project_id, const std::string& url, std::int64_t webhook_id, const std::string& secret);

  VikunjaClient& vikunja_;
  SQLite::Database& db_;
  const Clock& clock_;
};

// The events the sync needs, in the order Vikunja lists them.
const std::vector<std::string>& synced_events();

// SHA-256 of a fixed prefix and the secret, hex: stored instead of the secret.
std::string secret_fingerprint(const std::string& secret);

}  // namespace vsync
