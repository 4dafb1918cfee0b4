-- Registry additions for production accounting (issue 12).

-- A meter exchange: from exchanged_at on, the system's register continues on the new meter. The
-- installed meter of a system at instant t is the new meter of its latest exchange at or before t; else
-- the old meter of its earliest exchange after t; else its registered meter_serial; else any meter.
CREATE TABLE meter_exchange (
    system_id        text          NOT NULL REFERENCES pts_system,
    exchanged_at     timestamptz   NOT NULL,
    old_meter_serial text          NOT NULL,
    old_final_kwh    numeric(18,3) NOT NULL CHECK (old_final_kwh >= 0),
    new_meter_serial text          NOT NULL,
    new_initial_kwh  numeric(18,3) NOT NULL CHECK (new_initial_kwh >= 0),
    imported_at      timestamptz   NOT NULL DEFAULT now(),
    PRIMARY KEY (system_id, exchanged_at),
    CHECK (old_meter_serial <> new_meter_serial)
);

-- The system's unit id at NEPOOL GIS (the certificate registry), for the quarterly export.
ALTER TABLE pts_system ADD COLUMN gis_unit_id text;
