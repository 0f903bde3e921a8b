#pragma once
// Table conflicts: every field changed on both sides and how it was decided, and every delete
// that won over an edit, with both values, so that no losing edit is unrecoverable. Each is
// also one log line (without the values: they are the user's data).

#include <cstdint>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>

#include "shared/clock.hpp"
#include "worker/log/logger.hpp"
#include "worker/sync/annotation_comments.hpp"
#include "worker/sync/merge.hpp"

namespace vsync {

class ConflictLog {
 public:
  ConflictLog(SQLite::Database& db, const Clock& clock, Logger& log) : db_(db), clock_(clock), log_(log) {}

  void record(const std::string& tw_uuid, std::int64_t vikunja_id, const std::vector<FieldConflict>& conflicts,
              ConflictRule rule);
  // Notes (an annotation and its comment) changed on both sides, or deleted on one and edited on
  // the other; recorded as field "annotation".
  void record_notes(const std::string& tw_uuid, std::int64_t vikunja_id, const std::vector<NoteConflict>& conflicts,
                    ConflictRule rule);
  // The task was deleted on `deleted_in` while the other side had changed it since the agreed
  // state; `losing_edit` is that side's task as it was.
  void record_delete(const std::string& tw_uuid, std::int64_t vikunja_id, Side deleted_in,
                     const std::string& losing_edit);

 private:
  void insert(const std::string& tw_uuid, std::int64_t vikunja_id, const FieldConflict& conflict,
              const std::string& field, const std::string& rule);

  SQLite::Database& db_;
  const Clock& clock_;
  Logger& log_;
};

}  // namespace vsync
