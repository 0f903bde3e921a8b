#pragma once
// Brings a queue database to the newest schema by PRAGMA user_version.
// All pending migrations run in one BEGIN IMMEDIATE transaction, so two processes opening a new
// queue at once serialise on the write lock and the second finds the work done.
// Throws Error(io) for a database newer than this build or one that is not a vikunja-sync queue.

#include <span>

#include <SQLiteCpp/Database.h>

#include "shared/schema_migrations.hpp"

namespace vsync {

void migrate(SQLite::Database& db, std::span<const Migration> migrations);

int schema_version(SQLite::Database& db);

}  // namespace vsync
