-- Convergence (design.md): the mapped fields of each linked pair as they were when both sides
-- last agreed, the base of every three-way merge; tombstones for links whose task was deleted,
-- so a late or repeated event never brings the task back; and every conflict decided.

-- JSON of the typed record in worker/sync/task_fields.hpp; NULL until the pair first agrees.
ALTER TABLE task_map ADD COLUMN agreed TEXT;
-- Replaced by `agreed`: an echo is a Vikunja task whose fields equal the agreed state.
ALTER TABLE task_map DROP COLUMN synced_fingerprint;

CREATE TABLE tombstones (
  tw_uuid    TEXT    PRIMARY KEY CHECK (length(tw_uuid) = 36),
  vikunja_id INTEGER NOT NULL CHECK (vikunja_id > 0),
  deleted_in TEXT    NOT NULL CHECK (deleted_in IN ('taskwarrior', 'vikunja')),
  deleted_at INTEGER NOT NULL
);
CREATE INDEX tombstones_by_vikunja_id ON tombstones (vikunja_id);

CREATE TABLE conflicts (
  id                INTEGER PRIMARY KEY,
  tw_uuid           TEXT    NOT NULL,
  vikunja_id        INTEGER NOT NULL,
  field             TEXT    NOT NULL,  -- a mapped field, or `deleted` for a delete against an edit
  base_value        TEXT,
  taskwarrior_value TEXT,
  vikunja_value     TEXT,
  winner            TEXT    NOT NULL CHECK (winner IN ('taskwarrior', 'vikunja')),
  rule              TEXT    NOT NULL,
  decided_at        INTEGER NOT NULL
);

-- For people with sqlite3: conflicts with local times, newest last.
CREATE VIEW conflict_log AS
SELECT id, datetime(decided_at / 1000, 'unixepoch', 'localtime') AS decided, tw_uuid, vikunja_id,
       field, base_value, taskwarrior_value, vikunja_value, winner, rule
FROM conflicts ORDER BY id;
