#include "worker/sync/merge.hpp"

#include <algorithm>
#include <iterator>

namespace vsync {

namespace {

// Copies one field from `from` into `into`.
void take(Field field, TaskFields& into, const TaskFields& from) {
  switch (field) {
    case Field::title: into.title = from.title; break;
    case Field::done: into.done = from.done; break;
    case Field::due: into.due = from.due; break;
    case Field::scheduled: into.scheduled = from.scheduled; break;
    case Field::until: into.until = from.until; break;
    case Field::priority: into.priority = from.priority; break;
    case Field::tags: into.tags = from.tags; break;
    case Field::project: into.project = from.project; break;
    case Field::description: into.description = from.description; break;
    case Field::depends: into.depends = from.depends; break;
  }
}

// A member added on either side is added; one of the base that either side no longer has was
// removed there.
std::set<std::string> merge_sets(const std::set<std::string>* base, const std::set<std::string>& taskwarrior,
                                 const std::set<std::string>& vikunja) {
  std::set<std::string> merged;
  std::set_union(taskwarrior.begin(), taskwarrior.end(), vikunja.begin(), vikunja.end(),
                 std::inserter(merged, merged.end()));
  if (!base) return merged;
  for (const std::string& member : *base) {
    if (!taskwarrior.contains(member) || !vikunja.contains(member)) merged.erase(member);
  }
  return merged;
}

Side winner_by(ConflictRule rule, Side newer) {
  switch (rule) {
    case ConflictRule::taskwarrior: return Side::taskwarrior;
    case ConflictRule::vikunja: return Side::vikunja;
    case ConflictRule::newest: return newer;
  }
  return newer;
}

}  // namespace

std::string_view to_string(Side side) { return side == Side::taskwarrior ? "taskwarrior" : "vikunja"; }

std::string_view to_string(ConflictRule rule) {
  switch (rule) {
    case ConflictRule::newest: return "newest";
    case ConflictRule::taskwarrior: return "taskwarrior";
    case ConflictRule::vikunja: return "vikunja";
  }
  return "?";
}

std::optional<ConflictRule> parse_conflict_rule(std::string_view text) {
  for (ConflictRule rule : {ConflictRule::newest, ConflictRule::taskwarrior, ConflictRule::vikunja}) {
    if (to_string(rule) == text) return rule;
  }
  return std::nullopt;
}

MergeResult merge_fields(const std::optional<TaskFields>& base, const TaskFields& taskwarrior,
                         const TaskFields& vikunja, ConflictRule rule, Side newer) {
  MergeResult result{taskwarrior, {}};
  for (Field field : all_fields) {
    if (field == Field::tags) {
      result.fields.tags = merge_sets(base ? &base->tags : nullptr, taskwarrior.tags, vikunja.tags);
      continue;
    }
    if (field == Field::depends) {
      if (taskwarrior.depends && vikunja.depends) {
        const std::set<std::string>* agreed = base && base->depends ? &*base->depends : nullptr;
        result.fields.depends = merge_sets(agreed, *taskwarrior.depends, *vikunja.depends);
      }
      continue;
    }
    if (same_field(field, taskwarrior, vikunja)) continue;
    if (!base && field == Field::description && (taskwarrior.description->empty() || vikunja.description->empty())) {
      // Two tasks linked for the first time: a description on one side only is not in conflict
      // with none.
      if (taskwarrior.description->empty()) take(field, result.fields, vikunja);
      continue;
    }
    const bool taskwarrior_changed = !base || !same_field(field, *base, taskwarrior);
    const bool vikunja_changed = !base || !same_field(field, *base, vikunja);
    if (taskwarrior_changed && !vikunja_changed) continue;  // Taskwarrior's value is in place
    if (vikunja_changed && !taskwarrior_changed) {
      take(field, result.fields, vikunja);
      continue;
    }
    const Side winner = winner_by(rule, newer);
    if (winner == Side::vikunja) take(field, result.fields, vikunja);
    result.conflicts.push_back({field, base ? describe_field(field, *base) : "(none)",
                                describe_field(field, taskwarrior), describe_field(field, vikunja), winner});
  }
  // A side whose description is not carried agrees with any: the agreed text is the other
  // side's, so that a later change on either side is seen as one.
  if (!result.fields.description) {
    result.fields.description = vikunja.description ? vikunja.description
                                : base && base->description ? base->description
                                                            : std::string();
  }
  if (!result.fields.depends) {
    result.fields.depends = taskwarrior.depends ? taskwarrior.depends
                            : vikunja.depends   ? vikunja.depends
                            : base && base->depends ? base->depends
                                                    : std::set<std::string>();
  }
  return result;
}

}  // namespace vsync
