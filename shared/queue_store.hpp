#pragma once
// The SQLite queue file. Constructing a QueueStore opens or creates the queue (directory 0700,
// file 0600), switches it to WAL and checks that WAL took, sets synchronous=FULL and a busy
// timeout, and migrates the schema; it throws Error(cant_create | io | temp_fail) otherwise.
// Every write is one BEGIN IMMEDIATE transaction: when enqueue() returns, the job is on disk.
//
// The WAL file persists between processes (SQLITE_FCNTL_PERSIST_WAL): a short-lived process
// that is the only one on the queue neither deletes nor re-creates it, which would cost a
// directory sync each time. With CloseCheckpoint::leave_to_worker (vikunja-enqueue) closing does
// not checkpoint either, so an enqueue into an existing queue pays exactly one fdatasync, its
// commit's; the worker checkpoints after its drains, and without a worker the enqueue whose
// commit leaves 200 frames or more truncates the WAL (a commit hook in place of SQLite's
// automatic checkpoint), so it stays bounded.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

#include <SQLiteCpp/Database.h>

#include "shared/clock.hpp"
#include "shared/job.hpp"

namespace vsync {

struct EnqueueResult {
  enum class Outcome {
    added,      // a new pending job
    replaced,   // the key's pending job now holds this snapshot (coalesced)
    kept_newer  // the key's pending job holds a newer snapshot; this one was dropped as stale
  };
  std::int64_t job_id;
  Outcome outcome;
};

enum class CloseCheckpoint { on_close, leave_to_worker };

class QueueStore {
 public:
  static constexpr std::chrono::milliseconds default_busy_timeout{10'000};

  QueueStore(const std::filesystem::path& path, const Clock& clock,
             std::chrono::milliseconds busy_timeout = default_busy_timeout,
             CloseCheckpoint close_checkpoint = CloseCheckpoint::on_close);

  // The coalescing rule of design.md: one pending job per key and direction (push and delete
  // to Vikunja, webhooks to Taskwarrior), newest snapshot wins (a delete replaces a pending
  // push), attempts and due time reset; a key whose job is running gets a second, pending job
  // that waits for it. A webhook job for a linked task is queued under the task's key
  // (key_of_vikunja_task), whatever key it came with.
  EnqueueResult enqueue(const NewJob& job);

  // Whether `key` has a pending job to `target` (a reconcile leaves such a job as it is).
  bool has_pending(const std::string& key, Target target);

  // The key of a webhook job: the linked Taskwarrior task's (tw:<uuid>), so that jobs about one
  // task in both directions run one at a time in queue order; vk:<id> while it is unlinked.
  std::string key_of_vikunja_task(std::int64_t vikunja_task_id);

  // SQLite's data_version: it changes when another connection commits, never for our own.
  std::int64_t data_version();

  // Copies what the WAL holds into the database file without waiting for readers (PASSIVE).
  void checkpoint();

  const std::filesystem::path& path() const { return path_; }
  SQLite::Database& database() { return db_; }

 private:
  std::string linked_key(const std::string& key);  // caller handles SQLite errors

  std::filesystem::path path_;
  const Clock& clock_;
  SQLite::Database db_;
};

// For commands that only read or administer a queue: Error(no_input) naming `path` when there
// is no queue there, where opening it would create an empty one.
void require_existing_queue(const std::filesystem::path& path);

// Wraps a SQLite failure on the queue as Error with the sysexits code that fits its cause.
[[noreturn]] void throw_queue_error(const std::string& context, const SQLite::Exception& e);

}  // namespace vsync
