#include "shared/migrate.hpp"

#include <SQLiteCpp/Transaction.h>
#include <fmt/format.h>

#include "shared/error.hpp"

namespace vsync {

int schema_version(SQLite::Database& db) {
  return db.execAndGet("PRAGMA user_version").getInt();
}

namespace {

int newest_version(std::span<const Migration> migrations) {
  return migrations.empty() ? 0 : migrations.back().version;
}

// A file at version 0 must be empty: a user's unrelated SQLite database is never written to.
void require_empty_schema(SQLite::Database& db) {
  const int objects = db.execAndGet("SELECT count(*) FROM sqlite_schema").getInt();
  if (objects != 0) {
    throw Error(ExitCode::io, "it is a SQLite database but not a vikunja-sync queue");
  }
}

}  // namespace

void migrate(SQLite::Database& db, std::span<const Migration> migrations) {
  const int newest = newest_version(migrations);
  // The common case reads one header field and takes no write lock.
  if (schema_version(db) == newest) return;

  SQLite::Transaction transaction(db, SQLite::TransactionBehavior::IMMEDIATE);
  const int current = schema_version(db);
  if (current > newest) {
    throw Error(ExitCode::io,
                fmt::format("its schema version {} is newer than this vikunja-sync knows ({}); "
                            "upgrade vikunja-sync",
                            current, newest));
  }
  if (current == 0) require_empty_schema(db);
  for (const Migration& migration : migrations) {
    if (migration.version <= current) continue;
    try {
      db.exec(migration.sql);
    } catch (const SQLite::Exception& e) {
      throw Error(ExitCode::io, fmt::format("migration {} failed: {}", migration.name, e.what()));
    }
    // PRAGMA takes no bound parameters; the version is an integer from our own build.
    db.exec(fmt::format("PRAGMA user_version = {}", migration.version));
  }
  transaction.commit();
}

}  // namespace vsync
