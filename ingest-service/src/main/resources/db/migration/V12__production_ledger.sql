-- The production ledger (issue 12): monthly production per system, derived from the readings, the meter
-- exchanges and ops' adjustments by org.ptsingest.rules.ProductionRules, and its revision history.

-- The current value of every month of every system's ledger. Derived data: a rebuild recomputes it.
CREATE TABLE production_month (
    system_id  text          NOT NULL REFERENCES pts_system,
    month      date          NOT NULL CHECK (extract(day FROM month) = 1), -- the month's first day
    kwh        numeric(18,3),
    basis      text          NOT NULL
        CHECK (basis IN ('ACTUAL', 'PRORATED', 'PROJECTED', 'OPEN', 'UNRESOLVED', 'ADJUSTED', 'NONE')),
    close_kwh  numeric(18,3),
    reason     text,          -- why UNRESOLVED, or ops' reason for ADJUSTED
    revision   integer       NOT NULL CHECK (revision > 0),
    updated_at timestamptz   NOT NULL,
    PRIMARY KEY (system_id, month),
    CHECK ((kwh IS NOT NULL) = (basis IN ('ACTUAL', 'PRORATED', 'PROJECTED', 'ADJUSTED')))
);
-- Systems waiting for ops to register a meter exchange.
CREATE INDEX production_month_unresolved ON production_month (system_id) WHERE basis = 'UNRESOLVED';

-- Every value a month ever had: a change of value, basis, close or reason is a new row, never an update.
-- No foreign key to production_month: a trigger per row would slow a rebuild, and rows are only
-- ever written together with their month (ProductionLedger).
CREATE TABLE production_revision (
    system_id   text          NOT NULL,
    month       date          NOT NULL,
    revision    integer       NOT NULL CHECK (revision > 0),
    kwh         numeric(18,3),
    basis       text          NOT NULL,
    close_kwh   numeric(18,3),
    reason      text,
    recorded_at timestamptz   NOT NULL,
    -- why: a committed feed (cause_ref its feed id), a registry change (which import), an ops action
    -- (its ops_action id), a reporting window's end (its month), or an ops rebuild (its ops_action id)
    cause       text          NOT NULL CHECK (cause IN ('FEED', 'REGISTRY', 'OPS', 'WINDOW_END', 'REBUILD')),
    cause_ref   text,
    PRIMARY KEY (system_id, month, revision)
);

CREATE FUNCTION production_revision_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'production_revision is append-only: % refused', TG_OP;
END $$;
CREATE TRIGGER production_revision_append_only BEFORE UPDATE OR DELETE ON production_revision
    FOR EACH STATEMENT EXECUTE FUNCTION production_revision_is_append_only();

-- Ops' adjustments: a month's production set by ops with a reason (an audit result). It stands until
-- removed; removing keeps the row (who, when, why). At most one in force per system and month.
CREATE TABLE production_adjustment (
    adjustment_id  bigint        GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    system_id      text          NOT NULL REFERENCES pts_system,
    month          date          NOT NULL CHECK (extract(day FROM month) = 1),
    kwh            numeric(18,3) NOT NULL,
    reason         text          NOT NULL,
    set_by         text          NOT NULL,
    set_at         timestamptz   NOT NULL DEFAULT now(),
    removed_by     text,
    removed_at     timestamptz,
    removed_reason text,
    CHECK ((removed_at IS NULL) = (removed_by IS NULL) AND (removed_at IS NULL) = (removed_reason IS NULL))
);
CREATE UNIQUE INDEX production_adjustment_in_force ON production_adjustment (system_id, month)
    WHERE removed_at IS NULL;

-- Systems whose ledger is to be recomputed, and why. A committed feed adds its systems in its own
-- transaction (cheap: a few rows, no locks on existing ones); the ledger worker takes rows with SKIP LOCKED
-- and deletes exactly the rows it took, so a row added meanwhile is taken by its next run.
CREATE TABLE production_dirty (
    dirty_id  bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    system_id text        NOT NULL,
    cause     text        NOT NULL CHECK (cause IN ('FEED', 'REGISTRY', 'OPS', 'WINDOW_END', 'REBUILD')),
    cause_ref text,
    queued_at timestamptz NOT NULL DEFAULT now()
);

-- Reporting windows whose end the ledger has acted on (every system recomputed once per window end).
CREATE TABLE production_window_end (
    month    date        PRIMARY KEY,
    acted_at timestamptz NOT NULL DEFAULT now()
);

-- NEPOOL GIS quarterly exports ops finalized, and exactly what each one said.
CREATE TABLE gis_export (
    export_id    bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    quarter      text        NOT NULL CHECK (quarter ~ '^[0-9]{4}Q[1-4]$'),
    finalized_by text        NOT NULL,
    finalized_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE gis_export_line (
    export_id bigint        NOT NULL REFERENCES gis_export,
    system_id text          NOT NULL,
    month     date          NOT NULL,
    unit_id   text          NOT NULL,
    mwh       numeric(15,3) NOT NULL,
    revision  integer       NOT NULL, -- the month's ledger revision exported
    PRIMARY KEY (export_id, system_id, month)
);
CREATE INDEX gis_export_line_by_month ON gis_export_line (system_id, month, export_id);

ALTER TABLE ops_action DROP CONSTRAINT ops_action_action_check;
ALTER TABLE ops_action ADD CONSTRAINT ops_action_action_check CHECK (action IN ('REPROCESS', 'DISMISS',
    'APPROVE_READING', 'REJECT_READING', 'RETRY_DELIVERY', 'DISCARD_DELIVERY',
    'SET_PRODUCTION', 'REMOVE_PRODUCTION', 'REBUILD_PRODUCTION', 'FINALIZE_GIS_EXPORT'));
