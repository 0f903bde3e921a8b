// retry, purge and breaker reset: what `vikunja-worker retry|purge|breaker reset` change.

#include <catch2/catch.hpp>

#include <SQLiteCpp/Transaction.h>

#include "shared/error.hpp"
#include "worker/queue_admin.hpp"
#include "worker/queue_status.hpp"
#include "worker_fixture.hpp"

using namespace vsync;
using namespace vsync::test;

TEST_CASE("retry --dead, purge and breaker reset", "[queue_admin]") {
  WorkerFixture f;
  const auto dead = f.push(1);
  const auto done = f.push(2);
  f.store.database().exec(fmt::format("UPDATE jobs SET state = 'dead', attempts = 5, last_error = 'HTTP 400' WHERE id = {}", dead));
  f.store.database().exec(fmt::format("UPDATE jobs SET state = 'done', updated_at = 0 WHERE id = {}", done));
  f.store.database().exec(fmt::format("UPDATE breaker SET state = 'open', retry_at = {}, transitions = 7 WHERE target = 'vikunja'", test_epoch + 30'000));

  CHECK(retry_dead_jobs(f.store, f.clock.now()) == 1);
  CHECK(f.job_column(dead, "state") == "pending");
  CHECK(f.job_column(dead, "attempts") == "0");
  CHECK(f.job_column(dead, "due_at") == std::to_string(test_epoch));
  CHECK(purge_done_jobs(f.store, f.clock.now() - done_retention) == 1);
  CHECK(f.job_column(done, "state") == "(no job)");

  reset_breakers(f.store, Target::vikunja, f.clock.now(), f.log);
  CHECK(f.breaker_column("vikunja", "state") == "closed");
  CHECK(f.breaker_column("vikunja", "retry_at") == "");
  CHECK(f.breaker_column("vikunja", "reason") == "reset by hand");
  CHECK(f.breaker_column("vikunja", "transitions") == "8");  // kept, and the reset counted
  CHECK(read_status(f.store).healthy());
}

TEST_CASE("retry by id leaves a key's newer pending job alone", "[queue_admin]") {
  WorkerFixture f;
  auto task = WorkerFixture::tw_task(1, "v1");
  const auto old_job = f.enqueue(JobKind::push, task);
  f.store.database().exec(fmt::format("UPDATE jobs SET state = 'dead' WHERE id = {}", old_job));
  task["description"] = "v2";
  const auto newer = f.enqueue(JobKind::push, task);
  CHECK(retry_jobs(f.store, {old_job, 999}, f.clock.now()) == 0);
  CHECK(f.job_column(old_job, "state") == "dead");
  CHECK(f.job_column(newer, "state") == "pending");
}

TEST_CASE("a busy queue is exit 75 with the queue's path, not an internal error", "[queue_admin]") {
  WorkerFixture f;
  f.push(1);
  QueueStore impatient(f.dir / "queue.db", f.clock, std::chrono::milliseconds(1));
  SQLite::Transaction writer(f.store.database(), SQLite::TransactionBehavior::IMMEDIATE);
  const auto expect_busy = [&](const std::function<void()>& change, const std::string& action) {
    try {
      change();
      FAIL("the change went through a locked queue");
    } catch (const Error& e) {
      CHECK(e.exit_code() == ExitCode::temp_fail);
      CHECK(std::string(e.what()) ==
            fmt::format("cannot {} in queue {}: database is locked", action, (f.dir / "queue.db").string()));
    }
  };
  expect_busy([&] { retry_dead_jobs(impatient, f.clock.now()); }, "retry jobs");
  expect_busy([&] { purge_done_jobs(impatient, f.clock.now()); }, "purge done jobs");
  expect_busy([&] { reset_breakers(impatient, std::nullopt, f.clock.now(), f.log); }, "reset the breaker");
}
