#include "worker/sync/field_mapping.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>

#include <fmt/format.h>

#include "shared/json_document.hpp"
#include "shared/task_status.hpp"
#include "shared/timestamp.hpp"
#include "worker/queue/job_outcome.hpp"

namespace vsync {

namespace {

constexpr long long day = 86400, week = 7 * day;

[[noreturn]] void unreadable(const char* field, const std::string& value) {
  throw JobStopped{JobOutcome::dead(
      fmt::format("the Taskwarrior task has a {} that is not a date: '{}'", field, value))};
}

// Vikunja's zero time and absent dates both mean "no date".
std::optional<UnixMillis> vikunja_date(const nlohmann::json& task, const char* field) {
  const auto text = optional_string(task, field);
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
  if (const auto text = optional_string(taskwarrior_task, taskwarrior_field)) {
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
  changed |= set_if_different(vikunja_task, vikunja_done_field,
                              status_of(taskwarrior_task, "the Taskwarrior task") == TaskStatus::completed);
  changed |= apply_date(vikunja_task, "due_date", taskwarrior_task, "due");
  changed |= apply_date(vikunja_task, "start_date", taskwarrior_task, "scheduled");
  changed |= apply_date(vikunja_task, "end_date", taskwarrior_task, "until");

  const auto priority = optional_string(taskwarrior_task, "priority");
  const long long current_priority = vikunja_task.value("priority", 0LL);
  if (!vikunja_task.contains("priority") || taskwarrior_priority(current_priority) != priority) {
    vikunja_task["priority"] = vikunja_priority(priority);
    changed = true;
  }

  const auto recur = optional_string(taskwarrior_task, "recur");
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

std::string format_taskwarrior_date(UnixMillis time) {
  std::string iso = format_rfc3339(time);  // 2026-12-07T09:00:00Z
  std::erase(iso, '-');
  std::erase(iso, ':');
  return iso;
}

namespace {

[[noreturn]] void unreadable_vikunja(const char* field, const nlohmann::json& value) {
  throw JobStopped{JobOutcome::dead(
      fmt::format("the Vikunja task has a {} that is not a date: {}", field, value.dump()))};
}

// A Vikunja date read strictly: absent or zero time is "none"; anything else must parse.
std::optional<UnixMillis> strict_vikunja_date(const nlohmann::json& task, const char* field) {
  const auto found = task.find(field);
  if (found == task.end() || found->is_null()) return std::nullopt;
  if (!found->is_string() || !parse_rfc3339(found->get<std::string>())) unreadable_vikunja(field, *found);
  return vikunja_date(task, field);
}

bool set_or_erase(nlohmann::json& task, const char* field, const std::optional<std::string>& value) {
  if (!value) return task.erase(field) > 0;
  return set_if_different(task, field, *value);
}

bool apply_tw_date(nlohmann::json& taskwarrior_task, const char* taskwarrior_field,
                   const nlohmann::json& vikunja_task, const char* vikunja_field) {
  const std::optional<UnixMillis> wanted = strict_vikunja_date(vikunja_task, vikunja_field);
  const auto current = optional_string(taskwarrior_task, taskwarrior_field);
  if ((current ? parse_taskwarrior_date(*current) : std::nullopt) == wanted) return false;
  return set_or_erase(taskwarrior_task, taskwarrior_field,
                      wanted ? std::optional(format_taskwarrior_date(*wanted)) : std::nullopt);
}

bool apply_done(nlohmann::json& taskwarrior_task, const nlohmann::json& vikunja_task, UnixMillis now) {
  const TaskStatus status = status_of(taskwarrior_task, "the Taskwarrior task");
  if (status == TaskStatus::recurring) return false;  // a template has no done state of its own
  const bool done = vikunja_task.value(vikunja_done_field, false);
  if (done == (status == TaskStatus::completed)) return false;
  set_status(taskwarrior_task, done ? TaskStatus::completed : TaskStatus::pending);
  if (done) {
    taskwarrior_task["end"] = format_taskwarrior_date(strict_vikunja_date(vikunja_task, "done_at").value_or(now));
  } else {
    taskwarrior_task.erase("end");
  }
  return true;
}

bool apply_tags(nlohmann::json& taskwarrior_task, const nlohmann::json& vikunja_task) {
  std::vector<std::string> wanted;
  const auto labels = vikunja_task.find("labels");
  if (labels != vikunja_task.end() && labels->is_array()) {
    for (const auto& label : *labels) {
      const auto title = label.is_object() ? optional_string(label, "title") : std::nullopt;
      if (title && !title->empty()) wanted.push_back(*title);
    }
  }
  std::vector<std::string> current = taskwarrior_tags(taskwarrior_task);
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  std::sort(current.begin(), current.end());
  if (current == wanted) return false;
  if (wanted.empty()) {
    taskwarrior_task.erase("tags");
  } else {
    taskwarrior_task["tags"] = wanted;
  }
  return true;
}

}  // namespace

std::string vikunja_fingerprint(const nlohmann::json& vikunja_task) {
  nlohmann::json view = nlohmann::json::object();
  view["title"] = vikunja_task.value("title", nlohmann::json());
  view[vikunja_done_field] = vikunja_task.value(vikunja_done_field, false);
  for (const char* field : {"due_date", "start_date", "end_date"}) {
    const auto time = vikunja_date(vikunja_task, field);
    view[field] = time ? nlohmann::json(*time) : nlohmann::json();
  }
  const auto priority = vikunja_task.find("priority");
  const auto level = taskwarrior_priority(priority != vikunja_task.end() && priority->is_number_integer()
                                              ? priority->get<long long>() : 0);
  view["priority"] = level ? nlohmann::json(*level) : nlohmann::json();
  nlohmann::json bare = nlohmann::json::object();
  bare["labels"] = vikunja_task.value("labels", nlohmann::json());
  nlohmann::json tags = nlohmann::json::object();
  apply_tags(tags, bare);
  view["labels"] = tags.value("tags", nlohmann::json::array());
  view["project_id"] = vikunja_task.value("project_id", nlohmann::json());
  return view.dump();
}

bool apply_vikunja_fields(nlohmann::json& taskwarrior_task, const nlohmann::json& vikunja_task,
                          const std::optional<std::string>& project_title,
                          const std::string& default_project, UnixMillis now) {
  const auto title = optional_string(vikunja_task, "title");
  if (!title || title->empty()) throw JobStopped{JobOutcome::dead("the Vikunja task has no title")};
  bool changed = set_if_different(taskwarrior_task, "description", *title);
  changed |= apply_done(taskwarrior_task, vikunja_task, now);
  changed |= apply_tw_date(taskwarrior_task, "due", vikunja_task, "due_date");
  changed |= apply_tw_date(taskwarrior_task, "scheduled", vikunja_task, "start_date");
  changed |= apply_tw_date(taskwarrior_task, "until", vikunja_task, "end_date");
  const auto priority = vikunja_task.find("priority");
  changed |= set_or_erase(taskwarrior_task, "priority",
                          taskwarrior_priority(priority != vikunja_task.end() && priority->is_number_integer()
                                                   ? priority->get<long long>() : 0));
  changed |= apply_tags(taskwarrior_task, vikunja_task);
  if (project_title) {
    changed |= set_or_erase(taskwarrior_task, "project",
                            *project_title == default_project ? std::nullopt : project_title);
  }
  // The link is written along with any real change, but is no change by itself: our own pushes
  // echoing back must cost no import (task_map already holds the link).
  const auto id = vikunja_task.find("id");
  if (id != vikunja_task.end() && id->is_number_integer()) {
    taskwarrior_task["vikunja_id"] = std::to_string(id->get<long long>());
  }
  return changed;
}

}  // namespace vsync
