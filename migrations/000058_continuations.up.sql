-- The next decision of a funding chain, started from the last one signed (issue 19), and the
-- section texts a series starts its decisions from.

-- The signed decision a draft was started from. A draft keeps it even if its drafters remove
-- the `continues` link it was given, so a second start finds it; it says nothing to the
-- public and is no part of what is signed.
ALTER TABLE decisions ADD COLUMN continued_from_id bigint REFERENCES decisions (id) ON DELETE RESTRICT;
ALTER TABLE decisions ADD CONSTRAINT decisions_not_continuing_itself CHECK (continued_from_id <> id);

-- One open draft continues a decision at a time: a second start goes to it. A discarded one
-- leaves the way open; one signed is the chain's next decision, and another may follow it.
CREATE UNIQUE INDEX decisions_one_open_continuation ON decisions (continued_from_id)
    WHERE status IN ('draft', 'awaiting_signoff');

-- A series' templates for its Part I sections: the text a drafter starts from, one a kind.
CREATE TABLE series_section_templates (
    series     text NOT NULL CHECK (series ~ '^[A-Z]{1,8}$'),
    kind       text NOT NULL CHECK (kind IN (
        'introduction_and_background', 'issues_for_consideration', 'financial_comments',
        'legal_comments', 'equality_comments', 'gdpr_and_data_privacy', 'background_papers', 'other')),
    body       text NOT NULL CHECK (btrim(body) <> ''),
    updated_by bigint REFERENCES users (id) ON DELETE RESTRICT,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (series, kind)
);
