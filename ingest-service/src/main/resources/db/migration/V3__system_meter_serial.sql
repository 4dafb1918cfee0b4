-- The production meter registered for a system: PTS payloads carry no meter serial, so readings
-- they deliver are attributed to this one.
ALTER TABLE pts_system ADD COLUMN meter_serial text;
