DROP TABLE documents;
DROP FUNCTION refuse_signed_document_change();

-- The search document as migration 000010 made it.
CREATE OR REPLACE FUNCTION decision_search_document(
    p_id bigint, p_reference text, p_title text, p_summary text, p_funder_id bigint,
    p_maker_name text, p_maker_role text) RETURNS tsvector LANGUAGE sql STABLE AS $$
    SELECT setweight(to_tsvector('english', concat_ws(' ', p_reference, p_title)), 'A')
        || setweight(to_tsvector('english', concat_ws(' ', p_summary,
            (SELECT string_agg(r.body, ' ' ORDER BY r.position) FROM recommendations r WHERE r.decision_id = p_id))), 'B')
        || setweight(to_tsvector('english', concat_ws(' ',
            (SELECT string_agg(s.heading || ' ' || s.body, ' ' ORDER BY s.position)
             FROM sections s WHERE s.decision_id = p_id AND s.part = 1),
            p_maker_name, p_maker_role,
            (SELECT o.name FROM organisations o WHERE o.id = p_funder_id),
            (SELECT string_agg(concat_ws(' ', fo.name, ro.name, f.label, f.period_text,
                    (SELECT string_agg(financial_year_text(y), ' ')
                     FROM generate_series(f.fy_start, coalesce(f.fy_end, f.fy_start)) y)), ' ' ORDER BY f.position)
             FROM funding_lines f
             LEFT JOIN organisations fo ON fo.id = f.funder_id
             LEFT JOIN organisations ro ON ro.id = f.recipient_id
             WHERE f.decision_id = p_id))), 'C')
$$;
UPDATE decisions d
SET search_vector = decision_search_document(d.id, d.reference, d.title, d.summary, d.funder_id,
        d.decision_maker_name, d.decision_maker_role);
