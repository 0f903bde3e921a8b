#pragma once
// Recurrence, as each side keeps it. Taskwarrior recurs by a template (status recurring, `recur`
// a duration) that generates one task per period, each with `parent` naming the template;
// Vikunja recurs by moving one task's dates when it is marked done (repeat_after seconds, or
// repeat_mode 1: a month), keeping it open and stamping done_at. The sync links the Vikunja
// task to the series' current instance and moves the link along the series (series_sync.hpp).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "shared/clock.hpp"

namespace vsync {

// How a Vikunja task repeats: every `seconds`, or every month.
struct Repeat {
  std::int64_t seconds = 0;
  bool monthly = false;
  bool operator==(const Repeat&) const = default;
};

// Taskwarrior's `recur` (a duration as `task` reads it: weekly, 3d, 2w, 12h, P1D, monthly) as
// Vikunja can repeat it. nullopt for a period Vikunja cannot hold exactly: months other than
// one, years (their length varies), weekdays.
std::optional<Repeat> repeat_of_recur(std::string_view recur);

// The task's repeat_after / repeat_mode; nullopt when it does not repeat (or repeats from the
// date it is done, repeat_mode 2, which no Taskwarrior period is).
std::optional<Repeat> repeat_of_vikunja(const nlohmann::json& task);

// The series' template uuid of a Taskwarrior instance; nullopt for a task of no series.
std::optional<std::string> series_of(const nlohmann::json& taskwarrior);
// An instance of a series whose period Vikunja can hold: the series is one Vikunja task.
// Otherwise each instance is a task of its own.
bool in_carried_series(const nlohmann::json& taskwarrior);

// Whether Vikunja marked the repeating task done since `applied_updated` (its `updated` when the
// link last applied it): it then keeps it open with a done_at of that time.
bool repeated_in_vikunja_since(const nlohmann::json& vikunja, std::optional<UnixMillis> applied_updated);

}  // namespace vsync
