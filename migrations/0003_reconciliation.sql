-- Messages reconciliation gave up on ('given-up': recipients still without a terminal status after
-- RECONCILE_MAX_AGE_HOURS of List Messages lookups), listed by GET /messages?reconciliation=given-up.
ALTER TABLE messages ADD COLUMN reconciliation TEXT;
CREATE INDEX messages_by_reconciliation ON messages (reconciliation, time, id) WHERE reconciliation IS NOT NULL;
