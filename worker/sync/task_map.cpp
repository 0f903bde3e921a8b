#include "worker/sync/task_map.hpp"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include "shared/job.hpp"
#include "shared/queue_store.hpp"
#include "worker/queue/on_queue.hpp"

namespace vsync {

namespace {

constexpr const char* select_links = "SELECT tw_uuid, vikunja_id, vikunja_updated_at, agreed FROM task_map";

TaskLink link_of(SQLite::Statement& query) {
  TaskLink link{query.getColumn(0).getString(), query.getColumn(1).getInt64(), std::nullopt, std::nullopt};
  if (!query.getColumn(2).isNull()) link.vikunja_updated_at = query.getColumn(2).getInt64();
  if (!query.getColumn(3).isNull()) link.agreed = fields_from_json(query.getColumn(3).getString());
  return link;
}

}  // namespace

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
    SQLite::Statement unlink_other(db_, "DELETE FROM task_map WHERE vikunja_id = ? AND tw_uuid <> ?");
    unlink_other.bind(1, vikunja_id);
    unlink_other.bind(2, tw_uuid);
    unlink_other.exec();
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
    transaction.commit();
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
