-- What the mapped fields of each linked task looked like the last time the two sides agreed
-- (after a push, or after a webhook was applied), so that our own changes echoing back as
-- webhooks are recognised without running `task` at all.
ALTER TABLE task_map ADD COLUMN synced_fingerprint TEXT;
