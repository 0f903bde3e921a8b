#pragma once
// The schema migrations compiled in from schema/NNN_*.sql (see cmake/EmbedSchema.cmake).

#include <span>

namespace vsync {

struct Migration {
  int version;       // NNN of the file name; becomes PRAGMA user_version once applied
  const char* name;  // the file name without .sql
  const char* sql;
};

// In ascending version order.
std::span<const Migration> schema_migrations();

}  // namespace vsync
