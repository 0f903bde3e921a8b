#pragma once
// The mass-delete guard. A Vikunja whose data was replaced (a reinstall, an old backup, a URL
// pointed at another instance) answers "does not exist" for every linked task, and a sync that
// believed it would delete them all in Taskwarrior. So a delete that follows tasks vanishing on
// one side asks first whether it is one of many: more than `count` deletes from that side within
// `window`, counting the ones still queued, that are also more than `percent` of the links; or
// every linked task at once (at least two). Such a delete is held: its job pauses the target it
// would delete in, with reason "mass delete", and stays pending until the user confirms
// (`reconcile --allow-deletes`) or relinks (`relink`). Nothing is deleted and nothing is lost.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>

#include "shared/clock.hpp"
#include "shared/job.hpp"
#include "worker/sync/merge.hpp"

namespace vsync {

struct DeletePolicy {
  int count = 5;                   // more than this many deletes (0: the guard is off) ...
  int percent = 20;                // ... that are also more than this share of the links
  UnixMillis window = 3'600'000;   // within this long, the ones still queued included
};

inline constexpr const char* mass_delete_reason = "mass delete";
// How long a held delete pauses its target before the guard looks again (it holds again while
// the deletes are still queued and unconfirmed).
inline constexpr UnixMillis mass_delete_pause = 3'600'000;

// The target whose tasks a delete from `vanished_in` would delete: the other side.
Target receiving_target(Side vanished_in);

class DeleteGuard {
 public:
  DeleteGuard(SQLite::Database& db, const Clock& clock, DeletePolicy policy)
      : db_(db), clock_(clock), policy_(policy) {}

  // Off (count 0): nothing is held, whatever the counts.
  bool off() const;
  // Whether job `job_id` was queued (created) before the user confirmed the deletes: it is
  // never held.
  bool confirmed(Side vanished_in, std::int64_t job_id);
  // Before a running job deletes a task that vanished in `vanished_in`: why it must be held, or
  // nullopt.
  std::optional<std::string> hold(Side vanished_in);
  // Before a reconcile queues `planned` such deletes at once.
  std::optional<std::string> hold_planned(Side vanished_in, int planned);
  // After a delete made under a confirmation: it is not counted against later ones.
  void deleted(Side vanished_in, std::int64_t job_id);

  // Every delete queued so far goes ahead, from both sides; later ones are judged anew.
  void confirm();

  // Up to `at_most` other linked Vikunja tasks, spread over the ids, none whose delete is
  // queued: whether Vikunja still has any of them tells a task deleted there from a Vikunja
  // that lost them all.
  std::vector<std::int64_t> other_linked_vikunja_ids(std::int64_t vikunja_id, int at_most);

 private:
  struct Counts {
    long long recent = 0;  // deleted within the window, after the last confirmation
    long long queued = 0;  // pending or running jobs that would delete, not confirmed
    long long links = 0;   // linked pairs now
  };
  Counts counts(Side vanished_in);
  std::optional<std::string> judge(Side vanished_in, long long deletes, const Counts& counts) const;

  SQLite::Database& db_;
  const Clock& clock_;
  DeletePolicy policy_;
};

}  // namespace vsync
