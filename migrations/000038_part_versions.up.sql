-- Each part of a draft (its title and summary, recommendations, each Part I section, Part II,
-- funding, links, documents) has a version of its own, so two drafters saving different parts
-- do not refuse each other's saves; the decision's own version still moves with every edit.
-- A part with no row here has never been changed by a save: its version is 1.
CREATE TABLE decision_part_versions (
    decision_id bigint NOT NULL REFERENCES decisions (id) ON DELETE CASCADE,
    part        text NOT NULL CHECK (part <> '' AND length(part) <= 100),
    version     integer NOT NULL CHECK (version >= 2),
    edited_by   bigint REFERENCES users (id),
    edited_at   timestamptz NOT NULL,
    PRIMARY KEY (decision_id, part)
);
