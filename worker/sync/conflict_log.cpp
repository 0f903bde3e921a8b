#include "worker/sync/conflict_log.hpp"

#include <SQLiteCpp/Statement.h>

#include "shared/queue_store.hpp"
#include "worker/queue/on_queue.hpp"

namespace vsync {

void ConflictLog::insert(const std::string& tw_uuid, std::int64_t vikunja_id, const FieldConflict& conflict,
                         const std::string& field, const std::string& rule) {
  on_queue(db_, "record a conflict", [&] {
    SQLite::Statement insert(db_,
                             "INSERT INTO conflicts (tw_uuid, vikunja_id, field, base_value, taskwarrior_value, "
                             "vikunja_value, winner, rule, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    insert.bind(1, tw_uuid);
    insert.bind(2, vikunja_id);
    insert.bind(3, field);
    insert.bind(4, conflict.base);
    insert.bind(5, conflict.taskwarrior);
    insert.bind(6, conflict.vikunja);
    insert.bind(7, std::string(to_string(conflict.winner)));
    insert.bind(8, rule);
    insert.bind(9, clock_.now());
    insert.exec();
  });
  log_.log(LogLevel::notice, "conflict", "tw_uuid={} vikunja_id={} field={} winner={} rule={}", tw_uuid,
           vikunja_id, field, conflict.winner, rule);
}

void ConflictLog::record(const std::string& tw_uuid, std::int64_t vikunja_id,
                         const std::vector<FieldConflict>& conflicts, ConflictRule rule) {
  for (const FieldConflict& conflict : conflicts) {
    insert(tw_uuid, vikunja_id, conflict, std::string(to_string(conflict.field)), std::string(to_string(rule)));
  }
}

void ConflictLog::record_notes(const std::string& tw_uuid, std::int64_t vikunja_id,
                               const std::vector<NoteConflict>& conflicts, ConflictRule rule) {
  for (const NoteConflict& note : conflicts) {
    const FieldConflict conflict{Field::description, note.base, note.taskwarrior, note.vikunja, note.winner};
    insert(tw_uuid, vikunja_id, conflict, "annotation", note.delete_won ? "delete wins" : std::string(to_string(rule)));
  }
}

void ConflictLog::record_delete(const std::string& tw_uuid, std::int64_t vikunja_id, Side deleted_in,
                                const std::string& losing_edit) {
  const bool in_taskwarrior = deleted_in == Side::taskwarrior;
  const FieldConflict conflict{Field::title, "(linked)", in_taskwarrior ? "(deleted)" : losing_edit,
                               in_taskwarrior ? losing_edit : "(deleted)", deleted_in};
  insert(tw_uuid, vikunja_id, conflict, "deleted", "delete wins");
}

}  // namespace vsync
