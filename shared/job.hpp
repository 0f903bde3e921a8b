#pragma once
// The job model: what a queued job is, and the one place its enums meet their SQL spelling.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shared/clock.hpp"
#include "shared/enum_format.hpp"

namespace vsync {

enum class JobKind { push, del, webhook };
enum class JobState { pending, running, done, dead };
enum class Target { vikunja, taskwarrior };

inline constexpr JobKind all_job_kinds[] = {JobKind::push, JobKind::del, JobKind::webhook};
inline constexpr JobState all_job_states[] = {JobState::pending, JobState::running, JobState::done,
                                              JobState::dead};
inline constexpr Target all_targets[] = {Target::vikunja, Target::taskwarrior};

std::string_view to_string(JobKind kind);
std::string_view to_string(JobState state);
std::string_view to_string(Target target);

// Parse the SQL spelling back; throws Error(io) on a value the schema should have refused.
JobKind parse_job_kind(std::string_view text);
JobState parse_job_state(std::string_view text);
Target parse_target(std::string_view text);

// push and delete go to Vikunja, webhooks to Taskwarrior: the breaker a job counts on.
Target target_of(JobKind kind);

// Every target a job of this kind calls, its own first. A push reads Taskwarrior's current
// task and may write it back; a webhook reads Vikunja's current task and may write it back; a
// delete only deletes in Vikunja. A job is claimed only when none of these breakers is open.
std::vector<Target> targets_called(JobKind kind);

// A job as vikunja-enqueue hands it to the queue.
struct NewJob {
  JobKind kind;
  std::string key;      // "tw:<uuid>" or "vk:<vikunja task id>"
  std::string payload;  // the task JSON or webhook body, as received
  std::optional<UnixMillis> snapshot_at;  // the source's time of this snapshot, when known
};

std::string taskwarrior_key(std::string_view uuid);
std::string vikunja_key(long long vikunja_task_id);

}  // namespace vsync
