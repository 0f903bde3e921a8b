#include "shared/migrate.hpp"

#include <catch2/catch.hpp>

#include "shared/error.hpp"
#include "temp_dir.hpp"

using namespace vsync;
using vsync::test::TempDir;

namespace {

const Migration v1{1, "001_things", "CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT);"};
const Migration v2{2, "002_colour", "ALTER TABLE things ADD COLUMN colour TEXT;"};
const Migration broken{3, "003_broken", "CREATE TABLE broken (;"};

}  // namespace

TEST_CASE("migrations run from an empty file up to the newest version", "[migrate]") {
  TempDir dir;
  SQLite::Database db(dir / "q.db", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  const Migration all[] = {v1, v2};
  migrate(db, all);
  CHECK(schema_version(db) == 2);
  db.exec("INSERT INTO things (name, colour) VALUES ('a', 'red')");
  migrate(db, all);  // idempotent
  CHECK(schema_version(db) == 2);
}

TEST_CASE("migrations from a previous version keep the data and apply only what is new",
          "[migrate]") {
  TempDir dir;
  SQLite::Database db(dir / "q.db", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  const Migration first[] = {v1};
  migrate(db, first);
  db.exec("INSERT INTO things (name) VALUES ('kept')");
  const Migration both[] = {v1, v2};
  migrate(db, both);
  CHECK(schema_version(db) == 2);
  CHECK(db.execAndGet("SELECT name FROM things").getString() == "kept");
}

TEST_CASE("a failing migration leaves the database at its previous version", "[migrate]") {
  TempDir dir;
  SQLite::Database db(dir / "q.db", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  const Migration first[] = {v1};
  migrate(db, first);
  const Migration with_broken[] = {v1, v2, broken};
  REQUIRE_THROWS_WITH(migrate(db, with_broken),
                      Catch::StartsWith("migration 003_broken failed: "));
  CHECK(schema_version(db) == 1);
  CHECK_THROWS(db.exec("SELECT colour FROM things"));  // 002 rolled back with 003
}

TEST_CASE("a queue from a newer vikunja-sync is refused, not downgraded", "[migrate]") {
  TempDir dir;
  SQLite::Database db(dir / "q.db", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  db.exec("PRAGMA user_version = 7");
  const Migration first[] = {v1};
  REQUIRE_THROWS_WITH(migrate(db, first),
                      "its schema version 7 is newer than this vikunja-sync knows (1); "
                      "upgrade vikunja-sync");
}

TEST_CASE("the compiled-in schema applies cleanly and has the documented tables and views",
          "[migrate]") {
  TempDir dir;
  SQLite::Database db(dir / "q.db", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  migrate(db, schema_migrations());
  CHECK(schema_version(db) == schema_migrations().back().version);
  for (const char* name : {"jobs", "breaker", "task_map", "queue", "queue_summary"}) {
    CHECK(db.execAndGet(std::string("SELECT count(*) FROM sqlite_schema WHERE name = '") + name +
                        "'")
              .getInt() == 1);
  }
  CHECK(db.execAndGet("SELECT group_concat(target) FROM breaker").getString() ==
        "taskwarrior,vikunja");
  SECTION("CHECK constraints refuse states and kinds outside the model") {
    CHECK_THROWS(db.exec("INSERT INTO jobs (kind, target, key, payload, state, created_at, "
                         "updated_at, due_at) VALUES ('push', 'vikunja', 'tw:x', '{}', 'lost', 0, 0, 0)"));
    CHECK_THROWS(db.exec("INSERT INTO jobs (kind, target, key, payload, created_at, updated_at, "
                         "due_at) VALUES ('sync', 'vikunja', 'tw:x', '{}', 0, 0, 0)"));
    CHECK_THROWS(db.exec("INSERT INTO jobs (kind, target, key, payload, created_at, updated_at, "
                         "due_at) VALUES ('webhook', 'vikunja', 'vk:1', '{}', 0, 0, 0)"));
    CHECK_THROWS(db.exec("UPDATE breaker SET state = 'ajar'"));
  }
  SECTION("the views render readable times") {
    db.exec("INSERT INTO jobs (kind, target, key, payload, created_at, updated_at, due_at) "
            "VALUES ('push', 'vikunja', 'tw:x', '{}', 0, 0, 0)");
    CHECK(db.execAndGet("SELECT typeof(created) || typeof(age) FROM queue").getString() ==
          "texttext");
    CHECK(db.execAndGet("SELECT jobs FROM queue_summary WHERE state = 'pending'").getInt() == 1);
  }
}

TEST_CASE("a queue made by the first release upgrades in place and keeps its rows", "[migrate]") {
  TempDir dir;
  {
    SQLite::Database db(dir / "q.db", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    migrate(db, schema_migrations().first(1));
    db.exec("INSERT INTO task_map (tw_uuid, vikunja_id, created_at, updated_at) "
            "VALUES ('00000000-0000-4000-8000-000000000001', 7, 0, 0)");
  }
  SQLite::Database db(dir / "q.db", SQLite::OPEN_READWRITE);
  migrate(db, schema_migrations());
  CHECK(schema_version(db) == schema_migrations().back().version);
  CHECK(db.execAndGet("SELECT vikunja_id || '/' || coalesce(agreed, 'none') FROM task_map").getString() == "7/none");
  CHECK(db.execAndGet("SELECT count(*) FROM tombstones").getInt() == 0);
  CHECK(db.execAndGet("SELECT count(*) FROM conflict_log").getInt() == 0);
}

TEST_CASE("migration 005 rebuilds the jobs table keeping every row, and re-keys linked webhook jobs", "[migrate]") {
  TempDir dir;
  const std::string uuid = "00000000-0000-4000-8000-000000000001";
  {
    SQLite::Database db(dir / "q.db", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    migrate(db, schema_migrations().first(4));
    db.exec("INSERT INTO task_map (tw_uuid, vikunja_id, created_at, updated_at) VALUES ('" + uuid + "', 7, 0, 0)");
    db.exec("INSERT INTO jobs (kind, target, key, payload, state, attempts, created_at, updated_at, due_at) VALUES "
            "('webhook', 'taskwarrior', 'vk:7', '{\"a\":1}', 'pending', 2, 1, 2, 3), "
            "('webhook', 'taskwarrior', 'vk:8', '{\"b\":1}', 'pending', 0, 1, 2, 3), "
            "('push', 'vikunja', 'tw:" + uuid + "', '{\"c\":1}', 'done', 1, 1, 2, 3)");
  }
  SQLite::Database db(dir / "q.db", SQLite::OPEN_READWRITE);
  migrate(db, schema_migrations());
  CHECK(db.execAndGet("SELECT count(*) FROM jobs").getInt() == 3);
  CHECK(db.execAndGet("SELECT key || '/' || attempts || '/' || payload FROM jobs WHERE id = 1").getString() ==
        "tw:" + uuid + "/2/{\"a\":1}");
  CHECK(db.execAndGet("SELECT key FROM jobs WHERE id = 2").getString() == "vk:8");  // not linked
  CHECK(db.execAndGet("SELECT count(*) FROM queue").getInt() == 3);                 // the views are back
  CHECK(db.execAndGet("SELECT count(*) FROM queue_summary").getInt() == 2);
  CHECK_THROWS(db.exec("INSERT INTO jobs (kind, target, key, payload, created_at, updated_at, due_at) "
                       "VALUES ('push', 'vikunja', 'vk:9', '{}', 0, 0, 0)"));  // a push is always tw:
}

namespace {

// job_counts against what it totals, for every target and state present in either.
std::string counts_disagreement(SQLite::Database& db) {
  return db.execAndGet(R"sql(
    SELECT coalesce(group_concat(target || '/' || state, ', '), '') FROM (
      SELECT target, state, jobs, attempts FROM job_counts WHERE jobs <> 0 OR attempts <> 0
      EXCEPT
      SELECT target, state, count(*), sum(attempts) FROM jobs GROUP BY target, state
      UNION ALL
      SELECT target, state, count(*), sum(attempts) FROM jobs GROUP BY target, state
      EXCEPT
      SELECT target, state, jobs, attempts FROM job_counts))sql").getString();
}

}  // namespace

TEST_CASE("migration 006 totals the existing jobs, and its triggers keep the totals through every change", "[migrate]") {
  TempDir dir;
  {
    SQLite::Database db(dir / "q.db", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    migrate(db, schema_migrations().first(5));
    db.exec("INSERT INTO jobs (kind, target, key, payload, state, attempts, created_at, updated_at, due_at) VALUES "
            "('webhook', 'taskwarrior', 'vk:7', '{}', 'pending', 2, 1, 2, 3), "
            "('push', 'vikunja', 'tw:a', '{}', 'done', 1, 1, 2, 3), "
            "('push', 'vikunja', 'tw:b', '{}', 'done', 4, 1, 2, 3), "
            "('delete', 'vikunja', 'tw:c', '{}', 'dead', 5, 1, 2, 3)");
  }
  SQLite::Database db(dir / "q.db", SQLite::OPEN_READWRITE);
  migrate(db, schema_migrations());
  CHECK(db.execAndGet("SELECT jobs || '/' || attempts FROM job_counts WHERE target = 'vikunja' AND state = 'done'")
            .getString() == "2/5");
  CHECK(counts_disagreement(db).empty());

  db.exec("INSERT INTO jobs (kind, target, key, payload, created_at, updated_at, due_at) VALUES "
          "('push', 'vikunja', 'tw:d', '{}', 0, 0, 0)");
  db.exec("UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_until = 9 WHERE key = 'tw:d'");
  db.exec("UPDATE jobs SET state = 'pending', attempts = 0, lease_until = NULL WHERE key = 'tw:d'");
  db.exec("UPDATE jobs SET payload = '{\"x\":1}' WHERE key = 'vk:7'");  // no counted column changes
  db.exec("UPDATE jobs SET state = 'pending', attempts = 0 WHERE state = 'dead'");
  db.exec("DELETE FROM jobs WHERE state = 'done'");
  INFO(counts_disagreement(db));
  CHECK(counts_disagreement(db).empty());
  CHECK(db.execAndGet("SELECT sum(jobs) FROM job_counts").getInt() == 3);
}
