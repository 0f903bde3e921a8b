-- The durable job queue, the shared circuit breaker and the task mapping.
-- Times are integer Unix milliseconds (UTC); the views below render them in local time.

CREATE TABLE jobs (
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
  CHECK ((kind = 'webhook') = (key GLOB 'vk:*')),
  CHECK ((state = 'running') = (lease_until IS NOT NULL))
);

-- Coalescing: at most one pending job per key (newest snapshot wins).
CREATE UNIQUE INDEX jobs_one_pending_per_key ON jobs (key) WHERE state = 'pending';
CREATE INDEX jobs_by_state_due ON jobs (state, target, due_at);
CREATE INDEX jobs_by_key ON jobs (key, state);

CREATE TABLE breaker (
  target               TEXT    PRIMARY KEY CHECK (target IN ('vikunja', 'taskwarrior')),
  state                TEXT    NOT NULL DEFAULT 'closed'
                               CHECK (state IN ('closed', 'open', 'half_open')),
  consecutive_failures INTEGER NOT NULL DEFAULT 0 CHECK (consecutive_failures >= 0),
  recovery_ms          INTEGER NOT NULL DEFAULT 0 CHECK (recovery_ms >= 0),
  retry_at             INTEGER,
  probe_owner          TEXT,
  probe_until          INTEGER,
  reason               TEXT,
  last_error           TEXT,
  transitions          INTEGER NOT NULL DEFAULT 0,
  updated_at           INTEGER NOT NULL DEFAULT 0
);
INSERT INTO breaker (target) VALUES ('vikunja'), ('taskwarrior');

CREATE TABLE task_map (
  tw_uuid            TEXT    PRIMARY KEY CHECK (length(tw_uuid) = 36),
  vikunja_id         INTEGER NOT NULL UNIQUE CHECK (vikunja_id > 0),
  -- Vikunja's `updated` of the last version applied either way, for stale-event checks.
  vikunja_updated_at INTEGER,
  created_at         INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL
);

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
