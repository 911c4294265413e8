-- How many events each message has accepted, so that POST /replay can say how many events a filter covers
-- without asking every message's object.
ALTER TABLE messages ADD COLUMN events INTEGER NOT NULL DEFAULT 0;
