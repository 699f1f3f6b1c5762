-- Back to the wording 000002 seeded.

-- PCD 545
UPDATE field_statuses SET status = 'verified (cited as an earlier approval on the PCD 960-probable page, the PCD 1215 page and the PCD 1682 page)'
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 545') AND field = 'reference';
UPDATE field_statuses SET status = 'unknown (no available copy of the page of the PCD 545 page was found)'
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 545') AND field = 'title';
DELETE FROM decision_notes WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 545');
INSERT INTO decision_notes (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 545'), 1, 'Not verified, inferred only: PCD 867 says the 2019/20 proof of concept was Home Office funded and ''approved by the Deputy Mayor for Policing and Crime'', and gives year-one (FY/1) cost as £1,386,723.00. PCD 867 does not name PCD 545, so do NOT record this as PCD 545''s amount without another source.');
INSERT INTO decision_notes (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 545'), 2, 'PCD 1682 says the Hub was implemented in June 2019.');

-- PCD 867
UPDATE field_statuses SET status = 'unknown (the ''Date signed'' field is empty in the available copy of the page)'
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 867') AND field = 'date_signed';
UPDATE field_statuses SET status = 'unknown (the Recommendation section is not in the available excerpt of the page; the executive summary gives the purpose as entering a new Home Office grant agreement of about GBP 1.48m)'
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 867') AND field = 'recommendations';
UPDATE field_statuses SET status = 'unknown (the excerpt cites the 2019/20 proof of concept but names no PCD number)'
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 867') AND field = 'related_pcds';
DELETE FROM decision_notes WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 867');
INSERT INTO decision_notes (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 867'), 1, 'The executive summary says DAC Graham McNulty keeps oversight as NPCC Gangs Portfolio lead.');
INSERT INTO decision_notes (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 867'), 2, 'Staff numbers stay the same. The funding covers pay and overtime, training, equipment, research and development, and support costs. The cost rise over year one reflects higher police pay.');

-- PCD 914
UPDATE field_statuses SET status = 'unknown (field empty in available copy of the page)'
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 914') AND field = 'date_signed';
UPDATE field_statuses SET status = 'unknown (not in available excerpt of the page; purpose stated as entering a grant variation with the Home Office)'
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 914') AND field = 'recommendations';
UPDATE field_statuses SET status = 'unknown by number (it builds on the June 2020 grant agreement, which PCD 867 approved, but this excerpt names no PCD)'
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 914') AND field = 'related_pcds';
DELETE FROM decision_notes WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 914');
INSERT INTO decision_notes (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 914'), 1, 'The extra money pays direct pay and overtime, plus role-specific training and equipment, for a five-officer uplift that adds capacity and shift flexibility.');
INSERT INTO decision_notes (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 914'), 2, 'Timing hint (inference only, not a date signed): the page says the extra money became available ''in November'' (2020 by context), so the decision came after that.');

-- PCD 956
DELETE FROM decision_notes WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 956');
INSERT INTO decision_notes (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 956'), 1, 'First decision of the County Lines social media intelligence network chain: 956 -> 1218 -> 1532.');

-- PCD 960
UPDATE field_statuses SET status = 'verified as a reference (cited by PCD 1047, 1215, 1682); the link to the page at source_url is INFERRED: the available copy of that page does not show its reference code'
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 960') AND field = 'reference';
UPDATE field_statuses SET status = 'probable, not verified (the page heading was not captured; title taken from the URL slug and matching content: the 2021/22 Home Office grant of about GBP 2m, continuing PCD 545/867/914)'
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 960') AND field = 'title';
UPDATE field_statuses SET status = 'name unknown (Key information empty in available copy of the page); role verified only in that the recommendation is addressed to the DMPC'
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 960') AND field = 'decision_maker';
UPDATE field_statuses SET status = 'GBP 1,968,676.24 from the probable page; GBP 2m verified from PCD 1047''s description'
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 960') AND field = 'amounts';
UPDATE field_statuses SET status = 'paraphrase of the probable page'
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 960') AND field = 'summary';
UPDATE field_statuses SET status = 'from the probable page (paraphrased)'
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 960') AND field = 'recommendations';
UPDATE field_statuses SET status = 'from the probable page: ''continuation of funding previously approved by MOPAC PCD545, PCD867 and PCD914'''
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 960') AND field = 'related_pcds';
DELETE FROM decision_notes WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 960');
INSERT INTO decision_notes (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 960'), 1, 'The probable page says the existing grant ends 31/03/2021.');

-- PCD 1047
UPDATE field_statuses SET status = 'unknown (field empty in available copy of the page)'
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 1047') AND field = 'date_signed';
DELETE FROM decision_notes WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 1047');
INSERT INTO decision_notes (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1047'), 1, 'PCD 1215 does NOT list PCD 1047 among earlier approvals (it lists 545, 867, 914, 960). PCD 1682 does list 1047.');

-- PCD 1215
UPDATE field_statuses SET status = 'name not shown in available copy of the page (unknown); recommendation addressed to the DMPC'
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 1215') AND field = 'decision_maker';
UPDATE field_statuses SET status = 'verified (wording ambiguous, see label)'
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 1215') AND field = 'amounts';
DELETE FROM decision_notes WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 1215');
INSERT INTO decision_notes (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1215'), 1, 'Financial comments: the grant pays for staff and officers, software, equipment, specialist training and communications. If no further funding comes, staff will be phased back into existing MPS posts.');
INSERT INTO decision_notes (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1215'), 2, 'Legal comments: the Home Office grant is accepted under Schedule 3, Paragraph 7 of the Police Reform and Social Responsibility Act 201[1]. The year is cut off in the available excerpt of the page; the Act of that name is the 2011 Act.');
INSERT INTO decision_notes (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1215'), 3, 'The page uses headings ''Introduction and background'', ''Issues for consideration'', ''Financial Comments'' and ''Legal Comments''.');

-- PCD 1218
UPDATE field_statuses SET status = 'unknown (the page shows the label with an empty value)'
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 1218') AND field = 'date_signed';
UPDATE field_statuses SET status = 'unknown (the page shows the label with an empty value)'
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 1218') AND field = 'date_published';

-- PCD 1532
UPDATE field_statuses SET status = 'unknown (field empty in available copy of the page)'
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 1532') AND field = 'date_signed';
UPDATE field_statuses SET status = 'verified (earlier funding: GBP 272,708 under PCD-956 in 2021/22 and GBP 495,000 under PCD-1218 in 2022/23)'
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 1532') AND field = 'related_pcds';
DELETE FROM decision_notes WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 1532');
INSERT INTO decision_notes (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1532'), 1, 'Body heading seen: ''PART I - NON-CONFIDENTIAL FACTS AND ADVICE TO THE DMPC''.');
INSERT INTO decision_notes (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1532'), 2, 'PCD 1682 names this decision as the separately funded related project.');

-- PCD 1682
UPDATE field_statuses SET status = 'unknown (field empty in available copy of the page, both on the decision page and on the listing page)'
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 1682') AND field = 'date_signed';
UPDATE field_statuses SET status = 'paraphrase'
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 1682') AND field = 'summary';
UPDATE field_statuses SET status = 'verified (paraphrased)'
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 1682') AND field = 'recommendations';
UPDATE field_statuses SET status = 'verified: the seed text names PCD 545, 867, 914, 960, 1047 and 1215 as earlier Home Office funding approvals, and PCD1532 as the related County Lines Social Media Intelligence Network project'
    WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 1682') AND field = 'related_pcds';
DELETE FROM decision_notes WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 1682');
INSERT INTO decision_notes (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1682'), 1, 'The page describes the Hub as a fully funded MPS intelligence function, set up June 2019, that supports operational teams against organised crime groups and urban street gangs who use social media to generate violence.');
INSERT INTO decision_notes (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1682'), 2, 'The Home Office confirmed funding for one more year, 2024/25.');
INSERT INTO decision_notes (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1682'), 3, 'Body headings seen: ''PART I - NON-CONFIDENTIAL FACTS AND ADVICE TO THE DMPC'', ''Introduction and background'', ''Issues for consideration''.');
INSERT INTO decision_notes (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1682'), 4, 'It appears on MOPAC decisions listing page 4 (''Showing 81-100 of 1627 results found''), between PCD 1701, PCD 1707 and PCD 1752 entries.');
