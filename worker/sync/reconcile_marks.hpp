#pragma once
// Table reconcile_marks (schema/011): when the sync began and when reconciles ran, so that the
// next one knows what to read. A full pass runs when asked (`reconcile --full`, and with
// --include-completed or --allow-deletes, which need every task), on the first reconcile, and
// whenever the last full pass began more than a day ago; otherwise only changes are read:
// Vikunja's from the latest change a reconcile saw there, by Vikunja's own clock (whatever the
// skew between the machines), less a margin (a task changed during a paged read while a later
// page showed a newer one); Taskwarrior's when its files were written since the last look.

#include <optional>

#include <SQLiteCpp/Database.h>

#include "shared/clock.hpp"
#include "worker/sync/reconcile.hpp"

namespace vsync {

struct ReconcileRequest {
  bool dry_run = false;           // plan and print; queue and record nothing
  bool allow_deletes = false;     // confirm the deletes held back as a mass delete
  bool full = false;              // a full pass whatever the last one
  bool include_completed = false;  // onboard completed tasks of any age
};

struct ReconcileTimes {
  std::optional<UnixMillis> sync_start;  // local clock; each side's by its own clock:
  std::optional<UnixMillis> taskwarrior_sync_start;
  std::optional<UnixMillis> vikunja_sync_start;
  std::optional<UnixMillis> last;
  std::optional<UnixMillis> last_full;
  std::optional<UnixMillis> vikunja_seen_until;
  std::optional<UnixMillis> taskwarrior_written_at;
  std::optional<ReconcileKind> last_kind() const;  // of the last reconcile, when one ran
};

inline constexpr UnixMillis full_pass_every = 24 * 3'600'000;

class ReconcileMarks {
 public:
  explicit ReconcileMarks(SQLite::Database& db) : db_(db) {}

  ReconcileTimes read();
  ReconcileScope scope_for(const ReconcileRequest& request, UnixMillis now);
  // After a reconcile that began reading at `started` and ended at `finished` queued its plan.
  void record(const ReconcilePlan& plan, UnixMillis started, UnixMillis finished);

 private:
  SQLite::Database& db_;
};

}  // namespace vsync
