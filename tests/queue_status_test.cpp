// read_status and its two renderings: counts keyed by target and state, breakers, dead jobs.

#include <catch2/catch.hpp>

#include "worker/queue_status.hpp"
#include "worker_fixture.hpp"

using namespace vsync;
using namespace vsync::test;
using json = nlohmann::json;

TEST_CASE("status counts jobs by target and state and names what needs attention", "[queue_status]") {
  WorkerFixture f;
  const auto dead = f.push(1);
  const auto done = f.push(2);
  f.push(3);
  f.store.enqueue({JobKind::webhook, vikunja_key(7), R"({"event_name":"task.updated"})", std::nullopt});
  f.store.database().exec(fmt::format("UPDATE jobs SET state = 'dead', last_error = 'HTTP 400' WHERE id = {}", dead));
  f.store.database().exec(fmt::format("UPDATE jobs SET state = 'done' WHERE id = {}", done));
  f.store.database().exec(fmt::format("UPDATE breaker SET state = 'open', retry_at = {} WHERE target = 'vikunja'", test_epoch + 30'000));
  f.store.database().exec("UPDATE breaker SET reason = 'probe succeeded', last_error = 'an outage long over' "
                          "WHERE target = 'taskwarrior'");

  const QueueStatus status = read_status(f.store);
  CHECK(status.count(Target::vikunja, JobState::dead) == 1);
  CHECK(status.count(Target::vikunja, JobState::done) == 1);
  CHECK(status.count(Target::vikunja, JobState::pending) == 1);
  CHECK(status.count(Target::vikunja, JobState::running) == 0);
  CHECK(status.count(Target::taskwarrior, JobState::pending) == 1);
  CHECK(status.dead_total == 1);
  REQUIRE(status.dead.size() == 1);
  CHECK(status.dead[0].kind == JobKind::push);
  CHECK_FALSE(status.healthy());

  const json report = status_json(status, f.config(), "/q.db", f.clock.now());
  CHECK(report["version"] == 1);
  CHECK(report["breakers"][0]["target"] == "vikunja");
  CHECK(report["breakers"][0]["state"] == "open");
  CHECK(report["breakers"][0]["seconds_to_probe"] == 30);
  CHECK(report["jobs"]["vikunja"] == json{{"pending", 1}, {"running", 0}, {"done", 1}, {"dead", 1}});
  CHECK(report["jobs"]["taskwarrior"]["pending"] == 1);
  CHECK(report["dead_jobs"][0]["kind"] == "push");
  CHECK(report["dead_jobs"][0]["last_error"] == "HTTP 400");
  CHECK(report["dead_jobs"][0]["title"] == "Task 1");
  CHECK(report.dump().find(FakeVikunja::token) == std::string::npos);

  const std::string text = status_text(status, f.config(), "/q.db", f.clock.now());
  CHECK_THAT(text, Catch::Contains("health: attention needed"));
  CHECK_THAT(text, Catch::Contains("vikunja      open      failures 0, next probe in 30s"));
  CHECK_THAT(text, Catch::Contains("  vikunja      pending 1 done 1 dead 1\n"));
  CHECK_THAT(text, Catch::Contains("  taskwarrior  pending 1\n"));
  CHECK_THAT(text, Catch::Contains("taskwarrior  closed    failures 0\n"));
  CHECK(text.find("an outage long over") == std::string::npos);  // history, not attention
  CHECK_THAT(text, Catch::Contains("next due: now, held by the vikunja breaker for 30s\n"));
  CHECK_THAT(text, Catch::Contains("#1 push \"Task 1\" (tw:00000000-0000-4000-8000-000000000001) after 0 attempts: HTTP 400"));
  CHECK(text.find(FakeVikunja::token) == std::string::npos);
}

TEST_CASE("an empty queue is healthy and says so", "[queue_status]") {
  WorkerFixture f;
  const QueueStatus status = read_status(f.store);
  CHECK(status.healthy());
  CHECK(status.jobs.empty());
  const std::string text = status_text(status, f.config(), "/q.db", f.clock.now());
  CHECK_THAT(text, Catch::Contains("health: ok"));
  CHECK_THAT(text, Catch::Contains("jobs:\n  (none)\n  oldest pending: -\n  next due: -\n"));
}

TEST_CASE("a queue that holds a state the program does not know is an error naming it", "[queue_status]") {
  WorkerFixture f;
  f.push(1);
  f.store.database().exec("PRAGMA ignore_check_constraints = ON");
  f.store.database().exec("UPDATE jobs SET state = 'lost'");
  CHECK_THROWS_WITH(read_status(f.store), "unknown job state 'lost' in the queue");
}
