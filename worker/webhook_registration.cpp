#include "worker/webhook_registration.hpp"

#include <openssl/evp.h>

#include <algorithm>

#include <SQLiteCpp/Statement.h>
#include <fmt/format.h>

#include "shared/error.hpp"
#include "shared/webhook_event.hpp"
#include "worker/queue/on_queue.hpp"

namespace vsync {

using json = nlohmann::json;

std::string_view to_string(WebhookChange change) {
  switch (change) {
    case WebhookChange::created: return "created";
    case WebhookChange::events_updated: return "events updated";
    case WebhookChange::replaced: return "replaced";
    case WebhookChange::unchanged: return "unchanged";
    case WebhookChange::removed: return "removed";
  }
  return "?";
}

const std::vector<std::string>& synced_events() {
  static const std::vector<std::string> events(synced_webhook_events.begin(), synced_webhook_events.end());
  return events;
}

std::string secret_fingerprint(const std::string& secret) {
  const std::string input = "vikunja-sync webhook secret\n" + secret;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(input.data(), input.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    throw Error(ExitCode::software, "cannot compute SHA-256");
  }
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

namespace {

std::vector<std::string> events_of(const json& webhook) {
  std::vector<std::string> events;
  for (const json& event : webhook.value("events", json::array())) {
    if (event.is_string()) events.push_back(event.get<std::string>());
  }
  std::sort(events.begin(), events.end());
  return events;
}

std::vector<std::string> sorted(std::vector<std::string> events) {
  std::sort(events.begin(), events.end());
  return events;
}

std::int64_t id_of(const json& object) { return object.at("id").get<std::int64_t>(); }

}  // namespace

WebhookRegistration::WebhookRegistration(VikunjaClient& vikunja, SQLite::Database& db, const Clock& clock)
    : vikunja_(vikunja), db_(db), clock_(clock) {}

void WebhookRegistration::record(std::int64_t project_id, const std::string& url, std::int64_t webhook_id,
                                 const std::string& secret) {
  on_queue(db_, "record a webhook registration", [&] {
    SQLite::Statement upsert(db_,
                             "INSERT INTO webhook_registrations (project_id, target_url, webhook_id, "
                             "secret_fingerprint, registered_at) VALUES (?, ?, ?, ?, ?) "
                             "ON CONFLICT (project_id, target_url) DO UPDATE SET webhook_id = excluded.webhook_id, "
                             "secret_fingerprint = excluded.secret_fingerprint, registered_at = excluded.registered_at");
    upsert.bind(1, project_id);
    upsert.bind(2, url);
    upsert.bind(3, webhook_id);
    upsert.bind(4, secret_fingerprint(secret));
    upsert.bind(5, clock_.now());
    upsert.exec();
  });
}

// The webhook id and secret fingerprint we registered on `project_id` for `url`, if any.
std::optional<std::pair<std::int64_t, std::string>> WebhookRegistration::registration(std::int64_t project_id,
                                                                                     const std::string& url) {
  return on_queue(db_, "read webhook registrations", [&]() -> std::optional<std::pair<std::int64_t, std::string>> {
    SQLite::Statement query(db_, "SELECT webhook_id, secret_fingerprint FROM webhook_registrations "
                                 "WHERE project_id = ? AND target_url = ?");
    query.bind(1, project_id);
    query.bind(2, url);
    if (!query.executeStep()) return std::nullopt;
    return std::pair(query.getColumn(0).getInt64(), query.getColumn(1).getString());
  });
}

ProjectWebhook WebhookRegistration::ensure(const json& project, const std::string& url, const std::string& secret) {
  const std::int64_t project_id = id_of(project);
  const ProjectWebhook result_base{project_id, project.value("title", ""), WebhookChange::unchanged};
  std::vector<json> ours;
  for (json& webhook : vikunja_.webhooks(project_id)) {
    if (webhook.value("target_url", "") == url) ours.push_back(std::move(webhook));
  }
  const auto recorded = registration(project_id, url);
  // The one we registered with this secret, if it is still there; every other one for the URL goes.
  const auto known = std::find_if(ours.begin(), ours.end(), [&](const json& webhook) {
    return recorded && recorded->first == id_of(webhook) && recorded->second == secret_fingerprint(secret);
  });
  for (const json& webhook : ours) {
    if (known == ours.end() || id_of(webhook) != id_of(*known)) vikunja_.delete_webhook(project_id, id_of(webhook));
  }
  ProjectWebhook result = result_base;
  if (known != ours.end()) {
    if (events_of(*known) != sorted(synced_events())) {
      vikunja_.update_webhook_events(project_id, id_of(*known), synced_events());
      result.change = WebhookChange::events_updated;
    }
    return result;
  }
  const json created = vikunja_.create_webhook(
      project_id, json{{"target_url", url}, {"events", synced_events()}, {"secret", secret}});
  record(project_id, url, id_of(created), secret);
  result.change = ours.empty() ? WebhookChange::created : WebhookChange::replaced;
  return result;
}

std::vector<ProjectWebhook> WebhookRegistration::install(const std::string& url, const std::string& secret) {
  if (!url.starts_with("http://") && !url.starts_with("https://")) {
    throw Error(ExitCode::usage, fmt::format("--url is '{}'; expected the receiver's http:// or https:// URL", url));
  }
  on_queue(db_, "remember the webhook receiver", [&] {
    SQLite::Statement remember(db_, "INSERT OR IGNORE INTO webhook_receivers (target_url, added_at) VALUES (?, ?)");
    remember.bind(1, url);
    remember.bind(2, clock_.now());
    remember.exec();
  });
  std::vector<ProjectWebhook> changes;
  for (const json& project : vikunja_.projects()) {
    if (project.value("is_archived", false)) continue;
    changes.push_back(ensure(project, url, secret));
  }
  return changes;
}

std::vector<ListedWebhook> WebhookRegistration::list() {
  std::vector<ListedWebhook> listed;
  for (const json& project : vikunja_.projects()) {
    const std::int64_t project_id = id_of(project);
    for (const json& webhook : vikunja_.webhooks(project_id)) {
      const bool registered = on_queue(db_, "read webhook registrations", [&] {
        SQLite::Statement query(db_, "SELECT 1 FROM webhook_registrations WHERE project_id = ? AND webhook_id = ?");
        query.bind(1, project_id);
        query.bind(2, id_of(webhook));
        return query.executeStep();
      });
      listed.push_back({project_id, project.value("title", ""), id_of(webhook), webhook.value("target_url", ""),
                        events_of(webhook), registered});
    }
  }
  return listed;
}

std::vector<ProjectWebhook> WebhookRegistration::remove(const std::string& url) {
  std::vector<ProjectWebhook> removed;
  for (const json& project : vikunja_.projects()) {
    const std::int64_t project_id = id_of(project);
    for (const json& webhook : vikunja_.webhooks(project_id)) {
      if (webhook.value("target_url", "") != url) continue;
      vikunja_.delete_webhook(project_id, id_of(webhook));
      removed.push_back({project_id, project.value("title", ""), WebhookChange::removed});
    }
  }
  on_queue(db_, "forget webhook registrations", [&] {
    for (const char* sql : {"DELETE FROM webhook_registrations WHERE target_url = ?",
                            "DELETE FROM webhook_receivers WHERE target_url = ?"}) {
      SQLite::Statement forget(db_, sql);
      forget.bind(1, url);
      forget.exec();
    }
  });
  return removed;
}

std::vector<std::string> WebhookRegistration::receivers() {
  return on_queue(db_, "read webhook registrations", [&] {
    std::vector<std::string> urls;
    SQLite::Statement query(db_, "SELECT target_url FROM webhook_receivers ORDER BY target_url");
    while (query.executeStep()) urls.push_back(query.getColumn(0).getString());
    return urls;
  });
}

std::vector<ProjectWebhook> WebhookRegistration::register_new_projects(const std::string& secret) {
  std::vector<ProjectWebhook> created;
  const std::vector<std::string> urls = receivers();
  if (urls.empty()) return created;
  for (const json& project : vikunja_.projects()) {
    if (project.value("is_archived", false)) continue;
    for (const std::string& url : urls) {
      if (!registration(id_of(project), url)) created.push_back(ensure(project, url, secret));
    }
  }
  return created;
}

}  // namespace vsync
