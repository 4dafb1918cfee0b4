-- A reading's identity in its feed is its record number: its 1-based position in the document. The
-- line only says where it was found (every reading of a one-line JSON or XML document is on line 1,
-- which made (feed_id, line_no) collide and the feed fail).
ALTER TABLE reading_outcome ADD COLUMN record_no integer;
-- Feeds judged before this migration had one outcome per line at most (line_no was the key); their
-- record number is not known afterwards, so the line stands in for it.
UPDATE reading_outcome SET record_no = line_no;
ALTER TABLE reading_outcome ALTER COLUMN record_no SET NOT NULL;
ALTER TABLE reading_outcome DROP CONSTRAINT reading_outcome_pkey;
ALTER TABLE reading_outcome ADD PRIMARY KEY (feed_id, record_no);

-- Where a stored reading came from: feed, record and line. NULL for readings stored before this
-- migration (adding a column without a default does not rewrite the table).
ALTER TABLE reading ADD COLUMN record_no integer;
