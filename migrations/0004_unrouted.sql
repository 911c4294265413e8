-- Events no destination's filter took when they were accepted (they are stored, never forwarded, until a
-- replay sends them), per message: GET /messages?forwarding=unrouted lists the messages that have some, and
-- GET /stats counts them (unroutedEvents).
ALTER TABLE messages ADD COLUMN unrouted INTEGER NOT NULL DEFAULT 0;
CREATE INDEX messages_unrouted ON messages (time, id) WHERE unrouted > 0;
