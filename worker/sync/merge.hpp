#pragma once
// The three-way merge of design.md "Convergence", a pure function: the agreed state (base) and
// each side's current fields in, the fields both sides should hold out, with the conflicts.
// A field changed on one side only takes that side's value. Tags and dependencies merge as
// sets: one added on either side is added, one removed on either side is removed. A field changed on both
// sides to different values is a conflict, decided by the rule. Without a base (two tasks
// linked for the first time) every differing field is decided by the rule, except a
// description that only one side has: that one is kept. The result always has a description:
// where one side's is not carried, it is the other side's (or the base's).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shared/enum_format.hpp"
#include "worker/sync/task_fields.hpp"

namespace vsync {

enum class Side { taskwarrior, vikunja };
std::string_view to_string(Side side);

// VIKUNJA_SYNC_CONFLICT: the newer change (Taskwarrior `modified` against Vikunja `updated`),
// or always one side.
enum class ConflictRule { newest, taskwarrior, vikunja };
std::string_view to_string(ConflictRule rule);
std::optional<ConflictRule> parse_conflict_rule(std::string_view text);

struct FieldConflict {
  Field field;
  std::string base;  // "(none)" without a base
  std::string taskwarrior;
  std::string vikunja;
  Side winner;
};

struct MergeResult {
  TaskFields fields;
  std::vector<FieldConflict> conflicts;
};

// `newer` is the side whose last change is the more recent, for ConflictRule::newest.
MergeResult merge_fields(const std::optional<TaskFields>& base, const TaskFields& taskwarrior,
                         const TaskFields& vikunja, ConflictRule rule, Side newer);

}  // namespace vsync
