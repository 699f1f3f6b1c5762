-- The notes and per-field statuses of the seeded decisions, worded for the public (same facts,
-- no research shorthand, "£" for "GBP"), from migrations/seed/pcd-facts.json as reworded on
-- 2026-11-27. PCD 1682's summary and recommendation are its own published words, and its statuses
-- now say so. 000002 has run on live databases, so the new wording comes in here.

-- PCD 545
UPDATE field_statuses SET status = 'verified (cited as an earlier approval by PCD 960, PCD 1215 and PCD 1682)'
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 545') AND field = 'reference';
UPDATE field_statuses SET status = 'unknown (no copy of this decision''s own page has been found)'
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 545') AND field = 'title';
DELETE FROM decision_notes WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 545');
INSERT INTO decision_notes (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 545'), 1, 'PCD 867 says the 2019/20 proof of concept was funded by the Home Office and approved by the Deputy Mayor for Policing and Crime, with a year-one cost of £1,386,723.00. PCD 867 does not name PCD 545, so the register does not record that figure as this decision''s amount.');
INSERT INTO decision_notes (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 545'), 2, 'PCD 1682 says the Hub was set up in June 2019.');

-- PCD 867
UPDATE field_statuses SET status = 'unknown (the ''Date signed'' field is empty on the published page)'
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 867') AND field = 'date_signed';
UPDATE field_statuses SET status = 'unknown (the published text seen does not include the recommendation; the executive summary gives the purpose as a new Home Office grant agreement of about £1.48m)'
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 867') AND field = 'recommendations';
UPDATE field_statuses SET status = 'unknown (the text mentions the 2019/20 proof of concept but names no decision reference)'
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 867') AND field = 'related_pcds';
DELETE FROM decision_notes WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 867');
INSERT INTO decision_notes (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 867'), 1, 'The executive summary says that DAC Graham McNulty keeps oversight as the NPCC Gangs Portfolio lead.');
INSERT INTO decision_notes (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 867'), 2, 'Staff numbers stay the same. The funding covers pay and overtime, training, equipment, research and development, and support costs. The rise over year one reflects higher police pay.');

-- PCD 914
UPDATE field_statuses SET status = 'unknown (the ''Date signed'' field is empty on the published page)'
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 914') AND field = 'date_signed';
UPDATE field_statuses SET status = 'unknown (the published text seen does not include the recommendation; its purpose is stated as a grant variation with the Home Office)'
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 914') AND field = 'recommendations';
UPDATE field_statuses SET status = 'not named (it builds on the June 2020 grant agreement approved by PCD 867, but names no decision reference)'
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 914') AND field = 'related_pcds';
DELETE FROM decision_notes WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 914');
INSERT INTO decision_notes (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 914'), 1, 'The extra money pays direct pay and overtime, and role-specific training and equipment, for five more officers, adding capacity and shift flexibility.');
INSERT INTO decision_notes (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 914'), 2, 'The page says the extra money became available ''in November'' (2020, from the context), so the decision was taken after that; its date of signing is not known.');

-- PCD 956
DELETE FROM decision_notes WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 956');
INSERT INTO decision_notes (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 956'), 1, 'The first decision of the County Lines Social Media Intelligence Network chain: PCD 956, then PCD 1218, then PCD 1532.');

-- PCD 960
UPDATE field_statuses SET status = 'verified as a reference (cited by PCD 1047, PCD 1215 and PCD 1682); that the page at the source address is PCD 960 is inferred, because that page does not show its reference code'
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 960') AND field = 'reference';
UPDATE field_statuses SET status = 'probable (the page heading could not be read; the title comes from the page''s address and its content: the 2021/22 Home Office grant of about £2m, continuing PCD 545, 867 and 914)'
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 960') AND field = 'title';
UPDATE field_statuses SET status = 'name unknown (the key information is empty on the page); the recommendation is addressed to the DMPC'
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 960') AND field = 'decision_maker';
UPDATE field_statuses SET status = '£1,968,676.24 from the page at the source address; about £2m as described by PCD 1047'
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 960') AND field = 'amounts';
UPDATE field_statuses SET status = 'paraphrase of the page at the source address'
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 960') AND field = 'summary';
UPDATE field_statuses SET status = 'paraphrase of the page at the source address'
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 960') AND field = 'recommendations';
UPDATE field_statuses SET status = 'from the page at the source address: ''continuation of funding previously approved by MOPAC PCD545, PCD867 and PCD914'''
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 960') AND field = 'related_pcds';
DELETE FROM decision_notes WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 960');
INSERT INTO decision_notes (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 960'), 1, 'The page says that the existing grant ends on 31/03/2021.');

-- PCD 1047
UPDATE field_statuses SET status = 'unknown (the ''Date signed'' field is empty on the published page)'
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 1047') AND field = 'date_signed';
DELETE FROM decision_notes WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 1047');
INSERT INTO decision_notes (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1047'), 1, 'PCD 1215 does not list PCD 1047 among its earlier approvals (it lists PCD 545, 867, 914 and 960); PCD 1682 does.');

-- PCD 1215
UPDATE field_statuses SET status = 'name not shown on the published page (unknown); the recommendation is addressed to the DMPC'
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 1215') AND field = 'decision_maker';
UPDATE field_statuses SET status = 'verified (the wording does not say whether the amount is for each year or for both years)'
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 1215') AND field = 'amounts';
DELETE FROM decision_notes WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 1215');
INSERT INTO decision_notes (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1215'), 1, 'Financial comments: the grant pays for staff and officers, software, equipment, specialist training and communications. If no further funding comes, staff will move back into existing MPS posts.');
INSERT INTO decision_notes (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1215'), 2, 'Legal comments: the Home Office grant is accepted under Schedule 3, Paragraph 7 of the Police Reform and Social Responsibility Act 2011.');
INSERT INTO decision_notes (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1215'), 3, 'The page''s headings are ''Introduction and background'', ''Issues for consideration'', ''Financial Comments'' and ''Legal Comments''.');

-- PCD 1218
UPDATE field_statuses SET status = 'unknown (the field is empty on the published page)'
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 1218') AND field = 'date_signed';
UPDATE field_statuses SET status = 'unknown (the field is empty on the published page)'
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 1218') AND field = 'date_published';

-- PCD 1532
UPDATE field_statuses SET status = 'unknown (the ''Date signed'' field is empty on the published page)'
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 1532') AND field = 'date_signed';
UPDATE field_statuses SET status = 'verified (earlier funding: £272,708 under PCD 956 in 2021/22 and £495,000 under PCD 1218 in 2022/23)'
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 1532') AND field = 'related_pcds';
DELETE FROM decision_notes WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 1532');
INSERT INTO decision_notes (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1532'), 1, 'PCD 1682 names this decision as the separately funded related project.');

-- PCD 1682
UPDATE field_statuses SET status = 'unknown (the ''Date signed'' field is empty on the published page and in the published list of decisions)'
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 1682') AND field = 'date_signed';
UPDATE field_statuses SET status = 'verified (the decision''s own words, from its published text)'
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 1682') AND field = 'summary';
UPDATE field_statuses SET status = 'verified (the decision''s own words, from its published text)'
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 1682') AND field = 'recommendations';
UPDATE field_statuses SET status = 'verified: the decision''s text names PCD 545, 867, 914, 960, 1047 and 1215 as earlier Home Office funding approvals, and PCD1532 as the related County Lines Social Media Intelligence Network project'
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 1682') AND field = 'related_pcds';
DELETE FROM decision_notes WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 1682');
INSERT INTO decision_notes (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1682'), 1, 'The page describes the Hub as a fully funded MPS intelligence function, set up in June 2019, that supports operational teams against organised crime groups and urban street gangs who use social media to generate violence.');
INSERT INTO decision_notes (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1682'), 2, 'The Home Office confirmed funding for one more year, 2024/25.');
