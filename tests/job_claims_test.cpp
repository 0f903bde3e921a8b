// JobClaims: leases, per-key order, the breaker's admission across connections, and next_wake,
// on a real queue file with a FakeClock. Claims are made directly; no job is run.

#include <catch2/catch.hpp>

#include "queue_dump.hpp"
#include "worker/sync/task_map.hpp"
#include "worker_fixture.hpp"

using namespace vsync;
using namespace vsync::test;

TEST_CASE("in half-open exactly one probe goes out across two connections", "[claims][breaker]") {
  WorkerFixture f;
  f.push(1);
  f.push(2);
  f.store.database().exec(
      fmt::format("UPDATE breaker SET state = 'open', retry_at = {}, recovery_ms = 60000 WHERE target = 'vikunja'", test_epoch));
  QueueStore other_connection(f.dir / "queue.db", f.clock);
  auto a = f.claims(f.store, "worker-a");
  auto b = f.claims(other_connection, "worker-b");
  const auto probe = a.claim_next();
  REQUIRE(probe);
  CHECK(probe->probe);
  CHECK(f.breaker_column("vikunja", "state") == "half_open");
  CHECK_FALSE(b.claim_next());  // the other process waits for the probe
  CHECK_FALSE(a.claim_next());  // and so does a second claim of the same one

  SECTION("probe succeeds: closed, everyone drains") {
    a.finish(*probe, JobOutcome::done());
    CHECK(f.breaker_column("vikunja", "state") == "closed");
    CHECK(b.claim_next());
  }
  SECTION("probe fails: open again") {
    a.finish(*probe, JobOutcome::retry("boom", true));
    CHECK(f.breaker_column("vikunja", "state") == "open");
    CHECK(f.job_column(probe->id, "attempts") == "0");  // paused target: no attempt spent
    CHECK_FALSE(b.claim_next());
  }
  SECTION("a probe whose worker died is taken over after its lease") {
    f.clock.advance(f.config().lease());
    const auto second = b.claim_next();
    REQUIRE(second);
    CHECK(second->probe);
  }
}

TEST_CASE("a job whose worker died is claimed again after its lease and counts the attempt",
          "[claims]") {
  WorkerFixture f;
  const auto job = f.push(1);
  QueueStore other_connection(f.dir / "queue.db", f.clock);
  auto dead_worker = f.claims(f.store, "worker-a");
  auto survivor = f.claims(other_connection, "worker-b");
  const auto first = dead_worker.claim_next();
  REQUIRE(first);
  CHECK_FALSE(survivor.claim_next());  // leased
  f.clock.advance(f.config().lease() - 1);
  CHECK_FALSE(survivor.claim_next());
  f.clock.advance(1);
  const auto second = survivor.claim_next();
  REQUIRE(second);
  CHECK(second->id == job);
  CHECK(second->attempts == 2);
  survivor.finish(*second, JobOutcome::done());
  // The first worker wakes up late: its outcome must not undo the survivor's, on the job or
  // on the breaker.
  dead_worker.finish(*first, JobOutcome::retry("late", true));
  CHECK(f.job_column(job, "state") == "done");
  CHECK(f.breaker_column("vikunja", "consecutive_failures") == "0");
  CHECK(f.logged("event=\"lease lost\""));
}

TEST_CASE("a job that keeps killing its workers ends dead after max attempts", "[claims]") {
  WorkerFixture f;
  f.env["VIKUNJA_SYNC_MAX_ATTEMPTS"] = std::string("3");  // from a char* trips GCC 12 bug 105329 (-Wrestrict)
  const auto job = f.push(1);
  auto claims = f.claims(f.store, "worker-a");
  for (int i = 0; i < 3; ++i) {
    REQUIRE(claims.claim_next());
    f.clock.advance(f.config().lease());
  }
  CHECK_FALSE(claims.claim_next());
  CHECK(f.job_column(job, "state") == "dead");
  CHECK(f.job_column(job, "last_error") == "its worker stopped before finishing it 3 times");
}

TEST_CASE("a key's next job waits while one of its jobs runs", "[claims]") {
  WorkerFixture f;
  auto task = WorkerFixture::tw_task(1, "v1");
  f.enqueue(JobKind::push, task);
  const auto other = f.push(2);
  QueueStore other_connection(f.dir / "queue.db", f.clock);
  auto a = f.claims(f.store, "worker-a");
  auto b = f.claims(other_connection, "worker-b");
  const auto running = a.claim_next();
  REQUIRE(running);
  task["description"] = "v2";
  const auto newer = f.enqueue(JobKind::push, task);
  CHECK(newer != running->id);
  const auto claimed = b.claim_next();
  REQUIRE(claimed);
  CHECK(claimed->id == other);  // not the waiting v2
  CHECK_FALSE(b.claim_next());
  a.finish(*running, JobOutcome::done());
  const auto next = b.claim_next();
  REQUIRE(next);
  CHECK(next->id == newer);
}

TEST_CASE("a retry whose key got a newer snapshot meanwhile gives way to it", "[claims]") {
  WorkerFixture f;
  auto task = WorkerFixture::tw_task(1, "v1");
  const auto first = f.enqueue(JobKind::push, task);
  auto a = f.claims(f.store, "worker-a");
  const auto running = a.claim_next();
  task["description"] = "v2";
  const auto newer = f.enqueue(JobKind::push, task);
  a.finish(*running, JobOutcome::retry("HTTP 500", true));
  CHECK(f.job_column(first, "state") == "done");
  CHECK(f.job_column(first, "last_error") == fmt::format("superseded by job {} after: HTTP 500", newer));
  CHECK(f.job_column(newer, "state") == "pending");
}

TEST_CASE("an expired lease goes before a newer pending job of the same key", "[claims]") {
  WorkerFixture f;
  auto task = WorkerFixture::tw_task(1, "v1");
  const auto first = f.enqueue(JobKind::push, task);
  auto dead_worker = f.claims(f.store, "worker-a");
  REQUIRE(dead_worker.claim_next());
  task["description"] = "v2";
  const auto newer = f.enqueue(JobKind::push, task);
  QueueStore other_connection(f.dir / "queue.db", f.clock);
  auto survivor = f.claims(other_connection, "worker-b");
  CHECK_FALSE(survivor.claim_next());  // v2 waits while v1 is leased
  f.clock.advance(f.config().lease());
  const auto retaken = survivor.claim_next();
  REQUIRE(retaken);
  CHECK(retaken->id == first);  // the older snapshot first, so v2 lands last
  CHECK(retaken->attempts == 2);
  CHECK_FALSE(survivor.claim_next());  // v2 still waits for v1
  survivor.finish(*retaken, JobOutcome::done());
  const auto next = survivor.claim_next();
  REQUIRE(next);
  CHECK(next->id == newer);
}

TEST_CASE("a job waits for every breaker its calls go through, and only for those", "[claims][breaker]") {
  WorkerFixture f;
  const auto push = f.push(1);
  const auto removal = f.enqueue(JobKind::del, WorkerFixture::tw_task(2, "gone"));
  const auto webhook = f.store.enqueue({JobKind::webhook, vikunja_key(7), R"({"event_name":"task.updated"})",
                                        std::nullopt}).job_id;
  auto claims = f.claims(f.store, "worker-a", {Target::vikunja, Target::taskwarrior});

  SECTION("Taskwarrior's breaker open: a delete (Vikunja only) still flows; pushes and webhooks wait") {
    f.store.database().exec(fmt::format(
        "UPDATE breaker SET state = 'open', retry_at = {} WHERE target = 'taskwarrior'", test_epoch + 60'000));
    const auto claimed = claims.claim_next();  // the push is older, but waits
    REQUIRE(claimed);
    CHECK(claimed->id == removal);
    claims.finish(*claimed, JobOutcome::done());
    CHECK_FALSE(claims.claim_next());
    CHECK(f.job_column(push, "attempts") == "0");
    CHECK(f.job_column(webhook, "attempts") == "0");
    CHECK(claims.next_wake() == test_epoch + 60'000);
  }
  SECTION("Vikunja's breaker open: webhooks wait too, since they read the task back from Vikunja") {
    f.store.database().exec(fmt::format(
        "UPDATE breaker SET state = 'open', retry_at = {} WHERE target = 'vikunja'", test_epoch + 60'000));
    CHECK_FALSE(claims.claim_next());
    CHECK(claims.next_wake() == test_epoch + 60'000);
    f.clock.advance(60'000);
    const auto probe = claims.claim_next();  // one job probes Vikunja for everyone
    REQUIRE(probe);
    CHECK(probe->probe);
    CHECK(f.breaker_column("vikunja", "state") == "half_open");
    CHECK_FALSE(claims.claim_next());
  }
  SECTION("a Vikunja failure inside a webhook job counts on Vikunja's breaker, not Taskwarrior's") {
    f.store.database().exec(fmt::format("UPDATE jobs SET due_at = {} WHERE id IN ({}, {})", test_epoch + 1, push, removal));
    const auto claimed = claims.claim_next();
    REQUIRE(claimed);
    REQUIRE(claimed->id == webhook);
    claims.finish(*claimed, JobOutcome::retry("GET /api/v1/tasks/7: HTTP 503", true).on(Target::vikunja));
    CHECK(f.breaker_column("vikunja", "consecutive_failures") == "1");
    CHECK(f.breaker_column("taskwarrior", "consecutive_failures") == "0");
  }
}

TEST_CASE("next_wake: the earliest time a claim could find work", "[claims][next_wake]") {
  WorkerFixture f;
  auto claims = f.claims(f.store, "worker-a", {Target::vikunja});
  const auto set_due = [&](std::int64_t id, UnixMillis due) {
    f.store.database().exec(fmt::format("UPDATE jobs SET due_at = {} WHERE id = {}", due, id));
  };

  SECTION("an empty queue: no wake at all") { CHECK_FALSE(claims.next_wake()); }
  SECTION("only done and dead jobs: no wake") {
    const auto done = f.push(1);
    const auto dead = f.push(2);
    f.store.database().exec(fmt::format("UPDATE jobs SET state = 'done' WHERE id = {}", done));
    f.store.database().exec(fmt::format("UPDATE jobs SET state = 'dead' WHERE id = {}", dead));
    CHECK_FALSE(claims.next_wake());
  }
  SECTION("a pending job due later: its due time") {
    set_due(f.push(1), test_epoch + 5'000);
    set_due(f.push(2), test_epoch + 9'000);
    CHECK(claims.next_wake() == test_epoch + 5'000);
  }
  SECTION("a job already due: now, never a time in the past") {
    set_due(f.push(1), test_epoch - 60'000);
    CHECK(claims.next_wake() == test_epoch);
  }
  SECTION("an open breaker: its retry time, when that is after the due time") {
    const auto job = f.push(1);
    set_due(job, test_epoch + 5'000);
    f.store.database().exec(fmt::format(
        "UPDATE breaker SET state = 'open', retry_at = {} WHERE target = 'vikunja'", test_epoch + 30'000));
    CHECK(claims.next_wake() == test_epoch + 30'000);
    set_due(job, test_epoch + 40'000);
    CHECK(claims.next_wake() == test_epoch + 40'000);
  }
  SECTION("a half-open breaker: the end of the probe's lease") {
    set_due(f.push(1), test_epoch);
    f.store.database().exec(fmt::format(
        "UPDATE breaker SET state = 'half_open', probe_owner = 'worker-b', probe_until = {} "
        "WHERE target = 'vikunja'", test_epoch + 20'000));
    CHECK(claims.next_wake() == test_epoch + 20'000);
  }
  SECTION("a running job: its lease's end; a pending job of the same key does not count") {
    auto task = WorkerFixture::tw_task(1, "v1");
    f.enqueue(JobKind::push, task);
    REQUIRE(claims.claim_next());
    task["description"] = "v2";
    f.enqueue(JobKind::push, task);  // due now, but waits for the running one
    CHECK(claims.next_wake() == test_epoch + f.config().lease());
  }
  SECTION("jobs of a target this worker does not handle are ignored") {
    f.store.enqueue({JobKind::webhook, vikunja_key(7), R"({"event_name":"task.updated"})", std::nullopt});
    CHECK_FALSE(claims.next_wake());
    auto both = f.claims(f.store, "worker-b", {Target::vikunja, Target::taskwarrior});
    CHECK(both.next_wake() == test_epoch);
  }
  SECTION("the earliest over both targets") {
    set_due(f.push(1), test_epoch + 8'000);
    const auto webhook = f.store.enqueue({JobKind::webhook, vikunja_key(7), R"({"event_name":"task.updated"})",
                                          std::nullopt}).job_id;
    set_due(webhook, test_epoch + 3'000);
    auto both = f.claims(f.store, "worker-b", {Target::vikunja, Target::taskwarrior});
    CHECK(both.next_wake() == test_epoch + 3'000);
  }
}

TEST_CASE("a linked task's jobs in both directions share a key and run one at a time in queue order",
          "[claims]") {
  WorkerFixture f;
  const auto task = WorkerFixture::tw_task(1, "Pay rent");
  const std::string uuid = task["uuid"];
  TaskMap(f.store.database(), f.clock).link(uuid, 7, std::nullopt);
  CHECK(f.store.key_of_vikunja_task(7) == "tw:" + uuid);
  CHECK(f.store.key_of_vikunja_task(8) == "vk:8");
  const auto webhook = f.store.enqueue({JobKind::webhook, vikunja_key(7),
                                        R"({"event_name":"task.updated"})", std::nullopt}).job_id;
  const auto push = f.enqueue(JobKind::push, task);
  CHECK(push != webhook);  // one pending job per key and direction: not coalesced
  QueueStore other_connection(f.dir / "queue.db", f.clock);
  auto a = f.claims(f.store, "worker-a", {Target::vikunja, Target::taskwarrior});
  auto b = f.claims(other_connection, "worker-b", {Target::vikunja, Target::taskwarrior});
  const auto first = a.claim_next();
  REQUIRE(first);
  CHECK(first->id == webhook);
  CHECK_FALSE(b.claim_next());  // the push waits for the webhook job
  a.finish(*first, JobOutcome::done());
  const auto second = b.claim_next();
  REQUIRE(second);
  CHECK(second->id == push);

  SECTION("an older pending job of the key goes first even when a newer one is due earlier") {
    b.finish(*second, JobOutcome::done());
    const auto later = f.store.enqueue({JobKind::webhook, vikunja_key(7),
                                        R"({"event_name":"task.updated"})", std::nullopt}).job_id;
    f.enqueue(JobKind::push, task);  // queued after, due now
    f.store.database().exec(fmt::format("UPDATE jobs SET due_at = {} WHERE id = {}", test_epoch + 5'000, later));
    CHECK_FALSE(a.claim_next());
    CHECK(a.next_wake() == test_epoch + 5'000);
    f.clock.advance(5'000);
    CHECK(a.claim_next()->id == later);
  }
}

TEST_CASE("a job that called nothing through a half-open breaker gives the probe back", "[claims][breaker]") {
  WorkerFixture f;
  f.push(1);
  f.push(2);
  f.store.database().exec(fmt::format(
      "UPDATE breaker SET state = 'open', retry_at = {}, recovery_ms = 60000 WHERE target = 'vikunja'", test_epoch));
  auto claims = f.claims(f.store, "worker-a");
  const auto probe = claims.claim_next();
  REQUIRE(probe);
  REQUIRE(probe->probe);
  JobOutcome nothing_called = JobOutcome::done();  // e.g. a push that matched the agreed state
  nothing_called.reached.emplace();
  claims.finish(*probe, nothing_called);
  CHECK(f.breaker_column("vikunja", "state") == "open");  // not closed: Vikunja was not asked
  CHECK(f.breaker_column("vikunja", "retry_at") == std::to_string(test_epoch));
  const auto next = claims.claim_next();  // the next job probes at once
  REQUIRE(next);
  CHECK(next->probe);
  JobOutcome answered = JobOutcome::done();
  answered.reached = std::vector<Target>{Target::vikunja};
  claims.finish(*next, answered);
  CHECK(f.breaker_column("vikunja", "state") == "closed");

  SECTION("a dead job that asked nobody closes nothing either") {
    f.store.database().exec(fmt::format(
        "UPDATE breaker SET state = 'open', retry_at = {}, consecutive_failures = 3 WHERE target = 'vikunja'", test_epoch));
    f.push(3);
    const auto third = claims.claim_next();
    REQUIRE(third);
    JobOutcome bad_payload = JobOutcome::dead("the job's payload is not JSON");
    bad_payload.reached.emplace();
    claims.finish(*third, bad_payload);
    CHECK(f.breaker_column("vikunja", "state") == "open");
    CHECK(f.breaker_column("vikunja", "consecutive_failures") == "3");
  }
}

TEST_CASE("webhook jobs queued before their task was linked join its key when it is", "[claims]") {
  WorkerFixture f;
  const auto early = f.store.enqueue({JobKind::webhook, vikunja_key(7), R"({"event_name":"task.updated"})",
                                      std::nullopt}).job_id;
  const std::string uuid = WorkerFixture::tw_task(1, "x")["uuid"];
  TaskMap(f.store.database(), f.clock).link(uuid, 7, std::nullopt);
  CHECK(f.job_column(early, "key") == "tw:" + uuid);
}

