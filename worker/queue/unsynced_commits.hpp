#pragma once
// The commits made while an UnsyncedCommits lives are not synced: the next synced commit carries
// them to disk. Only for rows whose loss in a power cut costs nothing, or little; each caller
// says which. NORMAL, not OFF: in WAL mode NORMAL skips only the commit's sync, while a
// checkpoint that the commit may run still syncs the database before the WAL can be reused.

#include <string>

#include <SQLiteCpp/Database.h>

namespace vsync {

class UnsyncedCommits {
 public:
  explicit UnsyncedCommits(SQLite::Database& db) : db_(db), level_(db.execAndGet("PRAGMA synchronous").getInt()) {
    db_.exec("PRAGMA synchronous = NORMAL");
  }
  ~UnsyncedCommits() {
    try {
      db_.exec("PRAGMA synchronous = " + std::to_string(level_));
    } catch (const std::exception&) {
      // Setting a connection's own flag outside a transaction does not fail in practice; if it
      // did, the connection would stay at NORMAL: later commits unsynced, the file never torn.
    }
  }
  UnsyncedCommits(const UnsyncedCommits&) = delete;
  UnsyncedCommits& operator=(const UnsyncedCommits&) = delete;

 private:
  SQLite::Database& db_;
  int level_;
};

}  // namespace vsync
