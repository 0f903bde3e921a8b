#pragma once
// Taskwarrior's task statuses, parsed once where a task enters the program (a hook's snapshot,
// `task export`) and spelled once where one leaves it (`task import`).

#include <string_view>

#include <nlohmann/json.hpp>

#include "shared/enum_format.hpp"

namespace vsync {

enum class TaskStatus { pending, waiting, completed, deleted, recurring };

std::string_view to_string(TaskStatus status);

// Throws Error(data) naming `what` for a status Taskwarrior does not have.
TaskStatus parse_task_status(std::string_view text, std::string_view what);

// The task's "status" member; a task that carries none is pending (as Taskwarrior reads it).
TaskStatus status_of(const nlohmann::json& task, std::string_view what);
void set_status(nlohmann::json& task, TaskStatus status);

}  // namespace vsync
