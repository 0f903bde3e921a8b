// Every class of HTTP outcome, through a worker against the local Vikunja stand-in: what the
// job, the breaker and the server see, with a FakeClock for every window.

#include <catch2/catch.hpp>

#include "queue_dump.hpp"
#include "worker_fixture.hpp"

using namespace vsync;
using namespace vsync::test;

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
  const auto job = f.push(1);
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
  const auto job = f.push(1);
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
  const auto job = f.push(1);
  f.push(2);
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

TEST_CASE("a 429 whose reset time has passed still pauses for a few seconds, never a probe loop", "[outcomes]") {
  WorkerFixture f;
  f.vikunja.answer_every_request(429, {{"X-RateLimit-Reset", std::to_string(test_epoch / 1000 - 2)}},
                                 R"({"message":"Too Many Requests"})");
  f.push(1);
  auto worker = f.worker();
  for (int second = 0; second < 30; ++second) {
    worker->drain();
    f.clock.advance(1000);
  }
  CHECK(f.vikunja.requests() <= 6);  // one probe per 5 s, not one per drain (or hundreds a second)
  CHECK(f.breaker_column("vikunja", "reason") == "rate limited");
}

TEST_CASE("401 pauses the target with reason authentication and never dead-letters", "[outcomes]") {
  WorkerFixture f;
  f.env["VIKUNJA_API_TOKEN"] = "tk_wrong";
  for (int n = 1; n <= 5; ++n) f.push(n);
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
  for (int n = 1; n <= 200; ++n) f.push(n);
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

TEST_CASE("max attempts reached makes a job dead with its last error", "[outcomes]") {
  WorkerFixture f;
  f.env["VIKUNJA_SYNC_MAX_ATTEMPTS"] = "3";
  f.env["VIKUNJA_SYNC_BREAKER_THRESHOLD"] = "100";
  f.vikunja.answer_every_request(500, {}, R"({"message":"Internal Server Error"})");
  const auto job = f.push(1);
  auto worker = f.worker();
  for (int i = 0; i < 3; ++i) {
    worker->drain();
    f.clock.advance(3'600'000);
  }
  CHECK(f.job_column(job, "state") == "dead");
  CHECK_THAT(f.job_column(job, "last_error"), Catch::StartsWith("gave up after 3 attempts: GET /api/v1/projects"));
}
