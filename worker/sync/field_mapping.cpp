#include "worker/sync/field_mapping.hpp"

#include <fmt/format.h>

#include "shared/json_document.hpp"
#include "shared/timestamp.hpp"
#include "worker/queue/job_outcome.hpp"

namespace vsync {

std::optional<UnixMillis> parse_taskwarrior_date(std::string_view text) {
  if (text.size() == 16 && text[8] == 'T' && text[15] == 'Z') {
    const std::string iso = fmt::format("{}-{}-{}T{}:{}:{}Z", text.substr(0, 4), text.substr(4, 2),
                                        text.substr(6, 2), text.substr(9, 2), text.substr(11, 2),
                                        text.substr(13, 2));
    return parse_rfc3339(iso);
  }
  return parse_rfc3339(text);
}

int vikunja_priority(const std::optional<std::string>& taskwarrior_priority) {
  if (taskwarrior_priority == "H") return 5;
  if (taskwarrior_priority == "M") return 3;
  if (taskwarrior_priority == "L") return 1;
  return 0;
}

std::optional<std::string> taskwarrior_priority(long long vikunja_priority) {
  if (vikunja_priority >= 4) return "H";
  if (vikunja_priority >= 2) return "M";
  if (vikunja_priority == 1) return "L";
  return std::nullopt;
}


std::vector<std::string> taskwarrior_tags(const nlohmann::json& taskwarrior_task) {
  std::vector<std::string> tags;
  const auto found = taskwarrior_task.find("tags");
  if (found == taskwarrior_task.end() || !found->is_array()) return tags;
  for (const auto& tag : *found) {
    if (tag.is_string() && !tag.get<std::string>().empty()) tags.push_back(tag.get<std::string>());
  }
  return tags;
}

std::string format_taskwarrior_date(UnixMillis time) {
  std::string iso = format_rfc3339(time);  // 2026-12-07T09:00:00Z
  std::erase(iso, '-');
  std::erase(iso, ':');
  return iso;
}

std::optional<UnixMillis> strict_vikunja_date(const nlohmann::json& task, const char* field) {
  const auto found = task.find(field);
  if (found == task.end() || found->is_null()) return std::nullopt;
  const auto time = found->is_string() ? parse_rfc3339(found->get<std::string>()) : std::nullopt;
  if (!time) {
    throw JobStopped{JobOutcome::dead(
        fmt::format("the Vikunja task has a {} that is not a date: {}", field, found->dump()))};
  }
  // Up to the end of the zero second: the record keeps whole seconds, and that one is "none".
  if (*time < *parse_rfc3339(vikunja_no_date) + 1000) return std::nullopt;
  return time;
}

std::optional<UnixMillis> taskwarrior_modified(const nlohmann::json& task) {
  auto text = optional_string(task, "modified");
  if (!text) text = optional_string(task, "entry");
  return text ? parse_taskwarrior_date(*text) : std::nullopt;
}

}  // namespace vsync
