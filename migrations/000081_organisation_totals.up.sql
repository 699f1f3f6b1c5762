-- The organisations index added up every visible decision's funding lines on each request
-- (3.2 s at 100,000 decisions). It now reads a summary kept by triggers, as decisions' derived
-- columns are: organisation_decisions holds what each decision counts for each organisation it
-- names (as merged: coalesce(merged_into, id)), and organisation_totals the sums of those by
-- organisation and by the time from which the public may read the decisions.
--
-- What the public sees turns on the time (a deferred decision appears on its date), so a
-- decision is counted under public_from, the time from which visibleD lets the public read it:
-- '-infinity' once published, its publish_at while approved or withdrawn (unless its series
-- holds it), 'infinity' (never, for the public) while a draft, in sign-off, rejected or
-- discarded. The public's index adds up the rows with public_from <= now: one per
-- organisation, and one per date of the few deferred decisions; staff add up every row.

CREATE FUNCTION decision_public_from(status text, publish_at timestamptz, release_held boolean)
RETURNS timestamptz LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN status = 'published' THEN '-infinity'::timestamptz
        WHEN status = 'approved' AND NOT release_held AND publish_at IS NOT NULL THEN publish_at
        WHEN status = 'withdrawn' AND NOT release_held THEN coalesce(publish_at, '-infinity'::timestamptz)
        ELSE 'infinity'::timestamptz
    END
$$;

-- No foreign key to decisions: a deleted decision's rows are taken away by its trigger, which
-- must still find them to subtract them from the totals.
CREATE TABLE organisation_decisions (
    decision_id     bigint NOT NULL,
    organisation_id bigint NOT NULL,
    public_from     timestamptz NOT NULL,
    given_pence     bigint NOT NULL,
    received_pence  bigint NOT NULL,
    -- The decision's place in the listing order (decisions_newest_idx), so an organisation's
    -- page reads one page of its decisions by index, however many name it.
    sort_date       date NOT NULL,
    number          integer NOT NULL,
    PRIMARY KEY (decision_id, organisation_id)
);

CREATE INDEX organisation_decisions_listing_idx
    ON organisation_decisions (organisation_id, sort_date DESC, number DESC, decision_id DESC);

CREATE TABLE organisation_totals (
    organisation_id bigint NOT NULL,
    public_from     timestamptz NOT NULL,
    decisions       bigint NOT NULL, -- no CHECK (>= 0): the upsert proposes negative rows, and CHECKs test them before the conflict
    given_pence     bigint NOT NULL,
    received_pence  bigint NOT NULL,
    PRIMARY KEY (organisation_id, public_from)
);

CREATE INDEX organisation_totals_empty_idx ON organisation_totals (organisation_id) WHERE decisions = 0;

-- The same by financial year and kind, for an organisation's page: each funding line's amount
-- in each of its years when given each year, else in its range (fy_start to fy_end); 0 stands
-- for a year not recorded, so the years can be part of the key.
CREATE TABLE organisation_year_parts (
    decision_id     bigint NOT NULL,
    organisation_id bigint NOT NULL,
    fy_start        integer NOT NULL,
    fy_end          integer NOT NULL,
    kind            text NOT NULL,
    public_from     timestamptz NOT NULL,
    given_pence     bigint NOT NULL,
    received_pence  bigint NOT NULL,
    lines           bigint NOT NULL,
    PRIMARY KEY (decision_id, organisation_id, fy_start, fy_end, kind)
);

CREATE TABLE organisation_years (
    organisation_id bigint NOT NULL,
    public_from     timestamptz NOT NULL,
    fy_start        integer NOT NULL,
    fy_end          integer NOT NULL,
    kind            text NOT NULL,
    given_pence     bigint NOT NULL,
    received_pence  bigint NOT NULL,
    lines           bigint NOT NULL,
    PRIMARY KEY (organisation_id, public_from, fy_start, fy_end, kind)
);

CREATE INDEX organisation_years_empty_idx ON organisation_years (organisation_id) WHERE lines = 0;

-- organisation_year_rows is what decisions ids count for each organisation by year and kind:
-- a line names the organisation (as merged) it is given by, and the one it is given to.
CREATE FUNCTION organisation_year_rows(ids bigint[])
RETURNS TABLE (decision_id bigint, organisation_id bigint, fy_start integer, fy_end integer, kind text,
    public_from timestamptz, given_pence bigint, received_pence bigint, lines bigint)
LANGUAGE sql STABLE AS $$
    WITH l AS (
        SELECT f.decision_id, f.kind, f.amount_pence, f.basis, f.fy_start, f.fy_end,
            (SELECT coalesce(o.merged_into, o.id) FROM organisations o WHERE o.id = f.funder_id) AS funder,
            (SELECT coalesce(o.merged_into, o.id) FROM organisations o WHERE o.id = f.recipient_id) AS recipient
        FROM funding_lines f WHERE f.decision_id = ANY (ids)
    ),
    named AS (
        SELECT l.*, x.org FROM l
        CROSS JOIN LATERAL (SELECT l.funder AS org UNION SELECT l.recipient) x
        WHERE x.org IS NOT NULL
    )
    SELECT n.decision_id, n.org, coalesce(y, 0), coalesce(CASE WHEN n.basis = 'per_year' THEN y ELSE n.fy_end END, 0), n.kind,
        decision_public_from(d.status, d.publish_at, d.release_held),
        coalesce(sum(n.amount_pence) FILTER (WHERE n.funder = n.org), 0)::bigint,
        coalesce(sum(n.amount_pence) FILTER (WHERE n.recipient = n.org), 0)::bigint,
        count(*)
    FROM named n JOIN decisions d ON d.id = n.decision_id
    LEFT JOIN LATERAL generate_series(n.fy_start, CASE WHEN n.basis = 'per_year' THEN n.fy_end ELSE n.fy_start END) y ON true
    GROUP BY 1, 2, 3, 4, 5, 6
$$;

-- organisation_parts is what decisions ids count for each organisation they name (as the
-- decision's funder, or a funding line's funder or recipient): the amounts that count
-- (grants accepted and variations, a yearly amount once a year), given and received.
CREATE FUNCTION organisation_parts(ids bigint[])
RETURNS TABLE (decision_id bigint, organisation_id bigint, public_from timestamptz, given_pence bigint, received_pence bigint,
    sort_date date, number integer)
LANGUAGE sql STABLE AS $$
    WITH named AS (
        SELECT coalesce(o.merged_into, o.id) AS org, d.id AS decision_id, 0::bigint AS given, 0::bigint AS received
        FROM decisions d JOIN organisations o ON o.id = d.funder_id WHERE d.id = ANY (ids)
        UNION ALL
        SELECT coalesce(o.merged_into, o.id), f.decision_id,
            CASE WHEN f.kind IN ('grant_accepted', 'variation') THEN
                CASE WHEN f.basis = 'per_year' AND f.fy_start IS NOT NULL AND f.fy_end IS NOT NULL
                    THEN f.amount_pence * (f.fy_end - f.fy_start + 1) ELSE f.amount_pence END
            ELSE 0 END, 0
        FROM funding_lines f JOIN organisations o ON o.id = f.funder_id WHERE f.decision_id = ANY (ids)
        UNION ALL
        SELECT coalesce(o.merged_into, o.id), f.decision_id, 0,
            CASE WHEN f.kind IN ('grant_accepted', 'variation') THEN
                CASE WHEN f.basis = 'per_year' AND f.fy_start IS NOT NULL AND f.fy_end IS NOT NULL
                    THEN f.amount_pence * (f.fy_end - f.fy_start + 1) ELSE f.amount_pence END
            ELSE 0 END
        FROM funding_lines f JOIN organisations o ON o.id = f.recipient_id WHERE f.decision_id = ANY (ids)
    )
    SELECT n.decision_id, n.org, decision_public_from(d.status, d.publish_at, d.release_held),
        sum(n.given)::bigint, sum(n.received)::bigint, coalesce(d.date_signed, '0001-01-01'::date), d.number
    FROM named n JOIN decisions d ON d.id = n.decision_id
    GROUP BY n.decision_id, n.org, d.status, d.publish_at, d.release_held, d.date_signed, d.number
$$;

-- refresh_organisation_totals counts decisions ids afresh: it takes away what they counted and
-- adds what they count now, in one upsert of the totals in key order (so two transactions
-- lock the rows they share in the same order), after locking the decisions, so two
-- transactions changing one decision refresh it one after the other.
CREATE FUNCTION refresh_organisation_totals(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM decisions WHERE id = ANY (ids) ORDER BY id FOR NO KEY UPDATE;
    INSERT INTO organisation_totals AS t (organisation_id, public_from, decisions, given_pence, received_pence)
    SELECT organisation_id, public_from, sum(n), sum(given_pence), sum(received_pence)
    FROM (
        SELECT organisation_id, public_from, -1 AS n, -given_pence AS given_pence, -received_pence AS received_pence
        FROM organisation_decisions WHERE decision_id = ANY (ids)
        UNION ALL
        SELECT organisation_id, public_from, 1, given_pence, received_pence FROM organisation_parts(ids)
    ) c
    GROUP BY organisation_id, public_from
    HAVING sum(n) <> 0 OR sum(given_pence) <> 0 OR sum(received_pence) <> 0
    ORDER BY organisation_id, public_from
    ON CONFLICT (organisation_id, public_from) DO UPDATE SET
        decisions = t.decisions + EXCLUDED.decisions,
        given_pence = t.given_pence + EXCLUDED.given_pence,
        received_pence = t.received_pence + EXCLUDED.received_pence;
    DELETE FROM organisation_totals WHERE decisions = 0;
    INSERT INTO organisation_years AS t (organisation_id, public_from, fy_start, fy_end, kind, given_pence, received_pence, lines)
    SELECT organisation_id, public_from, fy_start, fy_end, kind, sum(given_pence), sum(received_pence), sum(lines)
    FROM (
        SELECT organisation_id, public_from, fy_start, fy_end, kind, -given_pence AS given_pence, -received_pence AS received_pence, -lines AS lines
        FROM organisation_year_parts WHERE decision_id = ANY (ids)
        UNION ALL
        SELECT organisation_id, public_from, fy_start, fy_end, kind, given_pence, received_pence, lines FROM organisation_year_rows(ids)
    ) c
    GROUP BY organisation_id, public_from, fy_start, fy_end, kind
    HAVING sum(lines) <> 0 OR sum(given_pence) <> 0 OR sum(received_pence) <> 0
    ORDER BY organisation_id, public_from, fy_start, fy_end, kind
    ON CONFLICT (organisation_id, public_from, fy_start, fy_end, kind) DO UPDATE SET
        given_pence = t.given_pence + EXCLUDED.given_pence,
        received_pence = t.received_pence + EXCLUDED.received_pence,
        lines = t.lines + EXCLUDED.lines;
    DELETE FROM organisation_years WHERE lines = 0;
    DELETE FROM organisation_year_parts WHERE decision_id = ANY (ids);
    INSERT INTO organisation_year_parts (decision_id, organisation_id, fy_start, fy_end, kind, public_from, given_pence, received_pence, lines)
    SELECT decision_id, organisation_id, fy_start, fy_end, kind, public_from, given_pence, received_pence, lines FROM organisation_year_rows(ids);
    DELETE FROM organisation_decisions WHERE decision_id = ANY (ids);
    INSERT INTO organisation_decisions (decision_id, organisation_id, public_from, given_pence, received_pence, sort_date, number)
    SELECT decision_id, organisation_id, public_from, given_pence, received_pence, sort_date, number FROM organisation_parts(ids);
END $$;

CREATE FUNCTION organisation_totals_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    -- A loader that defers search indexing (migration 000021) counts its batch itself, once,
    -- when its parts are in (refresh_organisation_totals beside refresh_decision_search).
    IF search_deferred() THEN
        RETURN NULL;
    END IF;
    IF TG_TABLE_NAME = 'decisions' THEN
        SELECT array_agg(id) INTO ids FROM new_rows;
    ELSE
        SELECT array_agg(DISTINCT decision_id) INTO ids FROM new_rows;
    END IF;
    IF ids IS NOT NULL THEN
        PERFORM refresh_organisation_totals(ids);
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION organisation_totals_lines_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    -- A loader that defers search indexing (migration 000021) counts its batch itself, once,
    -- when its parts are in (refresh_organisation_totals beside refresh_decision_search).
    IF search_deferred() THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT decision_id) INTO ids FROM old_rows;
    ELSE
        SELECT array_agg(DISTINCT decision_id) INTO ids
        FROM (SELECT decision_id FROM new_rows UNION SELECT decision_id FROM old_rows) c;
    END IF;
    IF ids IS NOT NULL THEN
        PERFORM refresh_organisation_totals(ids);
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION organisation_totals_decision_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- A loader that defers search indexing (migration 000021) counts its batch itself, once,
    -- when its parts are in (refresh_organisation_totals beside refresh_decision_search).
    IF search_deferred() THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN
        PERFORM refresh_organisation_totals(ARRAY[OLD.id]);
    ELSE
        PERFORM refresh_organisation_totals(ARRAY[NEW.id]);
    END IF;
    RETURN NULL;
END $$;

-- A merge moves what the merged organisation's decisions count to the one it went into.
CREATE FUNCTION organisation_totals_merged() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_organisation_totals(ARRAY(
        SELECT p.decision_id FROM organisation_decisions p WHERE p.organisation_id = coalesce(OLD.merged_into, OLD.id)));
    RETURN NULL;
END $$;

CREATE TRIGGER decisions_organisation_totals_insert AFTER INSERT ON decisions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION organisation_totals_inserted();
CREATE TRIGGER decisions_organisation_totals_update AFTER UPDATE OF status, publish_at, release_held, funder_id, date_signed, number ON decisions
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.publish_at IS DISTINCT FROM NEW.publish_at
        OR OLD.release_held IS DISTINCT FROM NEW.release_held OR OLD.funder_id IS DISTINCT FROM NEW.funder_id
        OR OLD.date_signed IS DISTINCT FROM NEW.date_signed OR OLD.number IS DISTINCT FROM NEW.number)
    EXECUTE FUNCTION organisation_totals_decision_changed();
CREATE TRIGGER decisions_organisation_totals_delete AFTER DELETE ON decisions
    FOR EACH ROW EXECUTE FUNCTION organisation_totals_decision_changed();

CREATE TRIGGER funding_lines_organisation_totals_insert AFTER INSERT ON funding_lines
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION organisation_totals_inserted();
CREATE TRIGGER funding_lines_organisation_totals_update AFTER UPDATE ON funding_lines
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION organisation_totals_lines_changed();
CREATE TRIGGER funding_lines_organisation_totals_delete AFTER DELETE ON funding_lines
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION organisation_totals_lines_changed();

CREATE TRIGGER organisations_totals_merged AFTER UPDATE OF merged_into ON organisations
    FOR EACH ROW WHEN (OLD.merged_into IS DISTINCT FROM NEW.merged_into)
    EXECUTE FUNCTION organisation_totals_merged();

-- Count the register as it is.
SELECT refresh_organisation_totals(ARRAY(SELECT id FROM decisions ORDER BY id));
