-- Deciding what an unlinked task is on the other side (a namesake, the task a create made, or
-- nothing yet, so create one) is done by one job at a time. The two halves of one pair arrive as
-- two jobs with different keys (a push under tw:<uuid>, the created task's webhook under
-- vk:<id>); deciding both at once, each saw the other half unlinked and made a second task.
-- The decision is held by a running job until it settles (the trigger below ends it in the
-- same transaction, so holding it costs one commit). A row whose job no longer runs under the
-- lease it was taken with (its worker killed, its lease run out and the job taken over by
-- another worker) holds nothing.
CREATE TABLE link_decision (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  job_id    INTEGER NOT NULL,
  owner     TEXT    NOT NULL,
  taken_at  INTEGER NOT NULL
);

CREATE TRIGGER link_decision_ends_with_its_job AFTER UPDATE OF state ON jobs
WHEN OLD.state = 'running' AND NEW.state <> 'running'
BEGIN
  DELETE FROM link_decision WHERE job_id = OLD.id;
END;

-- A create sent to Vikunja whose task is not linked yet, written before the request. When its
-- answer is lost, whatever comes next for the task (the retry, a later push or delete, the
-- created task's webhook, a reconcile) finds the created task by these fields and links it
-- instead of creating a second one or leaving it behind.
CREATE TABLE vikunja_creates (
  tw_uuid  TEXT    PRIMARY KEY,
  fields   TEXT    NOT NULL,  -- the fields the create request itself carries, as task_map.agreed
  -- Vikunja's ids of the unlinked tasks with that title that existed before: never the one made.
  existing TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(existing)),
  sent_at  INTEGER NOT NULL
);
