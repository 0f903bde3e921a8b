#include "worker/sync/task_map.hpp"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "shared/job.hpp"
#include "shared/queue_store.hpp"
#include "worker/queue/job_outcome.hpp"
#include "worker/queue/on_queue.hpp"
#include "worker/queue/unsynced_commits.hpp"

namespace vsync {

namespace {

constexpr const char* select_links = "SELECT tw_uuid, vikunja_id, vikunja_updated_at, agreed FROM task_map";

TaskLink link_of(SQLite::Statement& query) {
  TaskLink link{query.getColumn(0).getString(), query.getColumn(1).getInt64(), std::nullopt, std::nullopt};
  if (!query.getColumn(2).isNull()) link.vikunja_updated_at = query.getColumn(2).getInt64();
  if (!query.getColumn(3).isNull()) link.agreed = fields_from_json(query.getColumn(3).getString());
  return link;
}

std::optional<SentCreate> sent_create_of(SQLite::Statement& query) {
  auto fields = fields_from_json(query.getColumn(1).getString());
  if (!fields) return std::nullopt;  // unreadable: no evidence of anything
  SentCreate create{std::move(*fields), {}};
  const auto existing = nlohmann::json::parse(query.getColumn(2).getString(), nullptr, false);
  if (existing.is_array()) {
    for (const auto& id : existing) {
      if (id.is_number_integer()) create.existing.insert(id.get<std::int64_t>());
    }
  }
  return create;
}

}  // namespace

bool is_linked_task(const TaskLink& link, std::optional<UnixMillis> vikunja_created) {
  return !vikunja_created || !link.vikunja_updated_at || *vikunja_created <= *link.vikunja_updated_at;
}

std::optional<TaskLink> TaskMap::find(const char* where,
                                      const std::function<void(SQLite::Statement&)>& bind) {
  return on_queue(db_, "read the task map", [&]() -> std::optional<TaskLink> {
    SQLite::Statement query(db_, std::string(select_links) + " WHERE " + where);
    bind(query);
    if (!query.executeStep()) return std::nullopt;
    return link_of(query);
  });
}

std::vector<TaskLink> TaskMap::all_links() {
  return on_queue(db_, "read the task map", [&] {
    SQLite::Statement query(db_, select_links);
    std::vector<TaskLink> links;
    while (query.executeStep()) links.push_back(link_of(query));
    return links;
  });
}

std::set<std::string> TaskMap::buried_uuids() {
  return column_set<std::string>("SELECT tw_uuid FROM tombstones");
}

std::set<std::int64_t> TaskMap::buried_vikunja_ids() {
  return column_set<std::int64_t>("SELECT vikunja_id FROM tombstones");
}

template <typename T>
std::set<T> TaskMap::column_set(const char* sql) {
  return on_queue(db_, "read the task map", [&] {
    SQLite::Statement query(db_, sql);
    std::set<T> values;
    while (query.executeStep()) values.insert(static_cast<T>(query.getColumn(0)));
    return values;
  });
}

bool TaskMap::exists(const char* sql, const std::function<void(SQLite::Statement&)>& bind) {
  return on_queue(db_, "read the task map", [&] {
    SQLite::Statement query(db_, sql);
    bind(query);
    return query.executeStep();
  });
}

std::optional<TaskLink> TaskMap::by_uuid(const std::string& tw_uuid) {
  return find("tw_uuid = ?", [&](SQLite::Statement& query) { query.bind(1, tw_uuid); });
}

std::optional<TaskLink> TaskMap::by_vikunja_id(std::int64_t vikunja_id) {
  return find("vikunja_id = ?", [&](SQLite::Statement& query) { query.bind(1, vikunja_id); });
}

void TaskMap::link(const std::string& tw_uuid, std::int64_t vikunja_id,
                   std::optional<UnixMillis> vikunja_updated_at, const std::optional<TaskFields>& agreed) {
  on_queue(db_, "update the task map", [&] {
    SQLite::Transaction transaction(db_, SQLite::TransactionBehavior::IMMEDIATE);
    link_in_transaction(tw_uuid, vikunja_id, vikunja_updated_at, agreed);
    transaction.commit();
  });
}

void TaskMap::move_link(const std::string& from_uuid, const std::string& to_uuid, std::int64_t vikunja_id,
                        std::optional<UnixMillis> vikunja_updated_at, const std::optional<TaskFields>& agreed) {
  on_queue(db_, "update the task map", [&] {
    SQLite::Transaction transaction(db_, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement unlink(db_, "DELETE FROM task_map WHERE tw_uuid = ? AND vikunja_id = ?");
    unlink.bind(1, from_uuid);
    unlink.bind(2, vikunja_id);
    unlink.exec();
    link_in_transaction(to_uuid, vikunja_id, vikunja_updated_at, agreed);
    transaction.commit();
  });
}

void TaskMap::link_in_transaction(const std::string& tw_uuid, std::int64_t vikunja_id,
                                  std::optional<UnixMillis> vikunja_updated_at, const std::optional<TaskFields>& agreed) {
  SQLite::Statement other(db_,
                          "SELECT tw_uuid, vikunja_id FROM task_map WHERE (vikunja_id = ?1 AND tw_uuid <> ?2) "
                          "OR (tw_uuid = ?2 AND vikunja_id <> ?1)");
  other.bind(1, vikunja_id);
  other.bind(2, tw_uuid);
  if (other.executeStep()) {
    throw JobStopped{JobOutcome::retry(fmt::format("cannot link tw:{} to Vikunja task #{}: tw:{} is linked to #{}",
                                                   tw_uuid, vikunja_id, other.getColumn(0).getString(),
                                                   other.getColumn(1).getInt64()),
                                       false)};
  }
  SQLite::Statement upsert(db_,
                           "INSERT INTO task_map (tw_uuid, vikunja_id, vikunja_updated_at, agreed, "
                           "created_at, updated_at) VALUES (?1, ?2, ?3, ?5, ?4, ?4) ON CONFLICT (tw_uuid) "
                           "DO UPDATE SET vikunja_id = ?2, vikunja_updated_at = ?3, agreed = ?5, "
                           "updated_at = ?4");
  upsert.bind(1, tw_uuid);
  upsert.bind(2, vikunja_id);
  if (vikunja_updated_at) upsert.bind(3, *vikunja_updated_at);
  upsert.bind(4, clock_.now());
  if (agreed) upsert.bind(5, to_json(*agreed).dump());
  upsert.exec();
  // Webhook jobs queued while the task was unlinked join the task's key, and so its order.
  // OR IGNORE: where the key already has a pending webhook job, the older one keeps its key.
  SQLite::Statement rekey(db_, "UPDATE OR IGNORE jobs SET key = ? WHERE key = ? AND state = 'pending'");
  rekey.bind(1, taskwarrior_key(tw_uuid));
  rekey.bind(2, vikunja_key(vikunja_id));
  rekey.exec();
  drop_create(tw_uuid);
}

void TaskMap::record_create(const std::string& tw_uuid, const SentCreate& create) {
  on_queue(db_, "update the task map", [&] {
    // Not synced on its own: the link that follows syncs it. Only a power cut between the two
    // loses it, and then the retry still finds the task it made by title unless Taskwarrior or
    // Vikunja holds namesakes of it (README "Performance").
    const UnsyncedCommits unsynced(db_);
    SQLite::Statement record(db_,
                             "INSERT OR REPLACE INTO vikunja_creates (tw_uuid, fields, existing, sent_at) "
                             "VALUES (?, ?, ?, ?)");
    record.bind(1, tw_uuid);
    record.bind(2, to_json(create.fields).dump());
    record.bind(3, nlohmann::json(create.existing).dump());
    record.bind(4, clock_.now());
    record.exec();
  });
}

std::optional<SentCreate> TaskMap::sent_create(const std::string& tw_uuid) {
  return on_queue(db_, "read the task map", [&]() -> std::optional<SentCreate> {
    SQLite::Statement query(db_, "SELECT tw_uuid, fields, existing FROM vikunja_creates WHERE tw_uuid = ?");
    query.bind(1, tw_uuid);
    if (!query.executeStep()) return std::nullopt;
    return sent_create_of(query);
  });
}

void TaskMap::forget_create(const std::string& tw_uuid) {
  on_queue(db_, "update the task map", [&] { drop_create(tw_uuid); });
}

void TaskMap::drop_create(const std::string& tw_uuid) {
  SQLite::Statement drop(db_, "DELETE FROM vikunja_creates WHERE tw_uuid = ?");
  drop.bind(1, tw_uuid);
  drop.exec();
}

std::vector<std::string> TaskMap::creates_that_made(std::int64_t vikunja_id, const TaskFields& fields) {
  return on_queue(db_, "read the task map", [&] {
    // A uuid linked since (another job linked it) made nothing that is still unlinked.
    SQLite::Statement query(db_, "SELECT tw_uuid, fields, existing FROM vikunja_creates WHERE tw_uuid NOT IN "
                                 "(SELECT tw_uuid FROM task_map) ORDER BY sent_at, tw_uuid");
    std::vector<std::string> uuids;
    while (query.executeStep()) {
      const auto sent = sent_create_of(query);
      if (sent && sent->fields.title == fields.title && same_project(sent->fields.project, fields.project) &&
          sent->fields.done == fields.done && !sent->existing.contains(vikunja_id)) {
        uuids.push_back(query.getColumn(0).getString());
      }
    }
    return uuids;
  });
}

void TaskMap::forget(const std::string& tw_uuid) {
  on_queue(db_, "update the task map", [&] {
    SQLite::Statement forget(db_, "DELETE FROM task_map WHERE tw_uuid = ?");
    forget.bind(1, tw_uuid);
    forget.exec();
  });
}

void TaskMap::bury(const std::string& tw_uuid, std::int64_t vikunja_id, Side deleted_in) {
  on_queue(db_, "update the task map", [&] {
    SQLite::Transaction transaction(db_, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement forget(db_, "DELETE FROM task_map WHERE tw_uuid = ? OR vikunja_id = ?");
    forget.bind(1, tw_uuid);
    forget.bind(2, vikunja_id);
    forget.exec();
    drop_create(tw_uuid);
    SQLite::Statement bury(db_,
                           "INSERT INTO tombstones (tw_uuid, vikunja_id, deleted_in, deleted_at) "
                           "VALUES (?, ?, ?, ?) ON CONFLICT (tw_uuid) DO NOTHING");
    bury.bind(1, tw_uuid);
    bury.bind(2, vikunja_id);
    bury.bind(3, std::string(to_string(deleted_in)));
    bury.bind(4, clock_.now());
    bury.exec();
    transaction.commit();
  });
}

bool TaskMap::buried_uuid(const std::string& tw_uuid) {
  return exists("SELECT 1 FROM tombstones WHERE tw_uuid = ?",
                [&](SQLite::Statement& query) { query.bind(1, tw_uuid); });
}

bool TaskMap::buried_vikunja_id(std::int64_t vikunja_id) {
  return exists("SELECT 1 FROM tombstones WHERE vikunja_id = ?",
                [&](SQLite::Statement& query) { query.bind(1, vikunja_id); });
}

}  // namespace vsync
