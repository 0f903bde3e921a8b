#include "shared/task_status.hpp"

#include <fmt/format.h>

#include "shared/error.hpp"
#include "shared/json_document.hpp"

namespace vsync {

std::string_view to_string(TaskStatus status) {
  switch (status) {
    case TaskStatus::pending: return "pending";
    case TaskStatus::waiting: return "waiting";
    case TaskStatus::completed: return "completed";
    case TaskStatus::deleted: return "deleted";
    case TaskStatus::recurring: return "recurring";
  }
  return "?";
}

TaskStatus parse_task_status(std::string_view text, std::string_view what) {
  for (TaskStatus status : {TaskStatus::pending, TaskStatus::waiting, TaskStatus::completed,
                            TaskStatus::deleted, TaskStatus::recurring}) {
    if (to_string(status) == text) return status;
  }
  throw Error(ExitCode::data,
              fmt::format("{} has an unknown \"status\" '{}': expected pending, waiting, completed, "
                          "deleted or recurring",
                          what, text.substr(0, 40)));
}

TaskStatus status_of(const nlohmann::json& task, std::string_view what) {
  if (!task.contains("status")) return TaskStatus::pending;
  return parse_task_status(required_string(task, "status", what), what);
}

void set_status(nlohmann::json& task, TaskStatus status) { task["status"] = to_string(status); }

}  // namespace vsync
