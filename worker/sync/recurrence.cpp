#include "worker/sync/recurrence.hpp"

#include <charconv>
#include <map>

#include "worker/sync/vikunja_tasks.hpp"

namespace vsync {

namespace {

constexpr std::int64_t minute = 60, hour = 60 * minute, day = 24 * hour, week = 7 * day;

// Taskwarrior's named periods (its Duration table) that Vikunja can hold.
const std::map<std::string_view, Repeat, std::less<>> named_periods{
    {"daily", {day, false}},         {"day", {day, false}},       {"weekly", {week, false}},
    {"week", {week, false}},         {"biweekly", {2 * week, false}}, {"fortnight", {2 * week, false}},
    {"monthly", {0, true}},          {"month", {0, true}},        {"hourly", {hour, false}},
};

// Units after a number (3d, 2 weeks, 12h): seconds per unit; months are handled apart.
const std::map<std::string_view, std::int64_t, std::less<>> units{
    {"s", 1},        {"sec", 1},       {"secs", 1},      {"second", 1},    {"seconds", 1},
    {"min", minute}, {"mins", minute}, {"minute", minute}, {"minutes", minute},
    {"h", hour},     {"hr", hour},     {"hrs", hour},    {"hour", hour},   {"hours", hour},
    {"d", day},      {"day", day},     {"days", day},
    {"w", week},     {"wk", week},     {"wks", week},    {"week", week},   {"weeks", week},
};
const std::string_view month_units[] = {"mo", "mth", "mths", "mon", "mons", "month", "months"};

std::optional<Repeat> repeat_of_count(std::int64_t count, std::string_view unit) {
  if (count <= 0) return std::nullopt;
  for (const std::string_view month : month_units) {
    if (unit == month) return count == 1 ? std::optional(Repeat{0, true}) : std::nullopt;
  }
  const auto seconds = units.find(unit);
  if (seconds == units.end()) return std::nullopt;
  return Repeat{count * seconds->second, false};
}

// ISO 8601 durations of days, weeks and time (P1D, P2W, PT12H, P1DT6H); P1M is a month.
std::optional<Repeat> repeat_of_iso(std::string_view text) {
  if (text == "P1M") return Repeat{0, true};
  std::int64_t seconds = 0;
  bool in_time = false;
  std::size_t at = 1;
  while (at < text.size()) {
    if (text[at] == 'T') {
      in_time = true;
      ++at;
      continue;
    }
    std::int64_t count = 0;
    const auto [end, error] = std::from_chars(text.data() + at, text.data() + text.size(), count);
    if (error != std::errc() || end == text.data() + text.size()) return std::nullopt;
    at = static_cast<std::size_t>(end - text.data());
    const char designator = text[at++];
    if (!in_time && designator == 'D') seconds += count * day;
    else if (!in_time && designator == 'W') seconds += count * week;
    else if (in_time && designator == 'H') seconds += count * hour;
    else if (in_time && designator == 'M') seconds += count * minute;
    else if (in_time && designator == 'S') seconds += count;
    else return std::nullopt;  // years and months vary in length
  }
  if (seconds <= 0) return std::nullopt;
  return Repeat{seconds, false};
}

}  // namespace

std::optional<Repeat> repeat_of_recur(std::string_view recur) {
  if (const auto named = named_periods.find(recur); named != named_periods.end()) return named->second;
  if (recur.size() > 1 && recur.front() == 'P') return repeat_of_iso(recur);
  std::int64_t count = 1;
  const auto [end, error] = std::from_chars(recur.data(), recur.data() + recur.size(), count);
  if (error == std::errc::result_out_of_range) return std::nullopt;
  std::string_view unit = recur.substr(static_cast<std::size_t>(end - recur.data()));
  if (error != std::errc()) count = 1;  // a unit alone: one of it
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  if (count > 1'000'000) return std::nullopt;
  return repeat_of_count(count, unit);
}

std::optional<Repeat> repeat_of_vikunja(const nlohmann::json& task) {
  const auto mode = task.value("repeat_mode", 0);
  if (mode == 1) return Repeat{0, true};
  const auto seconds = task.value("repeat_after", std::int64_t{0});
  if (mode != 0 || seconds <= 0) return std::nullopt;
  return Repeat{seconds, false};
}

std::optional<std::string> series_of(const nlohmann::json& taskwarrior) {
  const auto parent = taskwarrior.find("parent");
  if (parent == taskwarrior.end() || !parent->is_string()) return std::nullopt;
  return parent->get<std::string>();
}

bool in_carried_series(const nlohmann::json& taskwarrior) {
  const auto recur = taskwarrior.find("recur");
  return series_of(taskwarrior) && recur != taskwarrior.end() && recur->is_string() &&
         repeat_of_recur(recur->get<std::string>()).has_value();
}

bool repeated_in_vikunja_since(const nlohmann::json& vikunja, std::optional<UnixMillis> applied_updated) {
  if (vikunja.value("done", false) || !repeat_of_vikunja(vikunja)) return false;
  const auto done_at = done_at_of(vikunja);
  return done_at && (!applied_updated || *done_at > *applied_updated);
}

}  // namespace vsync
