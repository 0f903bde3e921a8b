#pragma once
// Table task_map: which Vikunja task a Taskwarrior task is (tw_uuid <-> vikunja_id), so neither
// side depends on matching titles, with the fields both sides last agreed on (the base of the
// merge). Table tombstones: links whose task was deleted on one side, so that a late, repeated
// or reconciled event for either id never brings the task back. Each method is atomic on its
// own; a SQLite failure becomes Error naming the queue (75 when it is busy or locked).

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>

#include "shared/clock.hpp"
#include "worker/sync/merge.hpp"
#include "worker/sync/task_fields.hpp"

namespace vsync {

struct TaskLink {
  std::string tw_uuid;
  std::int64_t vikunja_id = 0;
  std::optional<UnixMillis> vikunja_updated_at;  // Vikunja's `updated` when last applied
  std::optional<TaskFields> agreed;              // nullopt until the pair first agreed
};

// Whether the Vikunja task now at the link's id is the linked one. A task created after the
// `updated` the link last saw (both Vikunja's clock) is another task under a reused id: a
// reinstalled or replaced Vikunja gives out ids again. Unknown times: the same task.
bool is_linked_task(const TaskLink& link, std::optional<UnixMillis> vikunja_created);

// A create sent to Vikunja for a Taskwarrior task, before its answer.
struct SentCreate {
  TaskFields fields;                  // what the create request itself carries (no labels)
  std::set<std::int64_t> existing;    // unlinked namesakes in Vikunja before it: not its task
};

class TaskMap {
 public:
  TaskMap(SQLite::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

  std::optional<TaskLink> by_uuid(const std::string& tw_uuid);
  std::optional<TaskLink> by_vikunja_id(std::int64_t vikunja_id);
  // Links the two, or updates the link they have; pending jobs keyed by the Vikunja id take the
  // uuid's key (one order per task), and a create recorded for the uuid is done with. Either
  // task already linked to another is refused (JobStopped, a retry that sees the link): moving
  // a link would leave a task on one side that nothing syncs.
  void link(const std::string& tw_uuid, std::int64_t vikunja_id,
            std::optional<UnixMillis> vikunja_updated_at,
            const std::optional<TaskFields>& agreed = std::nullopt);
  void forget(const std::string& tw_uuid);
  // The Vikunja task's link moves from one Taskwarrior task to another, at once: a recurring
  // series' next instance (series_sync.hpp).
  void move_link(const std::string& from_uuid, const std::string& to_uuid, std::int64_t vikunja_id,
                 std::optional<UnixMillis> vikunja_updated_at, const std::optional<TaskFields>& agreed);

  // Creates in Vikunja not linked yet (schema/008): recorded before the request is sent.
  void record_create(const std::string& tw_uuid, const SentCreate& create);
  std::optional<SentCreate> sent_create(const std::string& tw_uuid);
  void forget_create(const std::string& tw_uuid);
  // The uuids whose recorded create could have made the Vikunja task `vikunja_id` with `fields`
  // (same title, project and done state; not a task that existed before), oldest first.
  std::vector<std::string> creates_that_made(std::int64_t vikunja_id, const TaskFields& fields);

  // Ends the link of `tw_uuid` with a tombstone naming the side the task was deleted in.
  void bury(const std::string& tw_uuid, std::int64_t vikunja_id, Side deleted_in);
  bool buried_uuid(const std::string& tw_uuid);
  bool buried_vikunja_id(std::int64_t vikunja_id);

  // Everything at once, for a reconcile.
  std::vector<TaskLink> all_links();
  std::set<std::string> buried_uuids();
  std::set<std::int64_t> buried_vikunja_ids();

 private:
  std::optional<TaskLink> find(const char* where, const std::function<void(SQLite::Statement&)>& bind);
  bool exists(const char* sql, const std::function<void(SQLite::Statement&)>& bind);
  template <typename T>
  std::set<T> column_set(const char* sql);  // the first column of every row
  void drop_create(const std::string& tw_uuid);  // inside the caller's on_queue
  void link_in_transaction(const std::string& tw_uuid, std::int64_t vikunja_id,
                           std::optional<UnixMillis> vikunja_updated_at, const std::optional<TaskFields>& agreed);

  SQLite::Database& db_;
  const Clock& clock_;
};

}  // namespace vsync
