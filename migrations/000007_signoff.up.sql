-- The title each series' decision maker signs under ("Deputy Mayor for Policing and Crime"),
-- written on every decision they sign. A series without a row signs as "Decision maker".
CREATE TABLE series_signing_roles (
    series text PRIMARY KEY CHECK (series ~ '^[A-Z]{1,8}$'),
    role   text NOT NULL CHECK (btrim(role) <> '')
);

INSERT INTO series_signing_roles (series, role) VALUES ('PCD', 'Deputy Mayor for Policing and Crime');
