#pragma once
// The mapped fields of a task as one typed record (design.md "Convergence"): what the sync
// carries between the two sides, read from and written to each side here and nowhere else.
// The agreed state of a linked pair is one such record; the merge works on three of them.
//
// Equal records mean the two sides agree: dates are compared as instants to the second,
// priorities by level (a Vikunja 4 and 5 are both high), tags and dependencies as sets,
// descriptions as text (a description not carried, or dependencies not read, agree with any).
//
// Recurrence is not part of the record: a series' period is carried when its Vikunja task is
// made, and the link follows the series (series_sync.hpp).

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "shared/clock.hpp"
#include "shared/enum_format.hpp"

namespace vsync {

enum class Priority { none, low, medium, high };

enum class Field { title, done, due, scheduled, until, priority, tags, project, description, depends };
inline constexpr Field all_fields[] = {Field::title, Field::done,    Field::due,         Field::scheduled,
                                       Field::until, Field::priority, Field::tags,       Field::project,
                                       Field::description, Field::depends};
std::string_view to_string(Field field);

// An annotation and the comment it is carried as (annotation_comments.hpp), in an agreed state.
struct NotePair {
  std::string entry;  // the annotation's entry, as Taskwarrior writes it (20261203T101500Z)
  std::int64_t comment_id = 0;
  std::string text;
  bool operator==(const NotePair&) const = default;
};

struct TaskFields {
  std::string title;
  bool done = false;
  std::optional<UnixMillis> due, scheduled, until;
  Priority priority = Priority::none;
  std::set<std::string> tags;
  std::string project;  // the project's title; empty for the default project (same_project)
  // Vikunja's description as plain text (html_text.hpp), Taskwarrior's vikunja_description.
  // nullopt when a side's is not carried (too large): the sync leaves that side's alone. An
  // agreed state always holds a text (merge_fields).
  std::optional<std::string> description = std::string();
  // The linked tasks this one waits for, by Taskwarrior uuid (dependencies.hpp). nullopt where it
  // was not read (the link map is needed): it then agrees with any. An agreed state always
  // holds a set.
  std::optional<std::set<std::string>> depends;
  // Only in an agreed state: the annotations paired with comments, by entry. Merged apart from
  // the fields above (merge_notes), and not compared by same_fields. nullopt in a state agreed
  // before notes were carried.
  std::optional<std::vector<NotePair>> notes;
};

// Project titles as a person reads them: "inbox" is Vikunja's "Inbox". Letters are compared
// without case (ASCII only: other bytes must match exactly).
bool same_project(std::string_view a, std::string_view b);

bool same_field(Field field, const TaskFields& a, const TaskFields& b);
bool same_fields(const TaskFields& a, const TaskFields& b);  // every field
std::string describe_field(Field field, const TaskFields& fields);  // for conflicts and logs

// The agreed state as stored in task_map.agreed (a description not carried is stored as none).
nlohmann::json to_json(const TaskFields& fields);
// nullopt for a stored value that is not a record of this shape (it is then no base at all).
std::optional<TaskFields> fields_from_json(std::string_view text);

// A Taskwarrior task (hook snapshot or `task export`). `default_project` reads as no project.
// Throws JobStopped (dead) for a date that cannot be read.
TaskFields read_taskwarrior(const nlohmann::json& task, const std::string& default_project);

// A Vikunja task, with the title of its project. Throws JobStopped (dead) for a task without a
// title or with a date that cannot be read.
TaskFields read_vikunja(const nlohmann::json& task, const std::string& project_title,
                        const std::string& default_project);

// Writes `fields` onto a Taskwarrior task for `task import`, which replaces the whole task, so
// the task should be the one exported. Completion sets `end` (to `done_at` when known, else
// now). An empty project removes it.
void write_taskwarrior(nlohmann::json& task, const TaskFields& fields,
                       std::optional<UnixMillis> done_at, UnixMillis now);

// Writes `fields` onto a Vikunja task for POST (a full replace, so the task should be the one
// read). Project and labels are the caller's: they need ids.
void write_vikunja(nlohmann::json& task, const TaskFields& fields);

}  // namespace vsync
