-- The mass-delete guard (worker/sync/delete_guard.hpp): deletes the user confirmed with
-- `vikunja-worker reconcile --allow-deletes`, per side the tasks vanished from. Deletes held
-- back are not stored here: they stay pending jobs while the receiving target is paused with
-- reason 'mass delete', so a held delete loses nothing and shows in `status` and `doctor`.
CREATE TABLE delete_confirmations (
  vanished_in       TEXT    PRIMARY KEY CHECK (vanished_in IN ('taskwarrior', 'vikunja')),
  -- Jobs queued (created_at) by this time delete without asking. A time, not a job id: ids of
  -- purged jobs are given out again.
  confirmed_at      INTEGER NOT NULL,
  -- Deletes before this time are not counted against the threshold again.
  counted_from      INTEGER NOT NULL
);
