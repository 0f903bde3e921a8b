#pragma once
// The field mapping of design.md, Taskwarrior -> Vikunja:
//   description -> title; status completed/pending -> done; due/scheduled/until -> due_date/
//   start_date/end_date (absent -> 0001-01-01T00:00:00Z); priority H/M/L/none -> 5/3/1/0;
//   recur -> repeat_after seconds with repeat_mode 0. Tags and project are resolved by the
// caller (they need the API). A field whose value already means the same on both sides (a
// Vikunja priority 4 for a Taskwarrior H, a date in another offset) is left untouched, so an
// unchanged task needs no update. Throws JobStopped (dead) for a date that cannot be read.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "shared/clock.hpp"

namespace vsync {

inline constexpr const char* vikunja_no_date = "0001-01-01T00:00:00Z";
// Vikunja's done flag: a boolean member of a task, which Taskwarrior spells as a status.
inline constexpr const char* vikunja_done_field = "done";

// "20261207T090000Z" (or ISO 8601 with a zone) -> Unix milliseconds.
std::optional<UnixMillis> parse_taskwarrior_date(std::string_view text);

// H -> 5, M -> 3, L -> 1, none -> 0; and back: 4-5 -> H, 2-3 -> M, 1 -> L, 0 -> none.
int vikunja_priority(const std::optional<std::string>& taskwarrior_priority);
std::optional<std::string> taskwarrior_priority(long long vikunja_priority);

// daily, weekly, biweekly, monthly, quarterly, yearly, Ndays, Nweeks -> seconds; nullopt for a
// recurrence Vikunja cannot express (it is then left alone on the Vikunja side).
std::optional<long long> repeat_seconds(std::string_view recur);

// Sets the mapped fields of `vikunja_task` from `taskwarrior_task`; true when any changed.
bool apply_taskwarrior_fields(nlohmann::json& vikunja_task, const nlohmann::json& taskwarrior_task);

std::vector<std::string> taskwarrior_tags(const nlohmann::json& taskwarrior_task);

// The mapped fields of a Vikunja task in one canonical string: equal fingerprints mean the
// two sides agree on everything the sync carries (dates compared as instants, priority by its
// Taskwarrior level, labels by sorted title).
std::string vikunja_fingerprint(const nlohmann::json& vikunja_task);

// 20261207T090000Z
std::string format_taskwarrior_date(UnixMillis time);

// Vikunja -> Taskwarrior, the same table read backwards: title, done (completed with `end`,
// or pending again), dates (zero time removes), priority, labels -> tags, project (by title
// when `project_title` is known; the default project means none) and the vikunja_id UDA (set,
// but not counted as a change: the link alone is not worth a write).
// Recurrence stays as Taskwarrior has it: importing a `recur` would make Taskwarrior split
// the task into a template and an instance. Returns true when any field changed. Throws
// JobStopped (dead) when the Vikunja task has no title or an unreadable date.
bool apply_vikunja_fields(nlohmann::json& taskwarrior_task, const nlohmann::json& vikunja_task,
                          const std::optional<std::string>& project_title,
                          const std::string& default_project, UnixMillis now);

}  // namespace vsync
