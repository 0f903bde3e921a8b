#pragma once
// Taskwarrior's `depends` <-> Vikunja's relation "blocked" (from the waiting task to the one it
// waits for; Vikunja keeps the inverse "blocking" itself). A dependency crosses only between
// linked tasks, so each side's is read as the uuids of the linked tasks it waits for. One on a
// task that is not linked stays on its side untouched; once that task is linked, the dependent
// task's next sync (or the next full reconcile) carries it.

#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "worker/sync/task_map.hpp"

namespace vsync {

inline constexpr const char* vikunja_blocked_kind = "blocked";
inline constexpr const char* vikunja_blocking_kind = "blocking";  // its inverse

class Dependencies {
 public:
  using json = nlohmann::json;

  explicit Dependencies(TaskMap& task_map) : task_map_(task_map) {}

  // The linked tasks this one waits for, as uuids.
  std::set<std::string> of_taskwarrior(const json& task);
  std::set<std::string> of_vikunja(const json& task);

  // The task's `depends` with its linked ones replaced by `merged` (its unlinked ones kept).
  json taskwarrior_depends(const json& task, const std::set<std::string>& merged);
  // The Vikunja ids the task is blocked by, of linked tasks only; and those of `uuids`.
  std::set<std::int64_t> linked_blocked_ids(const json& vikunja);
  std::set<std::int64_t> vikunja_ids(const std::set<std::string>& uuids);

 private:
  bool linked(const std::string& uuid);

  TaskMap& task_map_;
};

// The uuids in Taskwarrior's `depends`: an array (2.6) or a comma-separated string (older).
std::set<std::string> taskwarrior_depends_uuids(const nlohmann::json& task);
// The ids under the task's related_tasks.blocked; under related_tasks.<kind>.
std::set<std::int64_t> vikunja_blocked_ids(const nlohmann::json& task);
std::set<std::int64_t> vikunja_related_ids(const nlohmann::json& task, std::string_view kind);

}  // namespace vsync
