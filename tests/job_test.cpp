// The job model's enums and their one SQL spelling.

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "shared/error.hpp"
#include "shared/job.hpp"

using namespace vsync;

TEST_CASE("kinds, states and targets round-trip through their SQL spelling", "[job]") {
  for (JobKind kind : all_job_kinds) CHECK(parse_job_kind(to_string(kind)) == kind);
  for (JobState state : all_job_states) CHECK(parse_job_state(to_string(state)) == state);
  for (Target target : all_targets) CHECK(parse_target(to_string(target)) == target);
  CHECK(to_string(JobKind::del) == "delete");
  CHECK(fmt::format("{}/{}", JobState::dead, Target::taskwarrior) == "dead/taskwarrior");
}

TEST_CASE("push and delete go to Vikunja, webhooks to Taskwarrior", "[job]") {
  CHECK(target_of(JobKind::push) == Target::vikunja);
  CHECK(target_of(JobKind::del) == Target::vikunja);
  CHECK(target_of(JobKind::webhook) == Target::taskwarrior);
  CHECK(taskwarrior_key("abc") == "tw:abc");
  CHECK(vikunja_key(42) == "vk:42");
}

TEST_CASE("a spelling the schema should have refused is an error naming it", "[job]") {
  CHECK_THROWS_WITH(parse_job_state("Pending"), "unknown job state 'Pending' in the queue");
  CHECK_THROWS_WITH(parse_job_kind("del"), "unknown job kind 'del' in the queue");
  CHECK_THROWS_WITH(parse_target(""), "unknown target '' in the queue");
  try {
    parse_target("jira");
    FAIL("parsed an unknown target");
  } catch (const Error& e) {
    CHECK(e.exit_code() == ExitCode::io);
  }
}
