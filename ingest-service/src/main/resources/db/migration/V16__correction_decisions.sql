-- An owner's correction request is decided by ops, and the decision is kept with it: ADJUSTED (ops set the
-- month's production by an adjustment, or reprocessed the feed), or DECLINED; who, when and why. A new request
-- from the owner clears the decision (it is pending again). The owner is told by e-mail (notification
-- CORRECTION_DECIDED) and sees the decision on the month's summary.
ALTER TABLE manual_report
    ADD COLUMN correction_decision     text CHECK (correction_decision IN ('ADJUSTED', 'DECLINED')),
    ADD COLUMN correction_decided_at   timestamptz,
    ADD COLUMN correction_decided_by   text,
    ADD COLUMN correction_reason       text,
    ADD CONSTRAINT manual_report_correction_decided_whole CHECK (
        (correction_decision IS NULL) = (correction_decided_at IS NULL)
        AND (correction_decision IS NULL) = (correction_decided_by IS NULL)
        AND (correction_decision IS NULL) = (correction_reason IS NULL)),
    ADD CONSTRAINT manual_report_correction_decided_requested CHECK (
        correction_decision IS NULL OR correction_at IS NOT NULL);

ALTER TABLE ops_action DROP CONSTRAINT ops_action_action_check;
ALTER TABLE ops_action ADD CONSTRAINT ops_action_action_check CHECK (action IN ('REPROCESS', 'DISMISS',
    'APPROVE_READING', 'REJECT_READING', 'RETRY_DELIVERY', 'DISCARD_DELIVERY',
    'SET_PRODUCTION', 'REMOVE_PRODUCTION', 'REBUILD_PRODUCTION', 'FINALIZE_GIS_EXPORT', 'DECIDE_CORRECTION'));

ALTER TABLE notification DROP CONSTRAINT notification_kind_check;
ALTER TABLE notification ADD CONSTRAINT notification_kind_check
    CHECK (kind IN ('INVITATION', 'PASSWORD_RESET', 'WINDOW_OPEN', 'MISSING_REPORTS', 'CORRECTION_DECIDED'));
