// LinkLocks: one job at a time decides about unlinked tasks of one title; the claims leave a job
// waiting for a lock alone until it ends.

#include <catch2/catch.hpp>

#include "shared/queue_store.hpp"
#include "temp_dir.hpp"
#include "worker/queue/job_outcome.hpp"
#include "worker/sync/link_locks.hpp"

using namespace vsync;
using namespace vsync::test;

namespace {

struct LinkLocksFixture {
  TempDir dir;
  FakeClock clock{1'800'000'000'000};
  QueueStore store{dir / "queue.db", clock};
  LinkLocks locks{store.database(), clock, "worker-a"};

  std::int64_t running_job(const std::string& owner = "worker-a") {
    SQLite::Statement insert(store.database(),
                             "INSERT INTO jobs (kind, target, key, payload, state, created_at, updated_at, due_at, "
                             "lease_until, lease_owner) VALUES ('push', 'vikunja', 'tw:' || random(), '{}', "
                             "'running', 0, 0, 0, ?, ?) RETURNING id");
    insert.bind(1, clock.now() + 30'000);
    insert.bind(2, owner);
    REQUIRE(insert.executeStep());
    return insert.getColumn(0).getInt64();
  }
  void settle(std::int64_t job, const std::string& set) {
    store.database().exec("UPDATE jobs SET " + set + " WHERE id = " + std::to_string(job));
  }
  int locks_held() { return store.database().execAndGet("SELECT count(*) FROM link_locks").getInt(); }
};

// The title the job waits for, or "" when it took every lock.
std::string waits_for(LinkLocks& locks, std::int64_t job, const std::set<std::string>& titles) {
  try {
    locks.lock(job, titles);
    return "";
  } catch (const JobStopped& stopped) {
    CHECK(stopped.outcome.kind == JobOutcome::Kind::retry);
    CHECK_FALSE(stopped.outcome.spends_attempt);
    CHECK_FALSE(stopped.outcome.not_before);  // pending again at once; the claims keep it waiting
    CHECK(stopped.outcome.error == "waits for the job deciding how \"" + stopped.outcome.waits_for + "\" is linked");
    return stopped.outcome.waits_for;
  }
}

}  // namespace

TEST_CASE("one job at a time decides about a title, other titles are decided beside it", "[link_locks]") {
  LinkLocksFixture f;
  const auto first = f.running_job();
  const auto second = f.running_job();
  CHECK(waits_for(f.locks, first, {"Pay rent"}) == "");
  CHECK(waits_for(f.locks, first, {"Pay rent"}) == "");  // the holder may ask again
  CHECK(waits_for(f.locks, second, {"Call Bob"}) == "");
  const auto third = f.running_job();
  SECTION("all or none: a job that finds one of its titles held takes none") {
    CHECK(waits_for(f.locks, third, {"A new title", "Pay rent"}) == "Pay rent");
    CHECK(f.locks_held() == 2);
  }
  SECTION("until the holder settles: its locks end with it") {
    f.settle(first, "state = 'done', lease_until = NULL, lease_owner = NULL");
    CHECK(f.locks_held() == 1);
    CHECK(waits_for(f.locks, third, {"Pay rent"}) == "");
  }
  SECTION("a holder whose worker was killed and whose lease was taken back holds nothing") {
    f.store.database().exec("DROP TRIGGER link_locks_end_with_their_job");  // as if the row outlived it
    f.settle(first, "state = 'pending', lease_until = NULL, lease_owner = NULL");
    CHECK(waits_for(f.locks, third, {"Pay rent"}) == "");
  }
  SECTION("nor one whose lease ran out") {
    f.clock.advance(30'000);
    const auto fresh = f.running_job();
    CHECK(waits_for(f.locks, fresh, {"Pay rent"}) == "");
  }
  SECTION("nor one taken over by another worker, and the first owner, resuming, decides nothing") {
    f.settle(first, "lease_owner = 'worker-b'");
    CHECK(waits_for(f.locks, first, {"Pay rent"}) == "Pay rent");  // worker-a lost the job
    CHECK(waits_for(f.locks, third, {"Pay rent"}) == "");
  }
}

TEST_CASE("a webhook about to create waits while a create with a locked title may be in flight", "[link_locks]") {
  LinkLocksFixture f;
  const auto push = f.running_job("worker-b");
  LinkLocks(f.store.database(), f.clock, "worker-b").lock(push, {"Pay rent"});
  const auto webhook = f.running_job();
  const auto in_flight = [&] {
    try {
      f.locks.wait_for_creates_in_flight(webhook);
      return std::string();
    } catch (const JobStopped& stopped) {
      return stopped.outcome.waits_for;
    }
  };
  CHECK(in_flight() == "");  // a lock without a create: nothing in flight
  f.store.database().exec(
      "INSERT INTO vikunja_creates (tw_uuid, fields, sent_at) VALUES ('u', '{\"title\":\"Pay rent\"}', 0)");
  CHECK(in_flight() == "Pay rent");
  f.settle(push, "state = 'done', lease_until = NULL, lease_owner = NULL");
  CHECK(in_flight() == "");  // its answer lost: the record stays, for the adoption by fields
}
