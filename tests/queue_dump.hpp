#pragma once
// A text image of a queue's rows, to assert that a failed command changed nothing.

#include <filesystem>
#include <string>

namespace vsync::test {

// Every row of jobs, breaker and task_map; "(no queue file)" when the file does not exist.
std::string dump_queue(const std::filesystem::path& db_path);

int count_jobs(const std::filesystem::path& db_path, const std::string& where = "1");

}  // namespace vsync::test
