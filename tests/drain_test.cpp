// The drain: what a handler's result or exception becomes, and that a pass claims every due job
// once and stops when asked. The handlers here are small scripted ones; the real ones are
// tested in vikunja_push_test and taskwarrior_sync_test.

#include <catch2/catch.hpp>

#include <sqlite3.h>

#include "shared/error.hpp"
#include "worker/drain.hpp"
#include "worker_fixture.hpp"

using namespace vsync;
using namespace vsync::test;

namespace {

class ScriptedHandler final : public JobHandler {
 public:
  explicit ScriptedHandler(std::function<JobOutcome(const ClaimedJob&)> script) : script_(std::move(script)) {}
  JobOutcome run(const ClaimedJob& job) override {
    ran.push_back(job.id);
    return script_(job);
  }
  std::vector<std::int64_t> ran;

 private:
  std::function<JobOutcome(const ClaimedJob&)> script_;
};

}  // namespace

TEST_CASE("run_job turns what a handler throws into the job's outcome", "[drain]") {
  const ClaimedJob job{1, JobKind::push, Target::vikunja, "tw:x", "{}", 1, false};
  SECTION("JobStopped carries its outcome") {
    ScriptedHandler handler([](const ClaimedJob&) -> JobOutcome { throw JobStopped{JobOutcome::dead("bad date")}; });
    const JobOutcome outcome = run_job(handler, job);
    CHECK(outcome.kind == JobOutcome::Kind::dead);
    CHECK(outcome.error == "bad date");
  }
  SECTION("data of an unexpected shape (a field of another type) makes that one job dead") {
    ScriptedHandler handler([](const ClaimedJob&) {
      static_cast<void>(nlohmann::json("x").get<bool>());  // "done": "x"
      return JobOutcome::done();
    });
    const JobOutcome outcome = run_job(handler, job);
    CHECK(outcome.kind == JobOutcome::Kind::dead);
    CHECK_THAT(outcome.error, Catch::StartsWith("data of an unexpected shape: "));
  }
  SECTION("data the program cannot read (exit 65) makes the job dead") {
    ScriptedHandler handler([](const ClaimedJob&) -> JobOutcome { throw Error(ExitCode::data, "unknown status 'x'"); });
    CHECK(run_job(handler, job).kind == JobOutcome::Kind::dead);
  }
  SECTION("a local resource failure (fork, the disk, the queue busy) is a retry that spares the breakers") {
    ScriptedHandler handler([](const ClaimedJob&) -> JobOutcome {
      throw Error(ExitCode::software, "cannot start task: Resource temporarily unavailable");
    });
    const JobOutcome outcome = run_job(handler, job);
    CHECK(outcome.kind == JobOutcome::Kind::retry);
    CHECK_FALSE(outcome.trips_breaker);
    CHECK(outcome.error == "local failure: cannot start task: Resource temporarily unavailable");
  }
  SECTION("a busy queue inside a job is a local failure too") {
    ScriptedHandler handler([](const ClaimedJob&) -> JobOutcome {
      throw SQLite::Exception("database is locked", SQLITE_BUSY);
    });
    const JobOutcome outcome = run_job(handler, job);
    CHECK(outcome.kind == JobOutcome::Kind::retry);
    CHECK_FALSE(outcome.trips_breaker);
  }
}

TEST_CASE("after a local failure the drain goes on with other work and no breaker moves", "[drain]") {
  WorkerFixture f;
  for (int n = 1; n <= 3; ++n) f.push(n);
  auto claims = f.claims(f.store, "worker-a");
  ScriptedHandler handler([](const ClaimedJob& job) -> JobOutcome {
    if (job.id == 1) throw Error(ExitCode::software, "cannot create a pipe: Too many open files");
    return JobOutcome::done();
  });
  const DrainStats stats = drain(claims, handler, f.log);
  CHECK(stats.retried == 1);
  CHECK(stats.done == 2);
  CHECK(f.job_column(1, "state") == "pending");
  CHECK(f.job_column(1, "last_error") == "local failure: cannot create a pipe: Too many open files");
  CHECK(f.breaker_column("vikunja", "consecutive_failures") == "0");
  CHECK(f.breaker_column("vikunja", "state") == "closed");
}

TEST_CASE("a drain runs each due job once, counts the outcomes and stops when asked", "[drain]") {
  WorkerFixture f;
  for (int n = 1; n <= 4; ++n) f.push(n);
  auto claims = f.claims(f.store, "worker-a");
  ScriptedHandler handler([](const ClaimedJob& job) {
    return job.id == 2 ? JobOutcome::dead("HTTP 400") : job.id == 3 ? JobOutcome::retry("HTTP 503", true)
                                                                    : JobOutcome::done();
  });

  SECTION("every job once") {
    const DrainStats stats = drain(claims, handler, f.log);
    CHECK(handler.ran == std::vector<std::int64_t>{1, 2, 3, 4});
    CHECK(stats.done == 2);
    CHECK(stats.dead == 1);
    CHECK(stats.retried == 1);
    CHECK(stats.total() == 4);
    CHECK(f.logged("event=job id=2 kind=push key=tw:00000000-0000-4000-8000-000000000002 outcome=dead attempt=1"));
    CHECK(drain(claims, handler, f.log).total() == 0);  // the retry is not due yet
  }
  SECTION("should_stop is asked between jobs") {
    int asked = 0;
    const DrainStats stats = drain(claims, handler, f.log, [&] { return ++asked > 2; });
    CHECK(stats.total() == 2);
    CHECK(f.job_column(3, "state") == "pending");
    CHECK(f.job_column(3, "attempts") == "0");
  }
}
