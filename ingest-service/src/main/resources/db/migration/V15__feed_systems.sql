-- How many readings each feed stored, per system (issue 14). The PTS-compatible answers (records inserted per
-- system) and the self-reporting pages (did the month's feed store its reading, and of which system) read this
-- instead of looking a feed's readings up in `reading`: its key starts with the system, so a query by feed_id
-- alone read every stored reading (a 1,000-reading PTS post answered in 0.18 s on an empty database and 1.08 s
-- with 10,000,000 readings stored). An index on reading (feed_id) would have cost every feed's COPY a third
-- more; this costs a row per system a feed stores, written in the feed's transaction. No foreign key to feed,
-- as reading has none: the rows are written with the feed's own id in its transaction, and checking a key per row
-- cost a body of 100,000 systems half a second more.
CREATE TABLE feed_system (
    feed_id         bigint  NOT NULL,
    system_id       text    NOT NULL,
    stored_readings integer NOT NULL CHECK (stored_readings > 0),
    PRIMARY KEY (feed_id, system_id)
);

-- feeds judged before this table existed (one pass over the stored readings, at the upgrade)
INSERT INTO feed_system (feed_id, system_id, stored_readings)
SELECT r.feed_id, r.system_id, count(*)
FROM reading r
WHERE EXISTS (SELECT 1 FROM feed f WHERE f.feed_id = r.feed_id)
GROUP BY r.feed_id, r.system_id;
