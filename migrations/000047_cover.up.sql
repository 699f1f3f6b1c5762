-- Cover (issue 18): someone acts for a person for a period of London days, set by the person or
-- by an admin for them. One cover for a person at a time (the exclusion constraint), never
-- themself, never ending before it starts. Who may cover (holding the same steps or series) is
-- the application's check, as it depends on grants that change; cover never cascades, so the
-- table is read one hop only.
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE covers (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    coverer_id   bigint NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    starts_on    date NOT NULL,
    ends_on      date NOT NULL,
    reason       text NOT NULL CHECK (btrim(reason) <> ''),
    set_by       bigint NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    set_by_name  text NOT NULL CHECK (btrim(set_by_name) <> ''),
    created_at   timestamptz NOT NULL,
    -- Ended early: the row stays, as approvals given under it name it.
    ended_at     timestamptz,
    CONSTRAINT covers_not_self CHECK (coverer_id <> user_id),
    CONSTRAINT covers_end_after_start CHECK (ends_on >= starts_on),
    CONSTRAINT covers_no_overlap EXCLUDE USING gist (user_id WITH =, daterange(starts_on, ends_on, '[]') WITH &&)
        WHERE (ended_at IS NULL)
);
CREATE INDEX covers_coverer_idx ON covers (coverer_id, starts_on);
