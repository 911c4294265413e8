-- The index as one row per message (issue 23: fewer D1 rows per message). The row holds the summary and every
-- recipient's outcome (JSON), and is keyed by (time, id): the listing's own order, newest first, with no
-- secondary index to write. A first write costs 1 row, a later one 1 (plus the partial indexes' entries of the
-- few messages they cover); the summary and recipient tables of 0001 with their 8 indexes cost about 11.
-- Searches by `to`, `from`, tag, application or status scan this key in time order; statistics read the rows
-- of their time range (a one-recipient message's outcome in plain columns, a group's in JSON). Times are epoch milliseconds. Queries: src/index-db/.
CREATE TABLE message_index (
  -- message.time: the row's key with the id (a header that changes it moves the row: src/index-db/write.ts)
  time INTEGER NOT NULL,
  id TEXT NOT NULL,
  -- when the message last changed; a write older than the row is ignored
  updated_at INTEGER NOT NULL,
  direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
  -- message.from ("from" is an SQL keyword)
  sender TEXT NOT NULL,
  -- message.to as a JSON array of strings
  recipients TEXT NOT NULL,
  application_id TEXT,
  tag TEXT,
  -- the recipients' common status, or 'mixed'
  status TEXT NOT NULL,
  -- the error codes of the recipients whose status is failed, a sorted JSON array of integers ('[]': none)
  error_codes TEXT NOT NULL,
  segment_count INTEGER,
  -- events by forwarding state, held in quarantine, accepted
  pending INTEGER NOT NULL,
  dead INTEGER NOT NULL,
  quarantined INTEGER NOT NULL,
  events INTEGER NOT NULL,
  -- 'given-up' when reconciliation gave up on the message
  reconciliation TEXT,
  -- events no destination's filter took when they were accepted (GET /messages?forwarding=unrouted)
  unrouted INTEGER NOT NULL DEFAULT 0,
  -- Its recipients (every address of message.to and every one an event named), what `to` searches and the
  -- statistics read. A message with one (most) has it in these columns: the address, its status, the error
  -- code of a failed status, the carrier, the delivered time. One with several has them in `outcomes` instead,
  -- a JSON array sorted by address of [recipient, status, error code, carrier, delivered time].
  recipient TEXT,
  recipient_status TEXT,
  error_code INTEGER,
  carrier TEXT,
  delivered_at INTEGER,
  outcomes TEXT,
  PRIMARY KEY (time, id)
) WITHOUT ROWID;

-- Partial: entries only for the few messages they cover, so the others write none.
CREATE INDEX message_index_failed ON message_index (time, id) WHERE error_codes <> '[]';
CREATE INDEX message_index_given_up ON message_index (reconciliation, time, id) WHERE reconciliation IS NOT NULL;
CREATE INDEX message_index_unrouted ON message_index (time, id) WHERE unrouted > 0;

-- The rows of 0001 to 0003, each message with its recipients folded in.
INSERT INTO message_index (time, id, updated_at, direction, sender, recipients, application_id, tag, status,
  error_codes, segment_count, pending, dead, quarantined, events, reconciliation, unrouted,
  recipient, recipient_status, error_code, carrier, delivered_at, outcomes)
SELECT m.time, m.id, m.updated_at, m.direction, m.sender, m.recipients, m.application_id, m.tag, m.status,
  m.error_codes, m.segment_count, m.pending, m.dead, m.quarantined, m.events, m.reconciliation, m.unrouted,
  CASE WHEN r.n = 1 THEN r.recipient END, CASE WHEN r.n = 1 THEN r.status END,
  CASE WHEN r.n = 1 THEN r.error_code END, CASE WHEN r.n = 1 THEN r.carrier END,
  CASE WHEN r.n = 1 THEN r.delivered_at END, CASE WHEN r.n > 1 THEN r.outcomes END
FROM messages m LEFT JOIN (
  SELECT message_id, COUNT(*) AS n, MIN(recipient) AS recipient, MIN(status) AS status,
    MIN(error_code) AS error_code, MIN(carrier) AS carrier, MIN(delivered_at) AS delivered_at,
    json_group_array(json_array(recipient, status, error_code, carrier, delivered_at)) AS outcomes
  FROM (SELECT * FROM message_recipients ORDER BY message_id, recipient)
  GROUP BY message_id
) r ON r.message_id = m.id;

DROP TABLE message_recipients;
DROP TABLE messages;
