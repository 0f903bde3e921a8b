-- When reconciles ran, for the next one: a reconcile reads only what changed since the last one
-- (Vikunja's `updated >` filter; Taskwarrior when its files changed), with a full pass once a day;
-- and a task completed after the sync began is carried over although it was never linked.
--   sync_start          the first reconcile on this queue (local clock): older completed tasks
--                       are history, not onboarded unless asked (`reconcile --include-completed`)
--   taskwarrior_sync_start, vikunja_sync_start
--                       the same by each side's clock: the latest change the first reconcile
--                       read there (a task completed before it changed no later)
--   last                the last reconcile of either kind began (local clock)
--   last_full           the last full pass began (local clock)
--   vikunja_seen_until  the latest `updated` a reconcile read in Vikunja, less the time the read
--                       took (Vikunja's clock: a skewed server clock hides nothing from the
--                       next pass over changes)
--   taskwarrior_written_at  when Taskwarrior's task files were last written, as the last reconcile
--                       saw them (file system clock): unchanged, the next pass does not read
--                       Taskwarrior at all
CREATE TABLE reconcile_marks (
  mark TEXT    PRIMARY KEY
               CHECK (mark IN ('sync_start', 'taskwarrior_sync_start', 'vikunja_sync_start', 'last', 'last_full', 'vikunja_seen_until',
                             'taskwarrior_written_at')),
  at   INTEGER NOT NULL  -- Unix milliseconds
);

-- A queue reconciled before this table existed began its sync no later than its last reconcile:
-- tasks completed since then are carried over, older ones stay history.
INSERT INTO reconcile_marks (mark, at)
SELECT 'sync_start', CAST(value * 1000 AS INTEGER) FROM counters
WHERE name = 'last_reconcile_timestamp_seconds' AND label = '';

CREATE VIEW reconcile_times AS
SELECT mark, datetime(at / 1000, 'unixepoch', 'localtime') AS at_local, at FROM reconcile_marks;
