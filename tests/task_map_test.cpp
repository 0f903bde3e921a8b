// TaskMap: the uuid <-> Vikunja id links in the queue file.

#include <catch2/catch.hpp>

#include <SQLiteCpp/Transaction.h>

#include "shared/error.hpp"
#include "shared/queue_store.hpp"
#include "temp_dir.hpp"
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

TEST_CASE("one Vikunja task is linked to one Taskwarrior task at a time", "[task_map]") {
  TaskMapFixture f;
  f.map.link(uuid_a, 7, std::nullopt);
  f.map.link(uuid_b, 7, std::nullopt);  // e.g. a task re-created under a new uuid
  CHECK_FALSE(f.map.by_uuid(uuid_a));
  CHECK(f.map.by_vikunja_id(7)->tw_uuid == uuid_b);
  f.map.link(uuid_b, 8, std::nullopt);  // and a uuid links to one id
  CHECK_FALSE(f.map.by_vikunja_id(7));
  CHECK(f.map.by_vikunja_id(8)->tw_uuid == uuid_b);
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
