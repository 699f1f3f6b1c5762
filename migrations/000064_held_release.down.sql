CREATE OR REPLACE FUNCTION refuse_signed_decision_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF decision_is_signed(OLD.id) AND (TG_OP = 'DELETE' OR
        (NEW.series, NEW.ref_year, NEW.number, NEW.reference, NEW.slug, NEW.funder_id, NEW.part_two_salt)
        IS DISTINCT FROM
        (OLD.series, OLD.ref_year, OLD.number, OLD.reference, OLD.slug, OLD.funder_id, OLD.part_two_salt)
        OR ((NEW.title, NEW.summary) IS DISTINCT FROM (OLD.title, OLD.summary) AND decision_content_locked(OLD.id))) THEN
        RAISE EXCEPTION 'decision % is signed: its content cannot change', OLD.reference
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'UPDATE' AND decision_is_signed(OLD.id) AND (
        (NEW.decision_maker_name, NEW.decision_maker_role, NEW.date_signed, NEW.publish_at, NEW.deferral_reason)
        IS DISTINCT FROM
        (OLD.decision_maker_name, OLD.decision_maker_role, OLD.date_signed, OLD.publish_at, OLD.deferral_reason)
        OR (NEW.date_published IS DISTINCT FROM OLD.date_published AND NOT (
            OLD.date_published IS NULL AND OLD.status = 'approved' AND NEW.status = 'published'
            AND NEW.date_published = (OLD.publish_at AT TIME ZONE 'Europe/London')::date))) THEN
        RAISE EXCEPTION 'decision % is signed: who signed it, in what role, when, and when it is published cannot change', OLD.reference
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN COALESCE(NEW, OLD);
END $$;
