#include "worker/sync/dependencies.hpp"

#include <string_view>

namespace vsync {

std::set<std::string> taskwarrior_depends_uuids(const nlohmann::json& task) {
  std::set<std::string> uuids;
  const auto depends = task.find("depends");
  if (depends == task.end()) return uuids;
  if (depends->is_array()) {
    for (const auto& uuid : *depends) {
      if (uuid.is_string() && !uuid.get_ref<const std::string&>().empty()) uuids.insert(uuid.get<std::string>());
    }
  } else if (depends->is_string()) {
    std::string_view rest = depends->get_ref<const std::string&>();
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      const std::string_view uuid = rest.substr(0, comma);
      if (!uuid.empty()) uuids.emplace(uuid);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
  }
  return uuids;
}

std::set<std::int64_t> vikunja_blocked_ids(const nlohmann::json& task) {
  return vikunja_related_ids(task, vikunja_blocked_kind);
}

std::set<std::int64_t> vikunja_related_ids(const nlohmann::json& task, std::string_view kind) {
  std::set<std::int64_t> ids;
  const auto related = task.find("related_tasks");
  if (related == task.end() || !related->is_object()) return ids;
  const auto of_kind = related->find(kind);
  if (of_kind == related->end() || !of_kind->is_array()) return ids;
  for (const auto& other : *of_kind) {
    if (other.is_object() && other.contains("id") && other["id"].is_number_integer()) {
      ids.insert(other["id"].get<std::int64_t>());
    }
  }
  return ids;
}

bool Dependencies::linked(const std::string& uuid) { return task_map_.by_uuid(uuid).has_value(); }

std::set<std::string> Dependencies::of_taskwarrior(const json& task) {
  std::set<std::string> linked_ones;
  const std::string own = task.value("uuid", "");
  for (const std::string& uuid : taskwarrior_depends_uuids(task)) {
    // On itself (`task import` lets one in): Vikunja cannot hold it, so it stays in Taskwarrior.
    if (uuid != own && linked(uuid)) linked_ones.insert(uuid);
  }
  return linked_ones;
}

std::set<std::string> Dependencies::of_vikunja(const json& task) {
  std::set<std::string> uuids;
  for (const std::int64_t id : vikunja_blocked_ids(task)) {
    if (const auto link = task_map_.by_vikunja_id(id)) uuids.insert(link->tw_uuid);
  }
  return uuids;
}

nlohmann::json Dependencies::taskwarrior_depends(const json& task, const std::set<std::string>& merged) {
  std::set<std::string> depends = merged;
  const std::string own = task.value("uuid", "");
  for (const std::string& uuid : taskwarrior_depends_uuids(task)) {
    if (uuid == own || !linked(uuid)) depends.insert(uuid);
  }
  return depends;
}

std::set<std::int64_t> Dependencies::linked_blocked_ids(const json& vikunja) {
  std::set<std::int64_t> ids;
  for (const std::int64_t id : vikunja_blocked_ids(vikunja)) {
    if (task_map_.by_vikunja_id(id)) ids.insert(id);
  }
  return ids;
}

std::set<std::int64_t> Dependencies::vikunja_ids(const std::set<std::string>& uuids) {
  std::set<std::int64_t> ids;
  for (const std::string& uuid : uuids) {
    if (const auto link = task_map_.by_uuid(uuid)) ids.insert(link->vikunja_id);
  }
  return ids;
}

}  // namespace vsync
