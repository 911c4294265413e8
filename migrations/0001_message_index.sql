-- The message index (D1 binding MESSAGE_INDEX): one summary row per message and one row per recipient, so that
-- GET /messages, GET /stats and POST /replay can answer questions across messages. Each message's Durable
-- Object is the truth; src/index-db/write.ts rewrites the message's rows whole whenever it changes.
-- Times are epoch milliseconds. Queries and the indexes they use: src/index-db/.

CREATE TABLE messages (
  id TEXT PRIMARY KEY NOT NULL,
  direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
  -- message.from ("from" is an SQL keyword)
  sender TEXT NOT NULL,
  -- message.to as a JSON array of strings; searchable through message_recipients
  recipients TEXT NOT NULL,
  application_id TEXT,
  tag TEXT,
  -- the recipients' common status, or 'mixed'
  status TEXT NOT NULL,
  -- the error codes of the recipients whose status is failed, a sorted JSON array of integers
  error_codes TEXT NOT NULL,
  segment_count INTEGER,
  -- message.time
  time INTEGER NOT NULL,
  -- when the message last changed; a write older than the row is ignored
  updated_at INTEGER NOT NULL,
  -- events by forwarding state, and events held in quarantine
  pending INTEGER NOT NULL,
  dead INTEGER NOT NULL,
  quarantined INTEGER NOT NULL
);

-- Newest first, and keyset pagination on (time, id), with or without one equality filter.
CREATE INDEX messages_by_time ON messages (time, id);
CREATE INDEX messages_by_status ON messages (status, time, id);
CREATE INDEX messages_by_application ON messages (application_id, time, id);
CREATE INDEX messages_by_sender ON messages (sender, time, id);
CREATE INDEX messages_by_tag ON messages (tag, time, id) WHERE tag IS NOT NULL;

-- One row per address in message.to (and per recipient a status event named), for both directions: `to`
-- searches use it for every message, statistics only for outbound ones.
CREATE TABLE message_recipients (
  message_id TEXT NOT NULL,
  recipient TEXT NOT NULL,
  direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
  application_id TEXT,
  -- the message's time, copied so that searches and statistics by time need no join
  message_time INTEGER NOT NULL,
  -- this recipient's status: sending, sent, delivered, failed, read, received, unknown, …
  status TEXT NOT NULL,
  -- the error code of a failed status
  error_code INTEGER,
  -- carrierName of the event that decided the status (else of the recipient's latest event naming one)
  carrier TEXT,
  -- the time of the delivered event that decided a delivered (or read) status
  delivered_at INTEGER,
  PRIMARY KEY (message_id, recipient)
) WITHOUT ROWID;

CREATE INDEX recipients_by_recipient ON message_recipients (recipient, message_time, message_id);
CREATE INDEX recipients_by_error_code ON message_recipients (error_code, message_time, message_id)
  WHERE error_code IS NOT NULL;
-- Statistics read only this index (it covers every column they need) for the outbound rows of a time range.
CREATE INDEX recipients_outbound_by_time
  ON message_recipients (message_time, application_id, status, error_code, carrier, delivered_at)
  WHERE direction = 'outbound';
