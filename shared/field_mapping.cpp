#include "field_mapping.hpp"

#include <charconv>
#include <cstdlib>

#include <fmt/format.h>

#include "job_outcome.hpp"
#include "timestamp.hpp"

namespace vsync {

namespace {

constexpr long long day = 86400, week = 7 * day;

std::optional<std::string> string_field(const nlohmann::json& object, const char* name) {
  const auto found = object.find(name);
  if (found == object.end() || !found->is_string()) return std::nullopt;
  return found->get<std::string>();
}

[[noreturn]] void unreadable(const char* field, const std::string& value) {
  throw JobStopped{JobOutcome::dead(
      fmt::format("the Taskwarrior task has a {} that is not a date: '{}'", field, value))};
}

// Vikunja's zero time and absent dates both mean "no date".
std::optional<UnixMillis> vikunja_date(const nlohmann::json& task, const char* field) {
  const auto text = string_field(task, field);
  if (!text) return std::nullopt;
  const auto time = parse_rfc3339(*text);
  if (!time || *time <= *parse_rfc3339(vikunja_no_date)) return std::nullopt;
  return time;
}

bool set_if_different(nlohmann::json& task, const char* field, const nlohmann::json& value) {
  if (task.contains(field) && task[field] == value) return false;
  task[field] = value;
  return true;
}

bool apply_date(nlohmann::json& vikunja_task, const char* vikunja_field,
                const nlohmann::json& taskwarrior_task, const char* taskwarrior_field) {
  std::optional<UnixMillis> wanted;
  if (const auto text = string_field(taskwarrior_task, taskwarrior_field)) {
    wanted = parse_taskwarrior_date(*text);
    if (!wanted) unreadable(taskwarrior_field, *text);
  }
  if (vikunja_task.contains(vikunja_field) && vikunja_date(vikunja_task, vikunja_field) == wanted) {
    return false;
  }
  vikunja_task[vikunja_field] = wanted ? format_rfc3339(*wanted) : vikunja_no_date;
  return true;
}

long long count_prefix(std::string_view text, std::string_view unit) {
  if (!text.ends_with(unit)) return 0;
  long long count = 0;
  const auto digits = text.substr(0, text.size() - unit.size());
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), count);
  return error == std::errc{} && end == digits.data() + digits.size() && count > 0 ? count : 0;
}

}  // namespace

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

std::optional<long long> repeat_seconds(std::string_view recur) {
  if (recur == "daily") return day;
  if (recur == "weekly") return week;
  if (recur == "biweekly") return 2 * week;
  if (recur == "monthly") return 30 * day;
  if (recur == "quarterly") return 90 * day;
  if (recur == "yearly") return 365 * day;
  if (const long long days = count_prefix(recur, "days")) return days * day;
  if (const long long weeks = count_prefix(recur, "weeks")) return weeks * week;
  return std::nullopt;
}

bool apply_taskwarrior_fields(nlohmann::json& vikunja_task, const nlohmann::json& taskwarrior_task) {
  bool changed = false;
  changed |= set_if_different(vikunja_task, "title", taskwarrior_task.value("description", ""));
  changed |= set_if_different(vikunja_task, "done",
                              string_field(taskwarrior_task, "status") == "completed");
  changed |= apply_date(vikunja_task, "due_date", taskwarrior_task, "due");
  changed |= apply_date(vikunja_task, "start_date", taskwarrior_task, "scheduled");
  changed |= apply_date(vikunja_task, "end_date", taskwarrior_task, "until");

  const auto priority = string_field(taskwarrior_task, "priority");
  const long long current_priority = vikunja_task.value("priority", 0LL);
  if (!vikunja_task.contains("priority") || taskwarrior_priority(current_priority) != priority) {
    vikunja_task["priority"] = vikunja_priority(priority);
    changed = true;
  }

  const auto recur = string_field(taskwarrior_task, "recur");
  const std::optional<long long> wanted_repeat = recur ? repeat_seconds(*recur) : 0LL;
  if (wanted_repeat) {
    const long long current = vikunja_task.value("repeat_after", 0LL);
    // 30-day months and 365-day years: within a day either way counts as the same.
    const bool same = current == *wanted_repeat ||
                      (*wanted_repeat >= 30 * day && std::llabs(current - *wanted_repeat) <= day);
    if (!same || !vikunja_task.contains("repeat_after")) {
      vikunja_task["repeat_after"] = *wanted_repeat;
      vikunja_task["repeat_mode"] = 0;
      changed = true;
    }
  }
  return changed;
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

}  // namespace vsync
