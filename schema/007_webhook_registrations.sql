-- The webhooks `vikunja-worker webhooks install` registered in Vikunja, one per project and
-- receiver URL, so that a second run changes nothing and a reconcile registers one on projects
-- made since. Vikunja never returns a webhook's secret: what is kept is a fingerprint of the
-- secret registered (SHA-256 of a fixed prefix and the secret), to notice a changed secret
-- without storing it.
CREATE TABLE webhook_registrations (
  project_id         INTEGER NOT NULL,
  target_url         TEXT    NOT NULL,
  webhook_id         INTEGER NOT NULL,
  secret_fingerprint TEXT    NOT NULL,
  registered_at      INTEGER NOT NULL,
  PRIMARY KEY (project_id, target_url)
);

-- The receiver URLs given to `webhooks install`, also before any project exists: a reconcile
-- registers them on every project made later, until `webhooks remove`.
CREATE TABLE webhook_receivers (
  target_url TEXT    PRIMARY KEY,
  added_at   INTEGER NOT NULL
);
