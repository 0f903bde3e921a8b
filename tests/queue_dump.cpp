#include "queue_dump.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

namespace vsync::test {

// A reader may meet the worker's checkpoint truncating the WAL: it waits, as any reader should.
constexpr int busy_timeout_ms = 5000;

std::string dump_queue(const std::filesystem::path& db_path) {
  if (!std::filesystem::exists(db_path)) return "(no queue file)";
  SQLite::Database db(db_path, SQLite::OPEN_READONLY, busy_timeout_ms);
  std::string dump;
  for (const char* table : {"jobs", "breaker", "task_map"}) {
    SQLite::Statement rows(db, std::string("SELECT * FROM ") + table + " ORDER BY 1");
    while (rows.executeStep()) {
      dump += table;
      for (int i = 0; i < rows.getColumnCount(); ++i) dump += "|" + rows.getColumn(i).getString();
      dump += "\n";
    }
  }
  return dump;
}

int count_jobs(const std::filesystem::path& db_path, const std::string& where) {
  SQLite::Database db(db_path, SQLite::OPEN_READONLY, busy_timeout_ms);
  return db.execAndGet("SELECT count(*) FROM jobs WHERE " + where).getInt();
}

}  // namespace vsync::test
