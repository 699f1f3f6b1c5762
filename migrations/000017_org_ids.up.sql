-- Organisation identifiers for open data (360Giving): an org-id.guide identifier, the code of
-- the register that lists the organisation then its number there ("GB-CHC-1092948" for a
-- charity, "GB-COH-…" for a company, "GB-GOR-…" for a government body). Not part of any
-- decision's signed content, so it can be added to an organisation named in signed decisions.
--
-- None of the seeded organisations (Home Office, Metropolitan Police Service) gets one here:
-- the seed's sources (migrations/seed/) give no identifier for either, and the register never
-- guesses one. The 360Giving export then uses the publisher's own identifier for them.
ALTER TABLE organisations ADD COLUMN org_id text UNIQUE
    CONSTRAINT organisations_org_id_form CHECK (org_id ~ '^[A-Z]{2}-[A-Z0-9]{2,}-[A-Za-z0-9][A-Za-z0-9._/-]*$');
