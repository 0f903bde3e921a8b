#include "worker/sync/task_fields.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>  // fmt::join lives here since fmt 11

#include "shared/json_document.hpp"
#include "shared/task_status.hpp"
#include "shared/timestamp.hpp"
#include "worker/queue/job_outcome.hpp"
#include "worker/sync/field_mapping.hpp"
#include "worker/sync/html_text.hpp"

namespace vsync {

namespace {

std::optional<UnixMillis> to_second(std::optional<UnixMillis> time) {
  if (!time) return time;
  return *time - (((*time % 1000) + 1000) % 1000);
}


std::string describe_date(const std::optional<UnixMillis>& time) {
  return time ? format_rfc3339(*time) : "(none)";
}

std::optional<UnixMillis> taskwarrior_date(const nlohmann::json& task, const char* field) {
  const auto text = optional_string(task, field);
  if (!text) return std::nullopt;
  const auto time = parse_taskwarrior_date(*text);
  if (!time) {
    throw JobStopped{JobOutcome::dead(
        fmt::format("the Taskwarrior task has a {} that is not a date: '{}'", field, *text))};
  }
  return to_second(time);
}

Priority priority_of_level(const std::optional<std::string>& level) {
  if (level == "H") return Priority::high;
  if (level == "M") return Priority::medium;
  if (level == "L") return Priority::low;
  return Priority::none;
}

std::optional<std::string> level_of(Priority priority) {
  switch (priority) {
    case Priority::high: return "H";
    case Priority::medium: return "M";
    case Priority::low: return "L";
    case Priority::none: return std::nullopt;
  }
  return std::nullopt;
}

void set_or_erase(nlohmann::json& task, const char* field, const std::optional<std::string>& value) {
  if (value) {
    task[field] = *value;
  } else {
    task.erase(field);
  }
}

std::string project_or_none(const std::string& title, const std::string& default_project) {
  return same_project(title, default_project) ? std::string() : title;
}

nlohmann::json notes_to_json(const std::optional<std::vector<NotePair>>& notes) {
  if (!notes) return nullptr;
  nlohmann::json stored = nlohmann::json::array();
  for (const NotePair& pair : *notes) {
    stored.push_back({{"entry", pair.entry}, {"comment_id", pair.comment_id}, {"text", pair.text}});
  }
  return stored;
}

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

bool same_project(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}

std::string_view to_string(Field field) {
  switch (field) {
    case Field::title: return "title";
    case Field::done: return "done";
    case Field::due: return "due";
    case Field::scheduled: return "scheduled";
    case Field::until: return "until";
    case Field::priority: return "priority";
    case Field::tags: return "tags";
    case Field::project: return "project";
    case Field::description: return "description";
    case Field::depends: return "depends";
  }
  return "?";
}

bool same_field(Field field, const TaskFields& a, const TaskFields& b) {
  switch (field) {
    case Field::title: return a.title == b.title;
    case Field::done: return a.done == b.done;
    case Field::due: return a.due == b.due;
    case Field::scheduled: return a.scheduled == b.scheduled;
    case Field::until: return a.until == b.until;
    case Field::priority: return a.priority == b.priority;
    case Field::tags: return a.tags == b.tags;
    case Field::project: return same_project(a.project, b.project);
    case Field::description: return !a.description || !b.description || *a.description == *b.description;
    case Field::depends: return !a.depends || !b.depends || *a.depends == *b.depends;
  }
  return false;
}

bool same_fields(const TaskFields& a, const TaskFields& b) {
  for (Field field : all_fields) {
    if (!same_field(field, a, b)) return false;
  }
  return true;
}

std::string describe_field(Field field, const TaskFields& fields) {
  switch (field) {
    case Field::title: return fields.title;
    case Field::done: return fields.done ? "true" : "false";
    case Field::due: return describe_date(fields.due);
    case Field::scheduled: return describe_date(fields.scheduled);
    case Field::until: return describe_date(fields.until);
    case Field::priority: return level_of(fields.priority).value_or("(none)");
    case Field::tags: return fmt::format("{}", fmt::join(fields.tags, " "));
    case Field::project: return fields.project.empty() ? "(default)" : fields.project;
    case Field::description: return fields.description.value_or("(too large to carry)");
    case Field::depends: return fields.depends ? fmt::format("{}", fmt::join(*fields.depends, " ")) : "(not read)";
  }
  return "?";
}

nlohmann::json to_json(const TaskFields& fields) {
  const auto time = [](const std::optional<UnixMillis>& t) { return t ? nlohmann::json(*t) : nlohmann::json(); };
  return {{"title", fields.title},
          {"done", fields.done},
          {"due", time(fields.due)},
          {"scheduled", time(fields.scheduled)},
          {"until", time(fields.until)},
          {"priority", static_cast<int>(fields.priority)},
          {"tags", fields.tags},
          {"project", fields.project},
          {"description", fields.description.value_or("")},
          {"depends", fields.depends.value_or(std::set<std::string>())},
          {"notes", notes_to_json(fields.notes)}};
}

std::optional<TaskFields> fields_from_json(std::string_view text) {
  const auto stored = nlohmann::json::parse(text, nullptr, false);
  if (!stored.is_object()) return std::nullopt;
  try {
    const auto time = [&](const char* key) -> std::optional<UnixMillis> {
      return stored.at(key).is_null() ? std::nullopt : std::optional(stored.at(key).get<UnixMillis>());
    };
    TaskFields fields;
    fields.title = stored.at("title").get<std::string>();
    fields.done = stored.at("done").get<bool>();
    fields.due = time("due");
    fields.scheduled = time("scheduled");
    fields.until = time("until");
    const int priority = stored.at("priority").get<int>();
    if (priority < 0 || priority > static_cast<int>(Priority::high)) return std::nullopt;
    fields.priority = static_cast<Priority>(priority);
    fields.tags = stored.at("tags").get<std::set<std::string>>();
    fields.project = stored.at("project").get<std::string>();
    // Agreed before descriptions were carried: as if both had none, so each side's own crosses.
    const auto description = stored.find("description");
    if (description != stored.end() && !description->is_null()) fields.description = description->get<std::string>();
    const auto depends = stored.find("depends");
    fields.depends = depends != stored.end() && !depends->is_null() ? depends->get<std::set<std::string>>()
                                                                    : std::set<std::string>();
    const auto notes = stored.find("notes");
    if (notes != stored.end() && !notes->is_null()) {
      fields.notes.emplace();
      for (const auto& pair : *notes) {
        fields.notes->push_back({pair.at("entry").get<std::string>(), pair.at("comment_id").get<std::int64_t>(),
                                 pair.at("text").get<std::string>()});
      }
    }
    return fields;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

TaskFields read_taskwarrior(const nlohmann::json& task, const std::string& default_project) {
  TaskFields fields;
  fields.title = string_or(task, "description");
  fields.done = status_of(task, "the Taskwarrior task") == TaskStatus::completed;
  fields.due = taskwarrior_date(task, "due");
  fields.scheduled = taskwarrior_date(task, "scheduled");
  fields.until = taskwarrior_date(task, "until");
  fields.priority = priority_of_level(optional_string(task, "priority"));
  for (const std::string& tag : taskwarrior_tags(task)) fields.tags.insert(tag);
  fields.project = project_or_none(string_or(task, "project"), default_project);
  const std::string description = string_or(task, taskwarrior_description_uda);
  fields.description = carried_text(description);
  return fields;
}

TaskFields read_vikunja(const nlohmann::json& task, const std::string& project_title,
                        const std::string& default_project) {
  TaskFields fields;
  const auto title = optional_string(task, "title");
  if (!title || title->empty()) throw JobStopped{JobOutcome::dead("the Vikunja task has no title")};
  fields.title = *title;
  fields.done = task.value(vikunja_done_field, false);
  fields.due = to_second(strict_vikunja_date(task, "due_date"));
  fields.scheduled = to_second(strict_vikunja_date(task, "start_date"));
  fields.until = to_second(strict_vikunja_date(task, "end_date"));
  const auto priority = task.find("priority");
  fields.priority = priority_of_level(taskwarrior_priority(
      priority != task.end() && priority->is_number_integer() ? priority->get<long long>() : 0));
  const auto labels = task.find("labels");
  if (labels != task.end() && labels->is_array()) {
    for (const auto& label : *labels) {
      const auto label_title = label.is_object() ? optional_string(label, "title") : std::nullopt;
      if (label_title && !label_title->empty()) fields.tags.insert(*label_title);
    }
  }
  fields.project = project_or_none(project_title, default_project);
  fields.description = text_of_html(string_or(task, "description"));
  return fields;
}

void write_taskwarrior(nlohmann::json& task, const TaskFields& fields,
                       std::optional<UnixMillis> done_at, UnixMillis now) {
  task["description"] = fields.title;
  const TaskStatus status = status_of(task, "the Taskwarrior task");
  if (status != TaskStatus::recurring && fields.done != (status == TaskStatus::completed)) {
    set_status(task, fields.done ? TaskStatus::completed : TaskStatus::pending);
    if (fields.done) {
      task["end"] = format_taskwarrior_date(done_at.value_or(now));
    } else {
      task.erase("end");
    }
  }
  const auto date = [](const std::optional<UnixMillis>& time) {
    return time ? std::optional(format_taskwarrior_date(*time)) : std::nullopt;
  };
  set_or_erase(task, "due", date(fields.due));
  set_or_erase(task, "scheduled", date(fields.scheduled));
  set_or_erase(task, "until", date(fields.until));
  set_or_erase(task, "priority", level_of(fields.priority));
  if (fields.tags.empty()) {
    task.erase("tags");
  } else {
    task["tags"] = fields.tags;
  }
  set_or_erase(task, "project", fields.project.empty() ? std::nullopt : std::optional(fields.project));
  // One too large to carry stays as it is.
  if (fields.description && !why_text_not_carried(string_or(task, taskwarrior_description_uda))) {
    set_or_erase(task, taskwarrior_description_uda,
                 fields.description->empty() ? std::nullopt : std::optional(*fields.description));
  }
}

void write_vikunja(nlohmann::json& task, const TaskFields& fields) {
  task["title"] = fields.title;
  task[vikunja_done_field] = fields.done;
  const auto date = [](const std::optional<UnixMillis>& time) {
    return time ? format_rfc3339(*time) : std::string(vikunja_no_date);
  };
  task["due_date"] = date(fields.due);
  task["start_date"] = date(fields.scheduled);
  task["end_date"] = date(fields.until);
  const auto current = task.find("priority");
  const long long current_number = current != task.end() && current->is_number_integer() ? current->get<long long>() : 0;
  if (priority_of_level(taskwarrior_priority(current_number)) != fields.priority) {
    task["priority"] = vikunja_priority(level_of(fields.priority));
  }
  // Compared as text: Vikunja's HTML stays as its editor wrote it unless the text changed. One
  // too large to carry stays as it is.
  const auto current_description = text_of_html(string_or(task, "description"));
  if (fields.description && current_description && current_description != fields.description) {
    task["description"] = html_of_text(*fields.description);
  }
}

}  // namespace vsync
