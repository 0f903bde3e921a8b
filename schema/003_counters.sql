-- Running totals the worker adds to after each drain, for `vikunja-worker metrics`: drains and
-- their duration, HTTP requests by outcome, `task` runs. One row per name and label.
CREATE TABLE counters (
  name  TEXT NOT NULL,
  label TEXT NOT NULL DEFAULT '',
  value REAL NOT NULL DEFAULT 0,
  PRIMARY KEY (name, label)
);
