-- Decisions and everything that hangs off them. PostgreSQL enforces what must always hold;
-- the application only adds friendlier messages.

CREATE TABLE organisations (
    id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL UNIQUE CHECK (btrim(name) <> ''),
    abbreviation text CHECK (abbreviation IS NULL OR btrim(abbreviation) <> '')
);

CREATE TABLE decisions (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- PCD (Policing and Crime Decision), DMPCD (the older, year-numbered form), MD, DD, ADD, ...
    series    text NOT NULL CHECK (series ~ '^[A-Z]{1,8}$'),
    -- Only the older series carry a year in their reference ("DMPCD 2014 23").
    ref_year  integer CHECK (ref_year BETWEEN 1990 AND 2200),
    number    integer NOT NULL CHECK (number > 0),
    reference text NOT NULL UNIQUE,
    slug      text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    title     text CHECK (title IS NULL OR btrim(title) <> ''),
    summary   text CHECK (summary IS NULL OR btrim(summary) <> ''),
    -- Where the summary and recommendations came from: the published text, or a paraphrase
    -- written for this register from the published page.
    text_source text NOT NULL DEFAULT 'published' CHECK (text_source IN ('published', 'paraphrase')),
    -- The principal funder, known even when no amount is.
    funder_id bigint REFERENCES organisations (id),
    decision_maker_name text,
    decision_maker_role text,
    date_signed    date,
    date_published date,
    status text NOT NULL DEFAULT 'draft'
        CHECK (status IN ('draft', 'awaiting_signoff', 'approved', 'published', 'withdrawn')),
    source_url text CHECK (source_url IS NULL OR source_url ~ '^https?://'),
    -- 'inferred' marks a record whose identity rests on other evidence than its own page.
    provenance text NOT NULL DEFAULT 'verified' CHECK (provenance IN ('verified', 'inferred')),
    provenance_note text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE NULLS NOT DISTINCT (series, ref_year, number),
    CHECK (provenance = 'verified' OR provenance_note IS NOT NULL),
    CHECK (date_published IS NULL OR date_signed IS NULL OR date_published >= date_signed)
);

-- The register lists newest first, unknown dates last, then by number.
CREATE INDEX decisions_listing_idx ON decisions (date_signed DESC NULLS LAST, number DESC, id DESC);

CREATE TABLE recommendations (
    decision_id bigint NOT NULL REFERENCES decisions (id) ON DELETE CASCADE,
    position    integer NOT NULL CHECK (position > 0),
    body        text NOT NULL CHECK (btrim(body) <> ''),
    PRIMARY KEY (decision_id, position)
);

CREATE TABLE sections (
    decision_id bigint NOT NULL REFERENCES decisions (id) ON DELETE CASCADE,
    -- Part I is published; Part II holds confidential facts and advice.
    part     smallint NOT NULL DEFAULT 1 CHECK (part IN (1, 2)),
    position integer NOT NULL CHECK (position > 0),
    kind     text NOT NULL CHECK (kind IN (
        'introduction_and_background', 'issues_for_consideration', 'financial_comments',
        'legal_comments', 'equality_comments', 'gdpr_and_data_privacy', 'background_papers', 'other')),
    heading  text NOT NULL CHECK (btrim(heading) <> ''),
    -- Paragraphs separated by a blank line; a paragraph whose lines start with "- " is a list.
    body     text NOT NULL CHECK (btrim(body) <> ''),
    PRIMARY KEY (decision_id, part, position)
);

CREATE TABLE funding_lines (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    decision_id bigint NOT NULL REFERENCES decisions (id) ON DELETE CASCADE,
    position    integer NOT NULL CHECK (position > 0),
    funder_id    bigint REFERENCES organisations (id),
    recipient_id bigint REFERENCES organisations (id),
    amount_pence bigint NOT NULL CHECK (amount_pence > 0),
    currency     char(3) NOT NULL DEFAULT 'GBP' CHECK (currency ~ '^[A-Z]{3}$'),
    -- UK financial years (April to March), stored as the year they start: 2024 is 2024-25.
    fy_start integer CHECK (fy_start BETWEEN 1990 AND 2200),
    fy_end   integer CHECK (fy_end BETWEEN 1990 AND 2200),
    -- How the amount applies across its years: in total, each year, or unclear in the source.
    basis text NOT NULL DEFAULT 'total' CHECK (basis IN ('total', 'per_year', 'unclear')),
    kind text NOT NULL CHECK (kind IN (
        'grant_accepted', 'variation', 'maximum_after_variation', 'agreed_in_principle', 'context')),
    label       text NOT NULL CHECK (btrim(label) <> ''),
    -- The period exactly as the source gives it, when it says more than a financial year.
    period_text text,
    UNIQUE (decision_id, position),
    CHECK (fy_end IS NULL OR (fy_start IS NOT NULL AND fy_end >= fy_start)),
    CHECK (basis <> 'per_year' OR (fy_start IS NOT NULL AND fy_end IS NOT NULL))
);

CREATE INDEX funding_lines_decision_idx ON funding_lines (decision_id);

CREATE TABLE decision_links (
    from_decision_id bigint NOT NULL REFERENCES decisions (id) ON DELETE CASCADE,
    to_decision_id   bigint NOT NULL REFERENCES decisions (id) ON DELETE CASCADE,
    -- "from continues to": from is the later decision in a funding chain.
    kind text NOT NULL CHECK (kind IN ('continues', 'varies', 'related')),
    PRIMARY KEY (from_decision_id, to_decision_id, kind),
    CHECK (from_decision_id <> to_decision_id)
);

CREATE INDEX decision_links_to_idx ON decision_links (to_decision_id, kind);

-- Pages that cite a decision: the only public trace of a decision whose own page was not found.
CREATE TABLE decision_citations (
    decision_id bigint NOT NULL REFERENCES decisions (id) ON DELETE CASCADE,
    position    integer NOT NULL CHECK (position > 0),
    url         text NOT NULL CHECK (url ~ '^https?://'),
    PRIMARY KEY (decision_id, position)
);

-- Notes on the record: what the sources say beyond the fields, and how sure each value is.
CREATE TABLE decision_notes (
    decision_id bigint NOT NULL REFERENCES decisions (id) ON DELETE CASCADE,
    position    integer NOT NULL CHECK (position > 0),
    body        text NOT NULL CHECK (btrim(body) <> ''),
    PRIMARY KEY (decision_id, position)
);

-- How sure the register is of each field of a decision, in the words of whoever checked it.
CREATE TABLE field_statuses (
    decision_id bigint NOT NULL REFERENCES decisions (id) ON DELETE CASCADE,
    field  text NOT NULL CHECK (field ~ '^[a-z_]+$'),
    status text NOT NULL CHECK (btrim(status) <> ''),
    PRIMARY KEY (decision_id, field)
);
