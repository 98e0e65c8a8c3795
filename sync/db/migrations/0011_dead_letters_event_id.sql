-- A dead letter is stored once per event id and topic (sync/inbox.go storeDeadLetter looks it up before
-- inserting a redelivered or republished copy): index that lookup.
CREATE INDEX IF NOT EXISTS dead_letters_event_id ON dead_letters (event_id, topic);
