-- One order per task. Once a Vikunja task is linked, its webhook jobs take the key of the
-- Taskwarrior task (tw:<uuid>), so the jobs about one task, in either direction, share a key:
-- they never run at the same time and run in the order they were queued. Coalescing stays
-- per direction: one pending job per key and target.
-- SQLite cannot change a CHECK constraint in place: the table is rebuilt, its views with it.
DROP VIEW queue;
DROP VIEW queue_summary;

CREATE TABLE jobs_new (
  id           INTEGER PRIMARY KEY,
  kind         TEXT    NOT NULL CHECK (kind IN ('push', 'delete', 'webhook')),
  target       TEXT    NOT NULL CHECK (target IN ('vikunja', 'taskwarrior')),
  key          TEXT    NOT NULL CHECK (key GLOB 'tw:?*' OR key GLOB 'vk:?*'),
  payload      TEXT    NOT NULL CHECK (length(payload) > 0),
  -- The source's own time of the snapshot (a webhook's data.task.updated), so that a
  -- delivery Vikunja retried late never replaces a newer one. NULL when unknown.
  snapshot_at  INTEGER,
  state        TEXT    NOT NULL DEFAULT 'pending'
                       CHECK (state IN ('pending', 'running', 'done', 'dead')),
  attempts     INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL,
  due_at       INTEGER NOT NULL,
  lease_until  INTEGER,
  lease_owner  TEXT,
  last_error   TEXT,
  CHECK ((kind = 'webhook') = (target = 'taskwarrior')),
  -- A webhook's key is its Vikunja task's (vk:<id>) until that task is linked, then the
  -- Taskwarrior task's (tw:<uuid>); pushes and deletes always have the latter.
  CHECK (kind = 'webhook' OR key GLOB 'tw:*'),
  CHECK ((state = 'running') = (lease_until IS NOT NULL))
);

INSERT INTO jobs_new (id, kind, target, key, payload, snapshot_at, state, attempts, created_at, updated_at,
                      due_at, lease_until, lease_owner, last_error)
SELECT id, kind, target, key, payload, snapshot_at, state, attempts, created_at, updated_at,
       due_at, lease_until, lease_owner, last_error FROM jobs;
DROP TABLE jobs;
ALTER TABLE jobs_new RENAME TO jobs;

CREATE UNIQUE INDEX jobs_one_pending_per_key ON jobs (key, target) WHERE state = 'pending';

-- Pending webhook jobs of tasks linked already take the task's key.
UPDATE OR IGNORE jobs
SET key = 'tw:' || (SELECT tw_uuid FROM task_map WHERE vikunja_id = CAST(substr(jobs.key, 4) AS INTEGER))
WHERE state = 'pending' AND key GLOB 'vk:*'
  AND EXISTS (SELECT 1 FROM task_map WHERE vikunja_id = CAST(substr(jobs.key, 4) AS INTEGER));
CREATE INDEX jobs_by_state_due ON jobs (state, target, due_at);
CREATE INDEX jobs_by_key ON jobs (key, state);

-- For people with sqlite3: every job with local times and a readable age.
CREATE VIEW queue AS
WITH aged AS (
  SELECT *, (CAST(strftime('%s', 'now') AS INTEGER) * 1000 - created_at) / 1000 AS age_s FROM jobs
)
SELECT id, kind, target, key, state, attempts,
       datetime(created_at / 1000, 'unixepoch', 'localtime') AS created,
       datetime(updated_at / 1000, 'unixepoch', 'localtime') AS updated,
       CASE WHEN state = 'pending' THEN datetime(due_at / 1000, 'unixepoch', 'localtime') END AS due,
       datetime(lease_until / 1000, 'unixepoch', 'localtime') AS lease_until,
       age_s,
       CASE WHEN age_s < 60    THEN age_s || 's'
            WHEN age_s < 3600  THEN (age_s / 60) || 'm' || printf('%02d', age_s % 60) || 's'
            WHEN age_s < 86400 THEN (age_s / 3600) || 'h' || printf('%02d', age_s / 60 % 60) || 'm'
            ELSE (age_s / 86400) || 'd' || printf('%02d', age_s / 3600 % 24) || 'h' END AS age,
       last_error
FROM aged ORDER BY id;

-- Counts per target and state, the oldest pending job's age and the next due time.
CREATE VIEW queue_summary AS
SELECT target, state, count(*) AS jobs,
       CASE WHEN state = 'pending'
            THEN (CAST(strftime('%s', 'now') AS INTEGER) * 1000 - min(created_at)) / 1000 END
         AS oldest_age_s,
       CASE WHEN state = 'pending'
            THEN datetime(min(due_at) / 1000, 'unixepoch', 'localtime') END AS next_due
FROM jobs GROUP BY target, state ORDER BY target, state;
