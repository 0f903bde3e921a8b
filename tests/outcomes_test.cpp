// Every class of HTTP outcome, the breaker across connections, leases, per-key order: the
// worker against the local Vikunja stand-in, with a FakeClock for every window.

#include <catch2/catch.hpp>

#include "worker/queue/job_claims.hpp"
#include "worker/queue_admin.hpp"
#include "worker/queue_status.hpp"
#include "queue_dump.hpp"
#include "worker_fixture.hpp"

using namespace vsync;
using namespace vsync::test;
using json = nlohmann::json;

namespace {

std::int64_t push_one(WorkerFixture& f, int n = 1) {
  return f.enqueue(JobKind::push, WorkerFixture::tw_task(n, fmt::format("Task {}", n)));
}

JobClaims claims_for(WorkerFixture& f, QueueStore& store, const std::string& owner) {
  const WorkerConfig config = f.config();
  return JobClaims(store, f.clock, breaker_policy(config), ClaimPolicy{config.lease(), config.max_attempts.value},
                   Backoff(config.backoff_base.value, config.backoff_cap.value, 7), f.log, owner,
                   {Target::vikunja});
}

}  // namespace

TEST_CASE("5xx, 408, refused, timeouts and garbage are retried later and count toward the breaker",
          "[outcomes]") {
  WorkerFixture f;
  std::string expected_error;
  SECTION("500") {
    f.vikunja.answer_every_request(500, {}, R"({"message":"Internal Server Error"})");
    expected_error = "GET /api/v1/projects?page=1&per_page=50: HTTP 500: Internal Server Error";
  }
  SECTION("408") {
    f.vikunja.answer_every_request(408, {}, "");
    expected_error = "GET /api/v1/projects?page=1&per_page=50: HTTP 408: (empty body)";
  }
  SECTION("connection refused") {
    f.vikunja.refuse_connections();
    expected_error = "GET /api/v1/projects?page=1&per_page=50: cannot reach Vikunja: ";
  }
  SECTION("a server that hangs past the timeout") {
    f.env["VIKUNJA_SYNC_HTTP_TIMEOUT"] = "0.3";
    f.vikunja.hang_every_request(std::chrono::milliseconds(3000));
    expected_error = "GET /api/v1/projects?page=1&per_page=50: cannot reach Vikunja: ";
  }
  SECTION("200 with a body that is not JSON") {
    f.vikunja.answer_every_request(200, {}, "<html>proxy login</html>");
    expected_error = "GET /api/v1/projects?page=1&per_page=50: HTTP 200 with an unexpected body (not a JSON array): <html>proxy login</html>";
  }
  const auto job = push_one(f);
  const auto stats = f.worker()->drain();
  CHECK(stats.retried == 1);
  CHECK(f.job_column(job, "state") == "pending");
  CHECK(f.job_column(job, "attempts") == "1");
  CHECK_THAT(f.job_column(job, "last_error"), Catch::StartsWith(expected_error));
  const UnixMillis due = std::stoll(f.job_column(job, "due_at"));
  CHECK(due >= test_epoch + 5'000);   // base 10 s, jittered into [5 s, 10 s]
  CHECK(due <= test_epoch + 10'000);
  CHECK(f.breaker_column("vikunja", "consecutive_failures") == "1");
  CHECK(f.breaker_column("vikunja", "state") == "closed");
}

TEST_CASE("a 4xx that is the job's own fault makes it dead with the server's message, and counts "
          "as a success for the breaker", "[outcomes]") {
  WorkerFixture f;
  f.store.database().exec("UPDATE breaker SET consecutive_failures = 2 WHERE target = 'vikunja'");
  f.vikunja.answer_every_request(400, {}, R"({"code":2004,"message":"Invalid model provided."})");
  const auto job = push_one(f);
  CHECK(f.worker()->drain().dead == 1);
  CHECK(f.job_column(job, "state") == "dead");
  CHECK(f.job_column(job, "last_error") ==
        "GET /api/v1/projects?page=1&per_page=50: HTTP 400: (code 2004) Invalid model provided.");
  CHECK(f.breaker_column("vikunja", "consecutive_failures") == "0");
}

TEST_CASE("429 pauses the target until X-RateLimit-Reset or Retry-After, costing no attempt",
          "[outcomes]") {
  WorkerFixture f;
  UnixMillis expected_until = 0;
  SECTION("X-RateLimit-Reset (what Vikunja sends)") {
    expected_until = test_epoch + 45'000;
    f.vikunja.answer_every_request(429, {{"X-RateLimit-Reset", std::to_string(expected_until / 1000)}},
                                   R"({"message":"Too Many Requests"})");
  }
  SECTION("Retry-After in seconds (what a proxy may add)") {
    expected_until = test_epoch + 120'000;
    f.vikunja.answer_every_request(429, {{"Retry-After", "120"}}, R"({"message":"Too Many Requests"})");
  }
  const auto job = push_one(f);
  push_one(f, 2);
  auto worker = f.worker();
  CHECK(worker->drain().paused == 1);  // the second job is not tried while paused
  CHECK(f.vikunja.requests() == 1);
  CHECK(f.job_column(job, "attempts") == "0");
  CHECK(f.job_column(job, "due_at") == std::to_string(expected_until));
  CHECK(f.breaker_column("vikunja", "state") == "open");
  CHECK(f.breaker_column("vikunja", "reason") == "rate limited");
  CHECK(f.breaker_column("vikunja", "retry_at") == std::to_string(expected_until));

  f.vikunja.answer_normally();
  f.clock.advance(expected_until - test_epoch);
  CHECK(worker->drain().done == 2);
  CHECK(f.breaker_column("vikunja", "state") == "closed");
}

TEST_CASE("401 pauses the target with reason authentication and never dead-letters", "[outcomes]") {
  WorkerFixture f;
  f.env["VIKUNJA_API_TOKEN"] = "tk_wrong";
  for (int n = 1; n <= 5; ++n) push_one(f, n);
  auto worker = f.worker();
  for (int window = 0; window < 20; ++window) {  // 20 recovery windows: 20 probes, nothing dies
    worker->drain();
    f.clock.advance(3'600'000);
  }
  CHECK(f.breaker_column("vikunja", "reason") == "authentication");
  CHECK(f.breaker_column("vikunja", "state") == "open");
  CHECK_THAT(f.breaker_column("vikunja", "last_error"),
             Catch::Contains("HTTP 401: (code 11) missing, malformed, expired or otherwise invalid token provided"));
  CHECK(test::count_jobs(f.dir / "queue.db", "state = 'dead'") == 0);
  CHECK(test::count_jobs(f.dir / "queue.db", "attempts > 0") == 0);
  CHECK(f.vikunja.requests() == 20);
  CHECK(f.logged("event=\"breaker transition\" target=vikunja from=closed to=open reason=authentication"));
}

TEST_CASE("an outage trips the breaker: the server sees threshold requests, then one probe per window",
          "[outcomes][breaker]") {
  WorkerFixture f;
  f.vikunja.answer_every_request(503, {}, R"({"message":"Service Unavailable"})");
  for (int n = 1; n <= 200; ++n) push_one(f, n);
  auto worker = f.worker();
  const auto stats = worker->drain();
  CHECK(stats.retried == 3);
  CHECK(f.vikunja.requests() == 3);
  CHECK(f.breaker_column("vikunja", "state") == "open");
  CHECK(f.breaker_column("vikunja", "retry_at") == std::to_string(test_epoch + 60'000));
  CHECK(test::count_jobs(f.dir / "queue.db", "attempts > 1") == 0);

  SECTION("drain returns at once while open, sending nothing") {
    f.clock.advance(59'000);
    CHECK(worker->drain().total() == 0);
    CHECK(f.vikunja.requests() == 3);
  }
  SECTION("a failed probe reopens with a doubled window; a successful one closes and drains") {
    f.clock.advance(60'000);
    CHECK(worker->drain().total() == 1);  // the probe
    CHECK(f.vikunja.requests() == 4);
    CHECK(f.breaker_column("vikunja", "state") == "open");
    CHECK(f.breaker_column("vikunja", "retry_at") == std::to_string(test_epoch + 60'000 + 120'000));
    f.clock.advance(120'000);
    f.vikunja.answer_normally();
    const auto recovered = worker->drain();
    CHECK(f.breaker_column("vikunja", "state") == "closed");
    CHECK(recovered.done == 200);
    CHECK(test::count_jobs(f.dir / "queue.db", "state = 'done'") == 200);
    CHECK(test::count_jobs(f.dir / "queue.db", "state = 'dead'") == 0);
    CHECK(f.vikunja.tasks().size() == 200);
  }
}

TEST_CASE("in half-open exactly one probe goes out across two connections", "[breaker]") {
  WorkerFixture f;
  push_one(f, 1);
  push_one(f, 2);
  f.store.database().exec(
      fmt::format("UPDATE breaker SET state = 'open', retry_at = {}, recovery_ms = 60000 WHERE target = 'vikunja'", test_epoch));
  QueueStore other_connection(f.dir / "queue.db", f.clock);
  auto a = claims_for(f, f.store, "worker-a");
  auto b = claims_for(f, other_connection, "worker-b");
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
  const auto job = push_one(f);
  QueueStore other_connection(f.dir / "queue.db", f.clock);
  auto dead_worker = claims_for(f, f.store, "worker-a");
  auto survivor = claims_for(f, other_connection, "worker-b");
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
  // The first worker wakes up late: its outcome must not undo the survivor's.
  dead_worker.finish(*first, JobOutcome::retry("late", false));
  CHECK(f.job_column(job, "state") == "done");
  CHECK(f.logged("event=\"lease lost\""));
}

TEST_CASE("a job that keeps killing its workers ends dead after max attempts", "[claims]") {
  WorkerFixture f;
  f.env["VIKUNJA_SYNC_MAX_ATTEMPTS"] = "3";
  const auto job = push_one(f);
  auto claims = claims_for(f, f.store, "worker-a");
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
  const auto other = push_one(f, 2);
  QueueStore other_connection(f.dir / "queue.db", f.clock);
  auto a = claims_for(f, f.store, "worker-a");
  auto b = claims_for(f, other_connection, "worker-b");
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
  auto a = claims_for(f, f.store, "worker-a");
  const auto running = a.claim_next();
  task["description"] = "v2";
  const auto newer = f.enqueue(JobKind::push, task);
  a.finish(*running, JobOutcome::retry("HTTP 500", true));
  CHECK(f.job_column(first, "state") == "done");
  CHECK(f.job_column(first, "last_error") == fmt::format("superseded by job {} after: HTTP 500", newer));
  CHECK(f.job_column(newer, "state") == "pending");
}

TEST_CASE("max attempts reached makes a job dead with its last error", "[outcomes]") {
  WorkerFixture f;
  f.env["VIKUNJA_SYNC_MAX_ATTEMPTS"] = "3";
  f.env["VIKUNJA_SYNC_BREAKER_THRESHOLD"] = "100";
  f.vikunja.answer_every_request(500, {}, R"({"message":"Internal Server Error"})");
  const auto job = push_one(f);
  auto worker = f.worker();
  for (int i = 0; i < 3; ++i) {
    worker->drain();
    f.clock.advance(3'600'000);
  }
  CHECK(f.job_column(job, "state") == "dead");
  CHECK_THAT(f.job_column(job, "last_error"), Catch::StartsWith("gave up after 3 attempts: GET /api/v1/projects"));
}

TEST_CASE("status, retry, purge and breaker reset", "[admin]") {
  WorkerFixture f;
  const auto dead = push_one(f, 1);
  const auto done = push_one(f, 2);
  f.store.database().exec(fmt::format("UPDATE jobs SET state = 'dead', last_error = 'HTTP 400' WHERE id = {}", dead));
  f.store.database().exec(fmt::format("UPDATE jobs SET state = 'done', updated_at = 0 WHERE id = {}", done));
  f.store.database().exec(fmt::format("UPDATE breaker SET state = 'open', retry_at = {} WHERE target = 'vikunja'", test_epoch + 30'000));

  const QueueStatus status = read_status(f.store);
  CHECK_FALSE(status.healthy());
  const json report = status_json(status, f.config(), "/q.db", f.clock.now());
  CHECK(report["version"] == 1);
  CHECK(report["breakers"][0]["target"] == "vikunja");
  CHECK(report["breakers"][0]["seconds_to_probe"] == 30);
  CHECK(report["jobs"]["vikunja"]["dead"] == 1);
  CHECK(report["dead_jobs"][0]["last_error"] == "HTTP 400");
  CHECK(report.dump().find(FakeVikunja::token) == std::string::npos);

  CHECK(retry_dead_jobs(f.store, f.clock.now()) == 1);
  CHECK(f.job_column(dead, "state") == "pending");
  CHECK(purge_done_jobs(f.store, f.clock.now() - done_retention) == 1);
  reset_breakers(f.store, Target::vikunja, f.clock.now(), f.log);
  CHECK(read_status(f.store).healthy());
}
