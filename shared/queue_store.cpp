#include "shared/queue_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>
#include <SQLiteCpp/Transaction.h>
#include <fmt/format.h>
#include <fmt/std.h>

#include "shared/error.hpp"
#include "shared/existing_wal_vfs.hpp"
#include "shared/migrate.hpp"

namespace vsync {

namespace fs = std::filesystem;

void require_existing_queue(const fs::path& path) {
  std::error_code error;
  if (!fs::exists(path, error)) {
    throw Error(ExitCode::no_input,
                fmt::format("no queue at {}: nothing has been queued there yet (check --db, VIKUNJA_SYNC_DB, "
                            "or run `vikunja-worker config`)",
                            path.string()));
  }
}

void throw_queue_error(const std::string& context, const SQLite::Exception& e) {
  ExitCode code = ExitCode::io;
  switch (e.getErrorCode()) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED: code = ExitCode::temp_fail; break;
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM: code = ExitCode::cant_create; break;
    default: break;
  }
  throw Error(code, fmt::format("{}: {}", context, e.what()));
}

namespace {

std::string errno_text(int error_number) { return std::strerror(error_number); }

// mkdir -p with 0700 for every directory we create; existing ones are left as they are.
void create_private_directories(const fs::path& directory) {
  if (directory.empty() || fs::exists(directory)) return;
  create_private_directories(directory.parent_path());
  if (::mkdir(directory.c_str(), 0700) != 0 && errno != EEXIST) {
    throw Error(ExitCode::cant_create,
                fmt::format("cannot create directory {}: {}", directory.string(), errno_text(errno)));
  }
}

// Creating the file ourselves gives it mode 0600 (SQLite would use 0644) and turns a path that
// is a directory or sits under a file into a plain errno message.
void create_private_file(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    throw Error(ExitCode::cant_create,
                fmt::format("cannot open queue {}: {}", path.string(), errno_text(errno)));
  }
  ::close(fd);
}

SQLite::Database open_database(const fs::path& path, std::chrono::milliseconds busy_timeout) {
  create_private_directories(path.parent_path());
  create_private_file(path);
  try {
    return SQLite::Database(path, SQLite::OPEN_READWRITE | SQLite::OPEN_NOFOLLOW,
                            static_cast<int>(busy_timeout.count()), existing_wal_vfs());
  } catch (const SQLite::Exception& e) {
    throw_queue_error(fmt::format("cannot open queue {}", path.string()), e);
  }
}

// When the enqueue side (no checkpoint on close) truncates the WAL itself: about 800 KiB, some
// 50 enqueues. A process that opens a queue no other process has open must read the whole WAL
// to rebuild its index, so the WAL is kept short; and it is truncated, not merely checkpointed:
// that rebuild cannot know what an earlier process checkpointed and would keep every frame.
constexpr int enqueue_wal_frames_limit = 200;

// A commit hook in place of SQLite's automatic checkpoint. It never waits: when another process
// reads or writes just now, the WAL is left for the next commit or the worker. The job is
// committed before this runs, so nothing here can lose it.
int truncate_long_wal(void* busy_timeout_ms, sqlite3* db, const char* schema, int frames) {
  if (frames < enqueue_wal_frames_limit) return SQLITE_OK;
  sqlite3_busy_timeout(db, 0);
  sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
  sqlite3_busy_timeout(db, static_cast<int>(reinterpret_cast<std::intptr_t>(busy_timeout_ms)));
  return SQLITE_OK;
}

void configure(SQLite::Database& db, CloseCheckpoint close_checkpoint, std::chrono::milliseconds busy_timeout) {
  const std::string journal_mode = db.execAndGet("PRAGMA journal_mode = WAL").getString();
  if (journal_mode != "wal") {
    throw Error(ExitCode::io, fmt::format("WAL mode did not take effect (journal_mode is {})",
                                          journal_mode));
  }
  // FULL: a job is durable once its commit returns, also across power loss.
  db.exec("PRAGMA synchronous = FULL");
  // The hot queries walk indexes over a few pages; the default 2 MiB cache per connection
  // would only hold a long-running worker's memory up (README "Performance").
  db.exec("PRAGMA cache_size = -512");
  int persist_wal = 1;
  if (sqlite3_file_control(db.getHandle(), "main", SQLITE_FCNTL_PERSIST_WAL, &persist_wal) != SQLITE_OK) {
    throw Error(ExitCode::io, "cannot keep the WAL file between processes (SQLITE_FCNTL_PERSIST_WAL)");
  }
  if (close_checkpoint == CloseCheckpoint::on_close) {
    // A persistent WAL is cut back to nothing when the last such connection closes.
    db.exec("PRAGMA journal_size_limit = 0");
    return;
  }
  if (sqlite3_db_config(db.getHandle(), SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr) != SQLITE_OK) {
    throw Error(ExitCode::io, "cannot leave the checkpoint to the worker (SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE)");
  }
  // The busy timeout travels as the hook's context: an integer, so no object has to outlive it.
  sqlite3_wal_hook(db.getHandle(), truncate_long_wal,
                   reinterpret_cast<void*>(static_cast<std::intptr_t>(busy_timeout.count())));
}

}  // namespace

QueueStore::QueueStore(const fs::path& path, const Clock& clock,
                       std::chrono::milliseconds busy_timeout, CloseCheckpoint close_checkpoint)
    : path_(path), clock_(clock), db_(open_database(path, busy_timeout)) {
  const std::string context = fmt::format("cannot open queue {}", path.string());
  try {
    // Migrate first: it refuses a database that is not ours before anything writes to it.
    migrate(db_, schema_migrations());
    configure(db_, close_checkpoint, busy_timeout);
  } catch (const SQLite::Exception& e) {
    throw_queue_error(context, e);
  } catch (const Error& e) {
    throw Error(e.exit_code(), fmt::format("{}: {}", context, e.what()));
  }
}

std::int64_t QueueStore::data_version() {
  try {
    return db_.execAndGet("PRAGMA data_version").getInt64();
  } catch (const SQLite::Exception& e) {
    throw_queue_error(fmt::format("cannot read queue {}", path_.string()), e);
  }
}

void QueueStore::checkpoint() {
  try {
    db_.exec("PRAGMA wal_checkpoint(PASSIVE)");
  } catch (const SQLite::Exception& e) {
    throw_queue_error(fmt::format("cannot checkpoint queue {}", path_.string()), e);
  }
}

bool QueueStore::has_pending(const std::string& key, Target target) {
  try {
    SQLite::Statement pending(db_, "SELECT 1 FROM jobs WHERE key = ? AND target = ? AND state = 'pending'");
    pending.bind(1, key);
    pending.bind(2, std::string(to_string(target)));
    return pending.executeStep();
  } catch (const SQLite::Exception& e) {
    throw_queue_error(fmt::format("cannot read queue {}", path_.string()), e);
  }
}

std::string QueueStore::key_of_vikunja_task(std::int64_t vikunja_task_id) {
  try {
    return linked_key(vikunja_key(vikunja_task_id));
  } catch (const SQLite::Exception& e) {
    throw_queue_error(fmt::format("cannot read the task map of queue {}", path_.string()), e);
  }
}

std::string QueueStore::linked_key(const std::string& key) {
  SQLite::Statement linked(db_,
                           "SELECT tw_uuid FROM task_map WHERE ?1 GLOB 'vk:*' "
                           "AND vikunja_id = CAST(substr(?1, 4) AS INTEGER)");
  linked.bind(1, key);
  return linked.executeStep() ? taskwarrior_key(linked.getColumn(0).getString()) : key;
}

EnqueueResult QueueStore::enqueue(const NewJob& job) {
  try {
    SQLite::Transaction transaction(db_, SQLite::TransactionBehavior::IMMEDIATE);
    const UnixMillis now = clock_.now();
    // Read in the same transaction as the insert, so a link made meanwhile is never missed.
    const std::string key = job.kind == JobKind::webhook ? linked_key(job.key) : job.key;

    SQLite::Statement find_pending(
        db_, "SELECT id, snapshot_at FROM jobs WHERE key = ? AND target = ? AND state = 'pending'");
    find_pending.bind(1, key);
    find_pending.bind(2, std::string(to_string(target_of(job.kind))));
    if (find_pending.executeStep()) {
      const std::int64_t id = find_pending.getColumn(0).getInt64();
      const bool pending_has_snapshot = !find_pending.getColumn(1).isNull();
      const UnixMillis pending_snapshot = pending_has_snapshot ? find_pending.getColumn(1).getInt64() : 0;
      // Done reading: a statement left open keeps a read transaction after COMMIT, and the WAL
      // truncation in the commit hook would then fail (SQLITE_LOCKED) on every coalesced job.
      find_pending.reset();
      if (job.snapshot_at && pending_has_snapshot && *job.snapshot_at < pending_snapshot) {
        return {id, EnqueueResult::Outcome::kept_newer};  // rolls back: nothing was written
      }
      SQLite::Statement replace(db_,
                                "UPDATE jobs SET kind = ?, payload = ?, snapshot_at = ?, "
                                "attempts = 0, due_at = ?, updated_at = ?, last_error = NULL "
                                "WHERE id = ?");
      replace.bind(1, std::string(to_string(job.kind)));
      replace.bind(2, job.payload);
      if (job.snapshot_at) replace.bind(3, *job.snapshot_at);
      replace.bind(4, now);
      replace.bind(5, now);
      replace.bind(6, id);
      replace.exec();
      transaction.commit();
      return {id, EnqueueResult::Outcome::replaced};
    }

    SQLite::Statement insert(db_,
                             "INSERT INTO jobs (kind, target, key, payload, snapshot_at, "
                             "created_at, updated_at, due_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    insert.bind(1, std::string(to_string(job.kind)));
    insert.bind(2, std::string(to_string(target_of(job.kind))));
    insert.bind(3, key);
    insert.bind(4, job.payload);
    if (job.snapshot_at) insert.bind(5, *job.snapshot_at);
    insert.bind(6, now);
    insert.bind(7, now);
    insert.bind(8, now);
    insert.exec();
    const std::int64_t id = db_.getLastInsertRowid();
    transaction.commit();
    return {id, EnqueueResult::Outcome::added};
  } catch (const SQLite::Exception& e) {
    throw_queue_error(fmt::format("cannot add job to queue {}", path_.string()), e);
  }
}

}  // namespace vsync
