#pragma once
// A Taskwarrior task as a hook or `task export` prints it, checked for what the queue relies on:
// a JSON object with a valid "uuid" and a non-empty "description". Throws Error(data) otherwise.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "shared/task_status.hpp"

namespace vsync {

struct TaskSnapshot {
  std::string uuid;    // lowercase, 8-4-4-4-12 hex
  TaskStatus status = TaskStatus::pending;  // pending when the task carries none
  nlohmann::json task;
};

TaskSnapshot parse_task_snapshot(std::string_view text, std::string_view what);

bool is_uuid(std::string_view text);

}  // namespace vsync
