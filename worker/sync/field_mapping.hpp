#pragma once
// The value conversions of design.md's field mapping, one field at a time:
//   dates: Taskwarrior's 20261207T090000Z <-> Vikunja's RFC 3339 (0001-01-01T00:00:00Z = none);
//   priority: H/M/L/none <-> 5/3/1/0 (back: 4-5 -> H, 2-3 -> M, 1 -> L, 0 -> none).
// task_fields.hpp assembles them into the record the sync merges.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "shared/clock.hpp"
#include "shared/taskwarrior_attributes.hpp"

namespace vsync {

inline constexpr const char* vikunja_no_date = "0001-01-01T00:00:00Z";
// The Taskwarrior attribute (a string UDA) that holds Vikunja's description; Taskwarrior's own
// description is the title.
inline constexpr const char* taskwarrior_description_uda = vikunja_description_attribute;
// Vikunja's done flag: a boolean member of a task, which Taskwarrior spells as a status.
inline constexpr const char* vikunja_done_field = "done";

// "20261207T090000Z" (or ISO 8601 with a zone) -> Unix milliseconds.
std::optional<UnixMillis> parse_taskwarrior_date(std::string_view text);
// 20261207T090000Z
std::string format_taskwarrior_date(UnixMillis time);
// When a Taskwarrior task last changed: `modified`, or `entry` for one never modified.
std::optional<UnixMillis> taskwarrior_modified(const nlohmann::json& task);

// A Vikunja date: absent, null or zero time is none; anything else must parse, or the task is
// unreadable: throws JobStopped (dead) naming the field.
std::optional<UnixMillis> strict_vikunja_date(const nlohmann::json& task, const char* field);

int vikunja_priority(const std::optional<std::string>& taskwarrior_priority);
std::optional<std::string> taskwarrior_priority(long long vikunja_priority);

std::vector<std::string> taskwarrior_tags(const nlohmann::json& taskwarrior_task);

}  // namespace vsync
