#pragma once
// Table task_map: which Vikunja task a Taskwarrior task is (tw_uuid <-> vikunja_id), so neither
// side depends on matching titles. Each method is atomic on its own; a SQLite failure becomes
// Error naming the queue (75 when it is busy or locked).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <SQLiteCpp/Database.h>

#include "shared/clock.hpp"

namespace vsync {

struct TaskLink {
  std::string tw_uuid;
  std::int64_t vikunja_id = 0;
  std::optional<UnixMillis> vikunja_updated_at;
  std::optional<std::string> fingerprint;  // field_mapping's vikunja_fingerprint when last in sync
};

class TaskMap {
 public:
  TaskMap(SQLite::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

  std::optional<TaskLink> by_uuid(const std::string& tw_uuid);
  std::optional<TaskLink> by_vikunja_id(std::int64_t vikunja_id);
  // Inserts or replaces the link of this uuid (and drops any other uuid's claim on the id).
  void link(const std::string& tw_uuid, std::int64_t vikunja_id,
            std::optional<UnixMillis> vikunja_updated_at,
            const std::optional<std::string>& fingerprint = std::nullopt);
  void forget(const std::string& tw_uuid);

 private:
  std::optional<TaskLink> find(const char* where, const std::function<void(SQLite::Statement&)>& bind);

  SQLite::Database& db_;
  const Clock& clock_;
};

}  // namespace vsync
