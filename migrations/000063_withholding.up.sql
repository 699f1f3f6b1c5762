-- Grounds for withholding (issue 20): each Part II and each deferral of publication records
-- the lawful ground it rests on (an FOI Act section or a Schedule 12A paragraph:
-- decision.Grounds), a short public-interest note the public reads, and a date to review it.
-- None of it is signed content (the canonical form is unchanged): it is the register's
-- account of why something is withheld, which review may extend, and every change is audited.
CREATE TABLE withholdings (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    decision_id     bigint NOT NULL REFERENCES decisions (id) ON DELETE CASCADE,
    what            text NOT NULL CHECK (what IN ('part_two', 'deferral')),
    ground          text NOT NULL CHECK (ground ~ '^(foi-s(2[1-9]|3[0-9]|4[0-4])|sch12a-[1-7])$'),
    public_interest text NOT NULL CHECK (btrim(public_interest) <> '' AND length(public_interest) <= 1000),
    review_on       date NOT NULL,
    recorded_at     timestamptz NOT NULL,
    -- When its owner was reminded that the review date is near (cleared by an extension).
    reminded_at     timestamptz,
    released_at     timestamptz,
    UNIQUE (decision_id, what)
);
CREATE INDEX withholdings_review ON withholdings (review_on) WHERE released_at IS NULL;

-- Each extension of a withholding, shown publicly: the date it moved from and to, and why.
CREATE TABLE withholding_extensions (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    withholding_id bigint NOT NULL REFERENCES withholdings (id) ON DELETE CASCADE,
    from_date      date NOT NULL,
    to_date        date NOT NULL CHECK (to_date > from_date),
    reason         text NOT NULL CHECK (btrim(reason) <> '' AND length(reason) <= 1000),
    extended_at    timestamptz NOT NULL,
    extended_by    text NOT NULL
);
CREATE INDEX withholding_extensions_of ON withholding_extensions (withholding_id, id);

-- How a series' deferred decisions are released: automatically on their date (as before), or
-- only once their owner confirms ('confirm'), who is reminded remind_days before the date. No
-- row means automatic.
CREATE TABLE series_release (
    series      text PRIMARY KEY CHECK (series ~ '^[A-Z]{1,8}$'),
    mode        text NOT NULL CHECK (mode IN ('automatic', 'confirm')),
    remind_days integer NOT NULL DEFAULT 14 CHECK (remind_days BETWEEN 1 AND 90),
    updated_at  timestamptz NOT NULL
);

-- A decision signed with its publication deferred in a 'confirm' series is held past its date
-- until its owner releases it: the public's read rule (visibleD) and the release job both
-- pass over a held decision.
ALTER TABLE decisions ADD COLUMN release_held boolean NOT NULL DEFAULT false;
