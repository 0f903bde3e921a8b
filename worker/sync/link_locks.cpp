#include "worker/sync/link_locks.hpp"

#include <optional>

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <fmt/format.h>

#include "worker/queue/job_outcome.hpp"
#include "worker/queue/link_lock_sql.hpp"
#include "worker/queue/on_queue.hpp"
#include "worker/queue/unsynced_commits.hpp"

namespace vsync {

void LinkLocks::lock(std::int64_t job_id, const std::set<std::string>& titles) {
  const auto busy = on_queue(db_, "take a link lock", [&]() -> std::optional<std::string> {
    // After a crash of the machine no job is running, so no lock is held: its row needs no sync
    // of its own, which every new task and every unlinked webhook would pay.
    const UnsyncedCommits unsynced(db_);
    SQLite::Transaction transaction(db_, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement holder(db_, fmt::format("SELECT job_id FROM link_locks AS held WHERE title = :title AND {}",
                                              link_lock_is_live_sql));
    // Under this worker's lease only: a worker whose lease ran out and whose job another worker
    // took over must not decide beside it. A lock that is not live is taken over.
    SQLite::Statement take(db_,
                           "INSERT INTO link_locks (title, job_id, owner, taken_at) "
                           "SELECT :title, id, lease_owner, :now FROM jobs WHERE id = :job AND state = 'running' "
                           "AND lease_owner = :owner ON CONFLICT (title) DO UPDATE SET job_id = excluded.job_id, "
                           "owner = excluded.owner, taken_at = excluded.taken_at");
    for (const std::string& title : titles) {
      holder.bind(":title", title);
      holder.bind(":now", clock_.now());
      const bool held_by_other = holder.executeStep() && holder.getColumn(0).getInt64() != job_id;
      holder.reset();
      if (held_by_other) return title;  // none taken: the transaction rolls back
      take.bind(":title", title);
      take.bind(":now", clock_.now());
      take.bind(":job", job_id);
      take.bind(":owner", owner_);
      if (take.exec() == 0) return title;
      take.reset();
    }
    transaction.commit();
    return std::nullopt;
  });
  if (busy) throw JobStopped{JobOutcome::wait_for_lock(*busy)};
}

void LinkLocks::wait_for_creates_in_flight(std::int64_t job_id) {
  const auto busy = on_queue(db_, "read the link locks", [&]() -> std::optional<std::string> {
    SQLite::Statement query(db_, fmt::format("SELECT held.title FROM vikunja_creates AS sent JOIN link_locks AS held "
                                             "ON held.title = json_extract(sent.fields, '$.title') "
                                             "WHERE held.job_id <> :job AND {} LIMIT 1",
                                             link_lock_is_live_sql));
    query.bind(":job", job_id);
    query.bind(":now", clock_.now());
    if (!query.executeStep()) return std::nullopt;
    return query.getColumn(0).getString();
  });
  if (busy) throw JobStopped{JobOutcome::wait_for_lock(*busy)};
}

}  // namespace vsync
