// TaskMap: the uuid <-> Vikunja id links in the queue file.

#include <catch2/catch.hpp>

#include <SQLiteCpp/Transaction.h>

#include "shared/error.hpp"
#include "shared/queue_store.hpp"
#include "temp_dir.hpp"
#include "worker/queue/job_outcome.hpp"
#include "worker/sync/task_map.hpp"

using namespace vsync;
using namespace vsync::test;

namespace {

const std::string uuid_a = "00000000-0000-4000-8000-00000000000a";
const std::string uuid_b = "00000000-0000-4000-8000-00000000000b";

struct TaskMapFixture {
  TempDir dir;
  FakeClock clock{1'800'000'000'000};
  QueueStore store{dir / "queue.db", clock};
  TaskMap map{store.database(), clock};
};

}  // namespace

TEST_CASE("a link is found from either side and updated in place", "[task_map]") {
  TaskMapFixture f;
  CHECK_FALSE(f.map.by_uuid(uuid_a));
  CHECK_FALSE(f.map.by_vikunja_id(7));
  f.map.link(uuid_a, 7, std::nullopt);
  REQUIRE(f.map.by_vikunja_id(7));
  CHECK(f.map.by_vikunja_id(7)->tw_uuid == uuid_a);
  CHECK_FALSE(f.map.by_uuid(uuid_a)->vikunja_updated_at);
  CHECK_FALSE(f.map.by_uuid(uuid_a)->agreed);

  TaskFields agreed;
  agreed.title = "Pay rent";
  agreed.tags = {"home"};
  f.map.link(uuid_a, 7, 1'800'000'000'500, agreed);
  const auto link = f.map.by_uuid(uuid_a);
  REQUIRE(link);
  CHECK(link->vikunja_id == 7);
  CHECK(link->vikunja_updated_at == 1'800'000'000'500);
  REQUIRE(link->agreed);
  CHECK(same_fields(*link->agreed, agreed));

  f.map.forget(uuid_a);
  CHECK_FALSE(f.map.by_uuid(uuid_a));
  CHECK_FALSE(f.map.by_vikunja_id(7));
}

TEST_CASE("a link is never moved: either task linked to another refuses the link, and nothing changes",
          "[task_map]") {
  TaskMapFixture f;
  f.map.link(uuid_a, 7, std::nullopt);
  const auto refused = [&](const std::string& uuid, std::int64_t id) {
    try {
      f.map.link(uuid, id, std::nullopt);
    } catch (const JobStopped& stopped) {
      CHECK(stopped.outcome.kind == JobOutcome::Kind::retry);
      CHECK_FALSE(stopped.outcome.trips_breaker);
      return stopped.outcome.error;
    }
    return std::string("linked");
  };
  CHECK(refused(uuid_b, 7) == "cannot link tw:" + uuid_b + " to Vikunja task #7: tw:" + uuid_a + " is linked to #7");
  CHECK(refused(uuid_a, 8) == "cannot link tw:" + uuid_a + " to Vikunja task #8: tw:" + uuid_a + " is linked to #7");
  CHECK(f.map.by_vikunja_id(7)->tw_uuid == uuid_a);
  CHECK_FALSE(f.map.by_uuid(uuid_b));
  CHECK_FALSE(f.map.by_vikunja_id(8));
}

TEST_CASE("a create recorded before it is sent could have made only a new namesake, until the task is linked",
          "[task_map]") {
  TaskMapFixture f;
  SentCreate sent;
  sent.fields.title = "Pay rent";
  sent.fields.project = "Home";
  sent.existing = {3};  // a namesake that was there before
  f.map.record_create(uuid_a, sent);
  f.clock.advance(1);
  f.map.record_create(uuid_b, SentCreate{sent.fields, {}});
  REQUIRE(f.map.sent_create(uuid_a));
  CHECK(same_fields(f.map.sent_create(uuid_a)->fields, sent.fields));
  CHECK(f.map.sent_create(uuid_a)->existing == std::set<std::int64_t>{3});
  CHECK(f.map.creates_that_made(9, sent.fields) == std::vector<std::string>{uuid_a, uuid_b});  // oldest first
  CHECK(f.map.creates_that_made(3, sent.fields) == std::vector<std::string>{uuid_b});
  TaskFields other = sent.fields;
  other.done = true;
  CHECK(f.map.creates_that_made(9, other).empty());
  other = sent.fields;
  other.project = "Work";
  CHECK(f.map.creates_that_made(9, other).empty());

  f.map.link(uuid_a, 7, std::nullopt, sent.fields);
  CHECK_FALSE(f.map.sent_create(uuid_a));
  f.map.bury(uuid_b, 8, Side::taskwarrior);
  CHECK_FALSE(f.map.sent_create(uuid_b));
  f.map.record_create(uuid_b, sent);
  f.map.forget_create(uuid_b);
  CHECK(f.map.creates_that_made(9, sent.fields).empty());
}

TEST_CASE("a locked queue makes the task map fail with 75 and the queue's path", "[task_map]") {
  TaskMapFixture f;
  QueueStore impatient(f.dir / "queue.db", f.clock, std::chrono::milliseconds(1));
  TaskMap map(impatient.database(), f.clock);
  SQLite::Transaction writer(f.store.database(), SQLite::TransactionBehavior::EXCLUSIVE);
  f.store.database().exec("DELETE FROM task_map");  // holds the write lock
  try {
    map.link(uuid_a, 7, std::nullopt);
    FAIL("linked through a locked queue");
  } catch (const Error& e) {
    CHECK(e.exit_code() == ExitCode::temp_fail);
    CHECK(std::string(e.what()) ==
          "cannot update the task map in queue " + (f.dir / "queue.db").string() + ": database is locked");
  }
}

TEST_CASE("a buried link leaves a tombstone for both ids and is never found again", "[task_map]") {
  TaskMapFixture f;
  f.map.link(uuid_a, 7, std::nullopt);
  CHECK_FALSE(f.map.buried_uuid(uuid_a));
  f.map.bury(uuid_a, 7, Side::vikunja);
  CHECK_FALSE(f.map.by_uuid(uuid_a));
  CHECK_FALSE(f.map.by_vikunja_id(7));
  CHECK(f.map.buried_uuid(uuid_a));
  CHECK(f.map.buried_vikunja_id(7));
  CHECK_FALSE(f.map.buried_vikunja_id(8));
  CHECK(f.store.database().execAndGet("SELECT deleted_in FROM tombstones").getString() == "vikunja");
  f.map.bury(uuid_a, 7, Side::taskwarrior);  // a second delete of the same pair changes nothing
  CHECK(f.store.database().execAndGet("SELECT count(*) || deleted_in FROM tombstones").getString() == "1vikunja");
}

TEST_CASE("an agreed state that cannot be read is no base at all", "[task_map]") {
  TaskMapFixture f;
  f.map.link(uuid_a, 7, std::nullopt);
  f.store.database().exec("UPDATE task_map SET agreed = '{\"title\":1}'");
  REQUIRE(f.map.by_uuid(uuid_a));
  CHECK_FALSE(f.map.by_uuid(uuid_a)->agreed);
}
