// Taskwarrior's statuses: parsed once, spelled once.

#include "shared/task_status.hpp"

#include <catch2/catch.hpp>

#include "shared/error.hpp"

using namespace vsync;

TEST_CASE("every Taskwarrior status is parsed and spelled back the same", "[task_status]") {
  for (TaskStatus status : {TaskStatus::pending, TaskStatus::waiting, TaskStatus::completed,
                            TaskStatus::deleted, TaskStatus::recurring}) {
    CHECK(parse_task_status(to_string(status), "t") == status);
    nlohmann::json task = nlohmann::json::object();
    set_status(task, status);
    CHECK(status_of(task, "t") == status);
  }
  CHECK(status_of(nlohmann::json::object(), "t") == TaskStatus::pending);  // absent: pending
  const auto unknown = [] { return parse_task_status("Pending", "the hook's task"); };
  CHECK_THROWS_AS(unknown(), Error);
  CHECK_THROWS_WITH(unknown(), Catch::StartsWith("the hook's task has an unknown \"status\" 'Pending'"));
}
