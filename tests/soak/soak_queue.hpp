#pragma once
// The queue as the soak reads it: read-only connections opened per question, so the soak never
// holds a transaction the workers would wait on, and never checkpoints.

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace vsync::soak {

long long open_jobs(const std::filesystem::path& db);                          // pending or running
std::map<std::string, long long> jobs_by_state(const std::filesystem::path& db);
std::vector<std::string> dead_jobs(const std::filesystem::path& db);           // "job 7 push tw:…: error"
std::optional<std::string> job_state(const std::filesystem::path& db, std::int64_t id);
std::map<std::string, std::int64_t> task_links(const std::filesystem::path& db);  // tw_uuid -> vikunja_id
long long conflict_count(const std::filesystem::path& db);
// The latest retry time (Unix ms) of a breaker that is not closed.
std::optional<std::int64_t> breaker_retry_at(const std::filesystem::path& db);
// Every job of these keys, one line each, oldest first: the evidence for a wrong task.
std::vector<std::string> jobs_of_keys(const std::filesystem::path& db, const std::vector<std::string>& keys);

}  // namespace vsync::soak
