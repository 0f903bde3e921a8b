#include "shared/queue_store.hpp"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <thread>

#include <fmt/format.h>

#include <SQLiteCpp/Statement.h>

#include <catch2/catch.hpp>

#include "queue_dump.hpp"
#include "shared/error.hpp"
#include "temp_dir.hpp"

using namespace vsync;
using vsync::test::TempDir;

namespace {

const std::string uuid_a = "bf153689-a744-44f5-9cd0-9720dddfec46";

NewJob push(const std::string& payload, const std::string& uuid = uuid_a) {
  return {JobKind::push, taskwarrior_key(uuid), payload, std::nullopt};
}

NewJob webhook(long long id, const std::string& payload, std::optional<UnixMillis> updated) {
  return {JobKind::webhook, vikunja_key(id), payload, updated};
}

std::string column_of(QueueStore& store, std::int64_t id, const std::string& column) {
  SQLite::Statement query(store.database(), "SELECT " + column + " FROM jobs WHERE id = ?");
  query.bind(1, id);
  REQUIRE(query.executeStep());
  return query.getColumn(0).getString();
}

unsigned mode_of(const std::filesystem::path& path) {
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  return info.st_mode & 0777;
}

}  // namespace

TEST_CASE("a new queue is created private: directory 0700, file 0600, WAL", "[queue_store]") {
  TempDir dir;
  FakeClock clock(1'000'000);
  const auto path = dir / "state" / "vikunja-sync" / "queue.db";
  QueueStore store(path, clock);
  CHECK(mode_of(path) == 0600);
  CHECK(mode_of(path.parent_path()) == 0700);
  CHECK(mode_of(path.parent_path().parent_path()) == 0700);
  CHECK(store.database().execAndGet("PRAGMA journal_mode").getString() == "wal");
  CHECK(store.database().execAndGet("PRAGMA synchronous").getInt() == 2);  // FULL
}

TEST_CASE("enqueue adds a pending job due now", "[queue_store]") {
  TempDir dir;
  FakeClock clock(1'700'000'000'000);
  QueueStore store(dir / "queue.db", clock);
  const auto result = store.enqueue(push("{}"));
  CHECK(result.outcome == EnqueueResult::Outcome::added);
  CHECK(column_of(store, result.job_id, "state") == "pending");
  CHECK(column_of(store, result.job_id, "target") == "vikunja");
  CHECK(column_of(store, result.job_id, "due_at") == "1700000000000");
  CHECK(column_of(store, result.job_id, "key") == "tw:" + uuid_a);
}

TEST_CASE("coalescing keeps one pending job per key", "[queue_store]") {
  TempDir dir;
  FakeClock clock(1'000'000);
  QueueStore store(dir / "queue.db", clock);
  const auto first = store.enqueue(push(R"({"v":1})"));

  SECTION("the newest snapshot wins and attempts and due time reset") {
    store.database().exec("UPDATE jobs SET attempts = 4, due_at = 9999999, last_error = 'boom'");
    clock.advance(5'000);
    const auto second = store.enqueue(push(R"({"v":2})"));
    CHECK(second.job_id == first.job_id);
    CHECK(second.outcome == EnqueueResult::Outcome::replaced);
    CHECK(column_of(store, first.job_id, "payload") == R"({"v":2})");
    CHECK(column_of(store, first.job_id, "attempts") == "0");
    CHECK(column_of(store, first.job_id, "due_at") == "1005000");
    CHECK(column_of(store, first.job_id, "last_error") == "");
    CHECK(test::count_jobs(dir / "queue.db") == 1);
  }
  SECTION("a delete replaces a pending push") {
    const auto del = store.enqueue({JobKind::del, taskwarrior_key(uuid_a), R"({"v":3})", {}});
    CHECK(del.job_id == first.job_id);
    CHECK(column_of(store, first.job_id, "kind") == "delete");
  }
  SECTION("a push replaces a pending delete (the task was restored: undo, or status pending again)") {
    store.enqueue({JobKind::del, taskwarrior_key(uuid_a), R"({"v":3})", {}});
    const auto restored = store.enqueue(push(R"({"v":4})"));
    CHECK(restored.job_id == first.job_id);
    CHECK(restored.outcome == EnqueueResult::Outcome::replaced);
    CHECK(column_of(store, first.job_id, "kind") == "push");
    CHECK(column_of(store, first.job_id, "payload") == R"({"v":4})");
    CHECK(test::count_jobs(dir / "queue.db") == 1);
  }
  SECTION("a key whose job is running gets a second job that waits") {
    store.database().exec("UPDATE jobs SET state = 'running', lease_until = 2000000");
    const auto second = store.enqueue(push(R"({"v":2})"));
    CHECK(second.job_id != first.job_id);
    CHECK(second.outcome == EnqueueResult::Outcome::added);
    CHECK(column_of(store, first.job_id, "payload") == R"({"v":1})");
    CHECK(test::count_jobs(dir / "queue.db", "state = 'pending'") == 1);
  }
  SECTION("a finished job does not absorb a new one") {
    store.database().exec("UPDATE jobs SET state = 'done'");
    CHECK(store.enqueue(push("{}")).job_id != first.job_id);
  }
  SECTION("different keys are independent") {
    const auto other = store.enqueue(push("{}", "be483695-23ab-463e-8f94-6cf9c8b7f7d8"));
    CHECK(other.job_id != first.job_id);
    CHECK(test::count_jobs(dir / "queue.db") == 2);
  }
}

TEST_CASE("a late webhook delivery never replaces a newer pending snapshot", "[queue_store]") {
  TempDir dir;
  FakeClock clock(1'000'000);
  QueueStore store(dir / "queue.db", clock);
  const auto newer = store.enqueue(webhook(131, "newer", 2'000));
  const auto late = store.enqueue(webhook(131, "older", 1'000));
  CHECK(late.job_id == newer.job_id);
  CHECK(late.outcome == EnqueueResult::Outcome::kept_newer);
  CHECK(column_of(store, newer.job_id, "payload") == "newer");

  SECTION("a snapshot of the same time replaces it (task.deleted carries the last update's time)") {
    CHECK(store.enqueue(webhook(131, "deleted", 2'000)).outcome ==
          EnqueueResult::Outcome::replaced);
    CHECK(column_of(store, newer.job_id, "payload") == "deleted");
  }
}

TEST_CASE("jobs survive closing and reopening the queue", "[queue_store]") {
  TempDir dir;
  FakeClock clock(1'000'000);
  std::int64_t id = 0;
  {
    QueueStore store(dir / "queue.db", clock);
    id = store.enqueue(push("{\"durable\":true}")).job_id;
  }
  QueueStore reopened(dir / "queue.db", clock);
  CHECK(column_of(reopened, id, "payload") == "{\"durable\":true}");
}

TEST_CASE("two connections racing on one new queue lose nothing", "[queue_store]") {
  TempDir dir;
  const auto path = dir / "queue.db";
  constexpr int per_thread = 100;
  auto enqueue_many = [&](int thread_index) {
    SystemClock clock;
    QueueStore store(path, clock);  // both threads may be the one that creates the schema
    for (int i = 0; i < per_thread; ++i) {
      // Half the keys are shared between the threads, so coalescing races too.
      const int n = i % 2 == 0 ? i : thread_index * 1000 + i;
      char uuid[37];
      std::snprintf(uuid, sizeof uuid, "00000000-0000-4000-8000-%012d", n);
      store.enqueue(push(std::to_string(thread_index), uuid));
    }
  };
  std::thread a(enqueue_many, 1), b(enqueue_many, 2);
  a.join();
  b.join();
  // 50 shared keys coalesced into one job each, plus 50 private keys per thread.
  CHECK(test::count_jobs(path) == 150);
  CHECK(test::count_jobs(path, "state = 'pending'") == 150);
}

TEST_CASE("queue paths that cannot hold a queue are refused with their cause", "[queue_store]") {
  TempDir dir;
  FakeClock clock(0);
  SECTION("the path is a directory") {
    std::filesystem::create_directory(dir / "queue.db");
    REQUIRE_THROWS_WITH(QueueStore(dir / "queue.db", clock),
                        "cannot open queue " + (dir / "queue.db").string() + ": Is a directory");
  }
  SECTION("the parent is a regular file") {
    dir.write("file", "x");
    try {
      QueueStore(dir / "file" / "queue.db", clock);
      FAIL("expected an error");
    } catch (const Error& e) {
      CHECK(e.exit_code() == ExitCode::cant_create);
      CHECK(std::string(e.what()) ==
            "cannot open queue " + (dir / "file" / "queue.db").string() + ": Not a directory");
    }
  }
  SECTION("the file is not a SQLite database") {
    dir.write("queue.db", "this is a shopping list, not a database\n");
    try {
      QueueStore(dir / "queue.db", clock);
      FAIL("expected an error");
    } catch (const Error& e) {
      CHECK(e.exit_code() == ExitCode::io);
      CHECK(std::string(e.what()) ==
            "cannot open queue " + (dir / "queue.db").string() + ": file is not a database");
    }
    CHECK(test::read_file(dir / "queue.db") == "this is a shopping list, not a database\n");
  }
  SECTION("the file is somebody else's SQLite database") {
    {
      SQLite::Database other(dir / "queue.db", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
      other.exec("CREATE TABLE recipes (name TEXT)");
    }
    REQUIRE_THROWS_WITH(QueueStore(dir / "queue.db", clock),
                        "cannot open queue " + (dir / "queue.db").string() +
                            ": it is a SQLite database but not a vikunja-sync queue");
  }
  SECTION("the directory is read-only") {
    namespace fs = std::filesystem;
    fs::create_directory(dir / "ro");
    fs::permissions(dir.path(), fs::perms::owner_all | fs::perms::others_read | fs::perms::others_exec);
    fs::permissions(dir / "ro", fs::perms::owner_read | fs::perms::owner_exec | fs::perms::others_read |
                                    fs::perms::others_exec);
    // Root writes anywhere: under root (as in CI) the attempt is made as user nobody, in a child.
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(99);
      try {
        QueueStore store(dir / "ro" / "queue.db", clock);
        ::_exit(0);
      } catch (const Error& e) {
        ::_exit(static_cast<int>(e.exit_code()));
      }
    }
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == static_cast<int>(ExitCode::cant_create));
    CHECK_FALSE(fs::exists(dir / "ro" / "queue.db"));
  }
}

namespace {

std::uintmax_t wal_size(const std::filesystem::path& queue) {
  std::error_code error;
  const auto size = std::filesystem::file_size(queue.string() + "-wal", error);
  return error ? 0 : size;
}

}  // namespace

TEST_CASE("a job committed by a process killed before it closed the queue is there for the next",
          "[queue_store][durability]") {
  TempDir dir;
  FakeClock clock(1'000'000);
  const auto path = dir / "queue.db";
  { QueueStore create(path, clock); }
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    QueueStore store(path, clock, QueueStore::default_busy_timeout, CloseCheckpoint::leave_to_worker);
    store.enqueue(push(R"({"description":"survives"})"));
    ::kill(::getpid(), SIGKILL);  // no close, no checkpoint, no destructor
    ::_exit(0);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFSIGNALED(status));
  REQUIRE(WTERMSIG(status) == SIGKILL);
  CHECK(wal_size(path) > 0);  // the job is in the WAL only

  QueueStore reopened(path, clock);
  CHECK(reopened.database().execAndGet("SELECT payload FROM jobs").getString() == R"({"description":"survives"})");
}

TEST_CASE("the enqueue side leaves its commit in the WAL, not checkpointed on close",
          "[queue_store][durability]") {
  TempDir dir;
  FakeClock clock(1'000'000);
  const auto path = dir / "queue.db";
  {
    QueueStore enqueue(path, clock, QueueStore::default_busy_timeout, CloseCheckpoint::leave_to_worker);
    enqueue.enqueue(push(R"({"description":"one"})"));
  }
  REQUIRE(wal_size(path) > 0);
  {
    // Straight from the file: the database itself does not hold the job until a checkpoint.
    SQLite::Database raw(path, SQLite::OPEN_READWRITE);
    const auto frames = [&] {
      SQLite::Statement checkpoint(raw, "PRAGMA wal_checkpoint(PASSIVE)");
      checkpoint.executeStep();
      return std::pair(checkpoint.getColumn(1).getInt(), checkpoint.getColumn(2).getInt());
    };
    const auto [log_frames, checkpointed] = frames();
    CHECK(log_frames > 0);
    CHECK(checkpointed == log_frames);
  }
  // A worker-side store keeps the file too (no delete and re-create on the next open).
  { QueueStore worker(path, clock); }
  CHECK(std::filesystem::exists(path.string() + "-wal"));
}

TEST_CASE("without a worker the WAL stays bounded: SQLite's automatic checkpoint runs on enqueue",
          "[queue_store][durability]") {
  TempDir dir;
  FakeClock clock(1'000'000);
  const auto path = dir / "queue.db";
  std::uintmax_t largest = 0;
  for (int n = 0; n < 600; ++n) {  // about 10 MB of WAL frames if nothing ever checkpointed
    QueueStore store(path, clock, QueueStore::default_busy_timeout, CloseCheckpoint::leave_to_worker);
    // Every other one replaces a pending job (the coalescing path reads before it writes).
    const int task = n % 2 == 0 ? n : 1;
    store.enqueue(push(fmt::format(R"({{"n":{}}})", n), fmt::format("00000000-0000-4000-8000-{:012}", task)));
    largest = std::max(largest, wal_size(path));
  }
  CHECK(largest > 0);
  CHECK(largest <= 5u << 20);
  QueueStore reopened(path, clock);
  CHECK(reopened.database().execAndGet("SELECT count(*) FROM jobs").getInt() == 301);
}

TEST_CASE("a WAL removed by another program (a sqlite3 shell closing last) is created again",
          "[queue_store][durability]") {
  TempDir dir;
  FakeClock clock(1'000'000);
  const auto path = dir / "queue.db";
  { QueueStore first(path, clock, QueueStore::default_busy_timeout, CloseCheckpoint::leave_to_worker); }
  std::filesystem::remove(path.string() + "-wal");  // as a sqlite3 shell closing last would
  QueueStore store(path, clock, QueueStore::default_busy_timeout, CloseCheckpoint::leave_to_worker);
  store.enqueue(push(R"({"description":"after"})"));
  CHECK(wal_size(path) > 0);
}
