-- SHA-1 signatures and 3DES (also MD5, DES, RC2) envelopes are refused unless ops allow them for the
-- partner (LegacyAlgorithms). Partners registered before this policy were accepted with them and keep
-- that until ops register them again; new registrations default to refusing them.
ALTER TABLE as2_partner ADD COLUMN legacy_algorithms_allowed boolean NOT NULL DEFAULT false;
UPDATE as2_partner SET legacy_algorithms_allowed = true;
