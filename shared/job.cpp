#include "shared/job.hpp"

#include <fmt/format.h>

#include "shared/error.hpp"

namespace vsync {

std::string_view to_string(JobKind kind) {
  switch (kind) {
    case JobKind::push: return "push";
    case JobKind::del: return "delete";
    case JobKind::webhook: return "webhook";
  }
  return "?";
}

std::string_view to_string(JobState state) {
  switch (state) {
    case JobState::pending: return "pending";
    case JobState::running: return "running";
    case JobState::done: return "done";
    case JobState::dead: return "dead";
  }
  return "?";
}

std::string_view to_string(Target target) {
  switch (target) {
    case Target::vikunja: return "vikunja";
    case Target::taskwarrior: return "taskwarrior";
  }
  return "?";
}

namespace {

template <typename Enum, std::size_t N>
Enum parse_enum(std::string_view what, std::string_view text, const Enum (&values)[N]) {
  for (Enum value : values) {
    if (to_string(value) == text) return value;
  }
  throw Error(ExitCode::io, fmt::format("unknown {} '{}' in the queue", what, text));
}

}  // namespace

JobKind parse_job_kind(std::string_view text) { return parse_enum("job kind", text, all_job_kinds); }

JobState parse_job_state(std::string_view text) { return parse_enum("job state", text, all_job_states); }

Target parse_target(std::string_view text) { return parse_enum("target", text, all_targets); }

Target target_of(JobKind kind) {
  return kind == JobKind::webhook ? Target::taskwarrior : Target::vikunja;
}

std::vector<Target> targets_called(JobKind kind) {
  switch (kind) {
    case JobKind::push: return {Target::vikunja, Target::taskwarrior};
    case JobKind::del: return {Target::vikunja};
    case JobKind::webhook: return {Target::taskwarrior, Target::vikunja};
  }
  return {target_of(kind)};
}

std::string taskwarrior_key(std::string_view uuid) { return fmt::format("tw:{}", uuid); }

std::string vikunja_key(long long vikunja_task_id) { return fmt::format("vk:{}", vikunja_task_id); }

}  // namespace vsync
