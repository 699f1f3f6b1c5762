-- The real decisions this register starts with: PCD 1682 "Alpha - Social Media Hub" and the two
-- funding chains around it. Source: migrations/seed/ (pcd-facts.json, PCD-1682.txt and their README).
-- Unknown values stay NULL. Paraphrased text is marked text_source = 'paraphrase'.

INSERT INTO organisations (name, abbreviation) VALUES
    ('Home Office', 'HO'),
    ('Metropolitan Police Service', 'MPS');

INSERT INTO decisions (series, number, reference, slug, title, summary, text_source, funder_id,
    decision_maker_name, decision_maker_role, date_signed, date_published, status, source_url, provenance, provenance_note)
VALUES ('PCD', 545, 'PCD 545', 'pcd-545', NULL, NULL, 'paraphrase',
    (SELECT id FROM organisations WHERE name = 'Home Office'),
    NULL, NULL, NULL, NULL, 'published',
    NULL, 'verified', NULL);
INSERT INTO decision_citations (decision_id, position, url) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 545'), 1, 'https://www.london.gov.uk/programmes-strategies/mayors-office-policing-and-crime/governance-and-decision-making/mopac-decisions-0/home-office-funding-project-alpha-social-media-hub-202122');
INSERT INTO decision_citations (decision_id, position, url) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 545'), 2, 'https://london.gov.uk/pcd-1215-home-office-funding-project-alpha-social-media-hub');
INSERT INTO decision_citations (decision_id, position, url) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 545'), 3, 'https://www.london.gov.uk/programmes-strategies/mayors-office-policing-and-crime-mopac/mopac-governance-and-decision-making/mopac-decisions/pcd-1682-alpha-social-media-hub');
INSERT INTO decision_notes (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 545'), 1, 'Not verified, inferred only: PCD 867 says the 2019/20 proof of concept was Home Office funded and ''approved by the Deputy Mayor for Policing and Crime'', and gives year-one (FY/1) cost as £1,386,723.00. PCD 867 does not name PCD 545, so do NOT record this as PCD 545''s amount without another source.');
INSERT INTO decision_notes (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 545'), 2, 'PCD 1682 says the Hub was implemented in June 2019.');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 545'), 'reference', 'verified (cited as an earlier approval on the PCD 960-probable page, the PCD 1215 page and the PCD 1682 page)');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 545'), 'title', 'unknown (no available copy of the page of the PCD 545 page was found)');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 545'), 'date_signed', 'unknown');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 545'), 'date_published', 'unknown');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 545'), 'decision_maker', 'unknown');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 545'), 'funder', 'verified (PCD 1682 says the Home Office funding for the Hub was approved under PCD 545 and later references)');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 545'), 'amounts', 'unknown');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 545'), 'financial_years', 'unknown');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 545'), 'summary', 'unknown');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 545'), 'recommendations', 'unknown');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 545'), 'related_pcds', 'verified as successors: each later page names PCD 545 as an earlier approval');

INSERT INTO decisions (series, number, reference, slug, title, summary, text_source, funder_id,
    decision_maker_name, decision_maker_role, date_signed, date_published, status, source_url, provenance, provenance_note)
VALUES ('PCD', 867, 'PCD 867', 'pcd-867', 'Project Alpha Social Media Hub', 'Approves a new Home Office grant agreement so that the MPS-hosted, NPCC-sponsored Project Alpha Social Media Hub can keep running for a second year (2020/21), after the Home Office-funded proof of concept in 2019/20.', 'paraphrase',
    (SELECT id FROM organisations WHERE name = 'Home Office'),
    'Sophie Linden', 'Deputy Mayor, Policing and Crime', NULL, NULL, 'published',
    'https://www.london.gov.uk/programmes-strategies/mayors-office-policing-and-crime/governance-and-decision-making/mopac-decisions-0/project-alpha-social-media-hub', 'verified', NULL);
INSERT INTO funding_lines (decision_id, position, funder_id, recipient_id, amount_pence, fy_start, fy_end, basis, kind, label, period_text)
VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 867'), 1, (SELECT id FROM organisations WHERE name = 'Home Office'), NULL, 147930616, 2020, 2020, 'total', 'grant_accepted',
    'new Home Office grant agreement, described as £1.48m (FY/2 figure)', '01/04/2020 to 31/03/2021');
INSERT INTO funding_lines (decision_id, position, funder_id, recipient_id, amount_pence, fy_start, fy_end, basis, kind, label, period_text)
VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 867'), 2, (SELECT id FROM organisations WHERE name = 'Home Office'), NULL, 138672300, 2019, 2019, 'total', 'context',
    'year-one (FY/1) cost of the 2019/20 proof of concept, quoted for comparison', '2019/20');
INSERT INTO decision_citations (decision_id, position, url) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 867'), 1, 'https://www.london.gov.uk/programmes-strategies/mayors-office-policing-and-crime/governance-and-decision-making/mopac-decisions-0/home-office-funding-project-alpha-social-media-hub-202122');
INSERT INTO decision_citations (decision_id, position, url) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 867'), 2, 'https://london.gov.uk/pcd-1215-home-office-funding-project-alpha-social-media-hub');
INSERT INTO decision_citations (decision_id, position, url) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 867'), 3, 'https://www.london.gov.uk/programmes-strategies/mayors-office-policing-and-crime-mopac/mopac-governance-and-decision-making/mopac-decisions/pcd-1682-alpha-social-media-hub');
INSERT INTO decision_notes (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 867'), 1, 'The executive summary says DAC Graham McNulty keeps oversight as NPCC Gangs Portfolio lead.');
INSERT INTO decision_notes (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 867'), 2, 'Staff numbers stay the same. The funding covers pay and overtime, training, equipment, research and development, and support costs. The cost rise over year one reflects higher police pay.');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 867'), 'reference', 'verified (page Key information: Reference code PCD 867)');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 867'), 'title', 'verified (page heading)');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 867'), 'date_signed', 'unknown (the ''Date signed'' field is empty in the available copy of the page)');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 867'), 'date_published', 'unknown');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 867'), 'decision_maker', 'verified (page: ''Decision by: Sophie Linden, Deputy Mayor, Policing and Crime'')');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 867'), 'funder', 'verified');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 867'), 'amounts', 'verified (executive summary)');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 867'), 'financial_years', 'verified (period 01/04/2020 to 31/03/2021)');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 867'), 'summary', 'paraphrase of the executive summary');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 867'), 'recommendations', 'unknown (the Recommendation section is not in the available excerpt of the page; the executive summary gives the purpose as entering a new Home Office grant agreement of about GBP 1.48m)');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 867'), 'related_pcds', 'unknown (the excerpt cites the 2019/20 proof of concept but names no PCD number)');

INSERT INTO decisions (series, number, reference, slug, title, summary, text_source, funder_id,
    decision_maker_name, decision_maker_role, date_signed, date_published, status, source_url, provenance, provenance_note)
VALUES ('PCD', 914, 'PCD 914', 'pcd-914', 'Project Alpha Social Media Hub Grant Agreement Variation Proposal', 'Approves varying the 2020/21 Home Office grant for the Project Alpha Social Media Hub to take up to about £267k of extra money for five more police officers. The uplift period was cut short because a COVID-related delay held up the Home Office decision.', 'paraphrase',
    (SELECT id FROM organisations WHERE name = 'Home Office'),
    'Sophie Linden', 'Deputy Mayor, Policing and Crime', NULL, NULL, 'published',
    'https://london.gov.uk/programmes-strategies/mayors-office-policing-and-crime/governance-and-decision-making/mopac-decisions-0/project-alpha-social-media-hub-grant-agreement-variation-proposal', 'verified', NULL);
INSERT INTO funding_lines (decision_id, position, funder_id, recipient_id, amount_pence, fy_start, fy_end, basis, kind, label, period_text)
VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 914'), 1, (SELECT id FROM organisations WHERE name = 'Home Office'), NULL, 147930616, 2020, 2020, 'total', 'context',
    'Home Office grant agreed June 2020 for the current year (second year of funding)', '2020/21');
INSERT INTO funding_lines (decision_id, position, funder_id, recipient_id, amount_pence, fy_start, fy_end, basis, kind, label, period_text)
VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 914'), 2, (SELECT id FROM organisations WHERE name = 'Home Office'), NULL, 26735464, 2020, 2020, 'total', 'variation',
    'additional funding made available in November (actual draw expected to be lower because the period was shortened)', 'originally 01/10/2020 to 31/03/2021, shortened');
INSERT INTO funding_lines (decision_id, position, funder_id, recipient_id, amount_pence, fy_start, fy_end, basis, kind, label, period_text)
VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 914'), 3, (SELECT id FROM organisations WHERE name = 'Home Office'), NULL, 174666080, 2020, 2020, 'total', 'maximum_after_variation',
    'maximum total grant provision for 2020/21 after the variation', '2020/21');
INSERT INTO decision_citations (decision_id, position, url) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 914'), 1, 'https://www.london.gov.uk/programmes-strategies/mayors-office-policing-and-crime/governance-and-decision-making/mopac-decisions-0/home-office-funding-project-alpha-social-media-hub-202122');
INSERT INTO decision_citations (decision_id, position, url) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 914'), 2, 'https://london.gov.uk/pcd-1215-home-office-funding-project-alpha-social-media-hub');
INSERT INTO decision_citations (decision_id, position, url) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 914'), 3, 'https://www.london.gov.uk/programmes-strategies/mayors-office-policing-and-crime-mopac/mopac-governance-and-decision-making/mopac-decisions/pcd-1682-alpha-social-media-hub');
INSERT INTO decision_notes (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 914'), 1, 'The extra money pays direct pay and overtime, plus role-specific training and equipment, for a five-officer uplift that adds capacity and shift flexibility.');
INSERT INTO decision_notes (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 914'), 2, 'Timing hint (inference only, not a date signed): the page says the extra money became available ''in November'' (2020 by context), so the decision came after that.');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 914'), 'reference', 'verified');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 914'), 'title', 'verified');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 914'), 'date_signed', 'unknown (field empty in available copy of the page)');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 914'), 'date_published', 'unknown');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 914'), 'decision_maker', 'verified');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 914'), 'funder', 'verified');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 914'), 'amounts', 'verified (executive summary)');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 914'), 'financial_years', 'verified');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 914'), 'summary', 'paraphrase of the executive summary');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 914'), 'recommendations', 'unknown (not in available excerpt of the page; purpose stated as entering a grant variation with the Home Office)');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 914'), 'related_pcds', 'unknown by number (it builds on the June 2020 grant agreement, which PCD 867 approved, but this excerpt names no PCD)');

INSERT INTO decisions (series, number, reference, slug, title, summary, text_source, funder_id,
    decision_maker_name, decision_maker_role, date_signed, date_published, status, source_url, provenance, provenance_note)
VALUES ('PCD', 956, 'PCD 956', 'pcd-956', 'Home Office Funding Project Alpha Social Media Intelligence Network', 'Accepts Home Office money for a one-year proof of concept of a national social media intelligence network supporting the County Lines Task Forces (MPS, West Midlands, Merseyside), the MPS Social Media Hub and the National County Lines Coordination Centre.', 'paraphrase',
    (SELECT id FROM organisations WHERE name = 'Home Office'),
    'Sophie Linden', 'Deputy Mayor, Policing and Crime', NULL, NULL, 'published',
    'https://london.gov.uk/programmes-strategies/mayors-office-policing-and-crime/governance-and-decision-making/mopac-decisions-0/home-office-funding-project-alpha-social-media-intelligence-network', 'verified', NULL);
INSERT INTO recommendations (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 956'), 1, 'Accept the Home Office grant of £272,708.04 for 2021/22.');
INSERT INTO funding_lines (decision_id, position, funder_id, recipient_id, amount_pence, fy_start, fy_end, basis, kind, label, period_text)
VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 956'), 1, (SELECT id FROM organisations WHERE name = 'Home Office'), NULL, 27270804, 2021, 2021, 'total', 'grant_accepted',
    'Home Office grant to develop the Project Alpha and County Line Social Media Intelligence Network as a proof of concept', '2021/22');
INSERT INTO decision_citations (decision_id, position, url) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 956'), 1, 'https://www.london.gov.uk/pcd-1218-home-office-funding-social-media-and-county-lines-intel-network');
INSERT INTO decision_citations (decision_id, position, url) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 956'), 2, 'https://www.london.gov.uk/programmes-strategies/mayors-office-policing-and-crime-mopac/mopac-governance-and-decision-making/mopac-decisions/pcd-1532-county-lines-smin');
INSERT INTO decision_notes (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 956'), 1, 'First decision of the County Lines social media intelligence network chain: 956 -> 1218 -> 1532.');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 956'), 'reference', 'verified (named as the earlier approval by PCD 1218 and PCD 1532)');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 956'), 'title', 'verified');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 956'), 'date_signed', 'unknown');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 956'), 'date_published', 'unknown');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 956'), 'decision_maker', 'verified');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 956'), 'funder', 'verified');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 956'), 'amounts', 'verified');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 956'), 'financial_years', 'verified');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 956'), 'summary', 'paraphrase of the page');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 956'), 'recommendations', 'paraphrase of the page');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 956'), 'related_pcds', 'verified as predecessor of 1218 and 1532');

INSERT INTO decisions (series, number, reference, slug, title, summary, text_source, funder_id,
    decision_maker_name, decision_maker_role, date_signed, date_published, status, source_url, provenance, provenance_note)
VALUES ('PCD', 960, 'PCD 960', 'pcd-960', 'Home Office Funding Project Alpha Social Media Hub 2021/22', 'Accepts the Home Office''s one-year (2021/22) grant offer for the Project Alpha Social Media Hub and keeps the Hub running at its existing staffing level. The offer is for one year because of the Chancellor''s one-year spending review.', 'paraphrase',
    (SELECT id FROM organisations WHERE name = 'Home Office'),
    NULL, 'Deputy Mayor for Policing and Crime (recommendation is addressed to the DMPC)', NULL, NULL, 'published',
    'https://www.london.gov.uk/programmes-strategies/mayors-office-policing-and-crime/governance-and-decision-making/mopac-decisions-0/home-office-funding-project-alpha-social-media-hub-202122', 'inferred', 'The page at the source address does not show its reference code. Its identity as PCD 960 rests on PCD 1047''s description of PCD 960 (approval to accept a £2m Home Office grant for 2021/22) and on matching content; PCD 1047, PCD 1215 and PCD 1682 all cite PCD 960.');
INSERT INTO recommendations (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 960'), 1, 'Accept Home Office grant funding of up to about £1.97m (£1,968,676.24) for the Hub in 2021/22, with the amount drawn matching actual spend.');
INSERT INTO recommendations (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 960'), 2, 'Approve continuing the Hub at existing staff levels to tackle gang violence and organised crime carried on online.');
INSERT INTO funding_lines (decision_id, position, funder_id, recipient_id, amount_pence, fy_start, fy_end, basis, kind, label, period_text)
VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 960'), 1, (SELECT id FROM organisations WHERE name = 'Home Office'), NULL, 196867624, 2021, 2021, 'total', 'grant_accepted',
    'Home Office grant offer, ''up to a maximum of'' (from the probable PCD 960 page)', '2021/22');
INSERT INTO funding_lines (decision_id, position, funder_id, recipient_id, amount_pence, fy_start, fy_end, basis, kind, label, period_text)
VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 960'), 2, (SELECT id FROM organisations WHERE name = 'Home Office'), NULL, 200000000, 2021, 2021, 'total', 'context',
    'PCD 1047''s description of PCD 960: approval to accept a £2m Home Office grant for 2021/22', '2021/22');
INSERT INTO decision_citations (decision_id, position, url) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 960'), 1, 'https://www.london.gov.uk/programmes-strategies/mayors-office-policing-and-crime/governance-and-decision-making/mopac-decisions-0/project-alpha-social-media-hub-continued-home-office-funding-20212022');
INSERT INTO decision_citations (decision_id, position, url) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 960'), 2, 'https://london.gov.uk/pcd-1215-home-office-funding-project-alpha-social-media-hub');
INSERT INTO decision_citations (decision_id, position, url) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 960'), 3, 'https://www.london.gov.uk/programmes-strategies/mayors-office-policing-and-crime-mopac/mopac-governance-and-decision-making/mopac-decisions/pcd-1682-alpha-social-media-hub');
INSERT INTO decision_notes (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 960'), 1, 'The probable page says the existing grant ends 31/03/2021.');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 960'), 'reference', 'verified as a reference (cited by PCD 1047, 1215, 1682); the link to the page at source_url is INFERRED: the available copy of that page does not show its reference code');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 960'), 'title', 'probable, not verified (the page heading was not captured; title taken from the URL slug and matching content: the 2021/22 Home Office grant of about GBP 2m, continuing PCD 545/867/914)');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 960'), 'date_signed', 'unknown');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 960'), 'date_published', 'unknown');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 960'), 'decision_maker', 'name unknown (Key information empty in available copy of the page); role verified only in that the recommendation is addressed to the DMPC');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 960'), 'funder', 'verified');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 960'), 'amounts', 'GBP 1,968,676.24 from the probable page; GBP 2m verified from PCD 1047''s description');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 960'), 'financial_years', 'verified');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 960'), 'summary', 'paraphrase of the probable page');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 960'), 'recommendations', 'from the probable page (paraphrased)');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 960'), 'related_pcds', 'from the probable page: ''continuation of funding previously approved by MOPAC PCD545, PCD867 and PCD914''');

INSERT INTO decisions (series, number, reference, slug, title, summary, text_source, funder_id,
    decision_maker_name, decision_maker_role, date_signed, date_published, status, source_url, provenance, provenance_note)
VALUES ('PCD', 1047, 'PCD 1047', 'pcd-1047', 'Project Alpha Social Media Hub Continued Home Office Funding 2021/2022', 'Accepts an extra £1.17m of Home Office money for 2021/22, on top of the £2m approved under PCD 960, to add 12 staff to the Project Alpha Social Media Hub.', 'paraphrase',
    (SELECT id FROM organisations WHERE name = 'Home Office'),
    'Sophie Linden', 'Deputy Mayor, Policing and Crime', NULL, NULL, 'published',
    'https://www.london.gov.uk/programmes-strategies/mayors-office-policing-and-crime/governance-and-decision-making/mopac-decisions-0/project-alpha-social-media-hub-continued-home-office-funding-20212022', 'verified', NULL);
INSERT INTO recommendations (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1047'), 1, 'Approve acceptance of £1,170,000 of additional Home Office funding to pay for a staff uplift to the Hub during 2021/22.');
INSERT INTO funding_lines (decision_id, position, funder_id, recipient_id, amount_pence, fy_start, fy_end, basis, kind, label, period_text)
VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1047'), 1, (SELECT id FROM organisations WHERE name = 'Home Office'), NULL, 117000000, 2021, 2021, 'total', 'grant_accepted',
    'additional Home Office funding for an uplift of 12 staff', '2021/22');
INSERT INTO funding_lines (decision_id, position, funder_id, recipient_id, amount_pence, fy_start, fy_end, basis, kind, label, period_text)
VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1047'), 2, (SELECT id FROM organisations WHERE name = 'Home Office'), NULL, 200000000, 2021, 2021, 'total', 'context',
    'grant already approved under PCD 960 (context)', '2021/22');
INSERT INTO decision_citations (decision_id, position, url) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1047'), 1, 'https://www.london.gov.uk/programmes-strategies/mayors-office-policing-and-crime-mopac/mopac-governance-and-decision-making/mopac-decisions/pcd-1682-alpha-social-media-hub');
INSERT INTO decision_notes (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1047'), 1, 'PCD 1215 does NOT list PCD 1047 among earlier approvals (it lists 545, 867, 914, 960). PCD 1682 does list 1047.');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1047'), 'reference', 'verified');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1047'), 'title', 'verified');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1047'), 'date_signed', 'unknown (field empty in available copy of the page)');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1047'), 'date_published', 'unknown');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1047'), 'decision_maker', 'verified');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1047'), 'funder', 'verified');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1047'), 'amounts', 'verified');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1047'), 'financial_years', 'verified');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1047'), 'summary', 'paraphrase');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1047'), 'recommendations', 'verified (paraphrased)');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1047'), 'related_pcds', 'verified (''PCD 960 refers'')');

INSERT INTO decisions (series, number, reference, slug, title, summary, text_source, funder_id,
    decision_maker_name, decision_maker_role, date_signed, date_published, status, source_url, provenance, provenance_note)
VALUES ('PCD', 1215, 'PCD 1215', 'pcd-1215', 'Home Office funding for Project Alpha social media hub', 'Approves a new two-year Home Office grant agreement (2022/23 and 2023/24) so that the Project Alpha Social Media Hub can continue after the previous grant ended on 31 March 2022.', 'paraphrase',
    (SELECT id FROM organisations WHERE name = 'Home Office'),
    NULL, 'Deputy Mayor for Policing and Crime (recommendation is addressed to the DMPC)', NULL, NULL, 'published',
    'https://london.gov.uk/pcd-1215-home-office-funding-project-alpha-social-media-hub', 'verified', NULL);
INSERT INTO recommendations (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1215'), 1, 'Approve a new Home Office grant agreement of £2,893,452 to fund the Social Media Hub each year for a further 24 months, with funding matching actual spend in 2022/23 and 2023/24.');
INSERT INTO funding_lines (decision_id, position, funder_id, recipient_id, amount_pence, fy_start, fy_end, basis, kind, label, period_text)
VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1215'), 1, (SELECT id FROM organisations WHERE name = 'Home Office'), NULL, 289345200, 2022, 2023, 'unclear', 'grant_accepted',
    'Home Office grant; the page says £2,893,452 ''for both 2022/23 and 2023/24'' and the recommendation says it funds the Hub ''each year for an additional twenty four months'' (per-year vs total is ambiguous in the text)', '2022/23 and 2023/24');
INSERT INTO decision_citations (decision_id, position, url) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1215'), 1, 'https://www.london.gov.uk/programmes-strategies/mayors-office-policing-and-crime-mopac/mopac-governance-and-decision-making/mopac-decisions/pcd-1682-alpha-social-media-hub');
INSERT INTO decision_notes (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1215'), 1, 'Financial comments: the grant pays for staff and officers, software, equipment, specialist training and communications. If no further funding comes, staff will be phased back into existing MPS posts.');
INSERT INTO decision_notes (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1215'), 2, 'Legal comments: the Home Office grant is accepted under Schedule 3, Paragraph 7 of the Police Reform and Social Responsibility Act 201[1]. The year is cut off in the available excerpt of the page; the Act of that name is the 2011 Act.');
INSERT INTO decision_notes (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1215'), 3, 'The page uses headings ''Introduction and background'', ''Issues for consideration'', ''Financial Comments'' and ''Legal Comments''.');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1215'), 'reference', 'verified (title and URL)');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1215'), 'title', 'verified');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1215'), 'date_signed', 'unknown');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1215'), 'date_published', 'unknown');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1215'), 'decision_maker', 'name not shown in available copy of the page (unknown); recommendation addressed to the DMPC');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1215'), 'funder', 'verified');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1215'), 'amounts', 'verified (wording ambiguous, see label)');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1215'), 'financial_years', 'verified');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1215'), 'summary', 'paraphrase');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1215'), 'recommendations', 'verified (paraphrased)');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1215'), 'related_pcds', 'verified (''continuation of funding previously approved by MOPAC PCD545, PCD867, PCD914 and PCD960'')');

INSERT INTO decisions (series, number, reference, slug, title, summary, text_source, funder_id,
    decision_maker_name, decision_maker_role, date_signed, date_published, status, source_url, provenance, provenance_note)
VALUES ('PCD', 1218, 'PCD 1218', 'pcd-1218', 'Home Office funding for Social Media and County Lines Intel Network', 'Accepts a further year of Home Office money for the Social Media County Line Intelligence Network, supporting the task forces in the MPS (Op Orochi), Merseyside and West Midlands.', 'paraphrase',
    (SELECT id FROM organisations WHERE name = 'Home Office'),
    'Sophie Linden', 'Deputy Mayor, Policing and Crime', NULL, NULL, 'published',
    'https://www.london.gov.uk/pcd-1218-home-office-funding-social-media-and-county-lines-intel-network', 'verified', NULL);
INSERT INTO recommendations (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1218'), 1, 'Accept the Home Office grant of £495,000 for 2022/23.');
INSERT INTO funding_lines (decision_id, position, funder_id, recipient_id, amount_pence, fy_start, fy_end, basis, kind, label, period_text)
VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1218'), 1, (SELECT id FROM organisations WHERE name = 'Home Office'), NULL, 49500000, 2022, 2022, 'total', 'grant_accepted',
    'Home Office grant for 12 months', '2022/23');
INSERT INTO decision_citations (decision_id, position, url) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1218'), 1, 'https://www.london.gov.uk/programmes-strategies/mayors-office-policing-and-crime-mopac/mopac-governance-and-decision-making/mopac-decisions/pcd-1532-county-lines-smin');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1218'), 'reference', 'verified');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1218'), 'title', 'verified');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1218'), 'date_signed', 'unknown (the page shows the label with an empty value)');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1218'), 'date_published', 'unknown (the page shows the label with an empty value)');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1218'), 'decision_maker', 'verified');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1218'), 'funder', 'verified');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1218'), 'amounts', 'verified');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1218'), 'financial_years', 'verified');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1218'), 'summary', 'paraphrase of the page');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1218'), 'recommendations', 'paraphrase of the page');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1218'), 'related_pcds', 'verified: names PCD956 as the earlier approval');

INSERT INTO decisions (series, number, reference, slug, title, summary, text_source, funder_id,
    decision_maker_name, decision_maker_role, date_signed, date_published, status, source_url, provenance, provenance_note)
VALUES ('PCD', 1532, 'PCD 1532', 'pcd-1532', 'County Lines SMIN', 'Accepts two more years of Home Office grant (£570,567 a year, 2023/24 to 2024/25) for the NPCC-sponsored County Line Social Media Intelligence Network, and agrees in principle to take up to £1m a year for 2025/26 to 2026/27, including possible expansion.', 'paraphrase',
    (SELECT id FROM organisations WHERE name = 'Home Office'),
    'Sophie Linden', 'Deputy Mayor, Policing and Crime (shown as ''Past staff'')', NULL, NULL, 'published',
    'https://www.london.gov.uk/programmes-strategies/mayors-office-policing-and-crime-mopac/mopac-governance-and-decision-making/mopac-decisions/pcd-1532-county-lines-smin', 'verified', NULL);
INSERT INTO recommendations (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1532'), 1, 'Approve a new Home Office grant agreement of £570,567 a year for two more years to fund the County Line Social Media Intelligence Network, with the amount recovered matching actual spend in 2023/24 and 2024/25.');
INSERT INTO recommendations (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1532'), 2, 'Approve in principle accepting up to £1,000,000 a year of Home Office funding for 2025/26 to 2026/27, including possible expansion. The page notes the risk that Home Office funding stops after 2024/25, when the project would need other funding.');
INSERT INTO funding_lines (decision_id, position, funder_id, recipient_id, amount_pence, fy_start, fy_end, basis, kind, label, period_text)
VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1532'), 1, (SELECT id FROM organisations WHERE name = 'Home Office'), NULL, 57056700, 2023, 2024, 'per_year', 'grant_accepted',
    'Home Office grant per year for two further years', '2023/24 and 2024/25');
INSERT INTO funding_lines (decision_id, position, funder_id, recipient_id, amount_pence, fy_start, fy_end, basis, kind, label, period_text)
VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1532'), 2, (SELECT id FROM organisations WHERE name = 'Home Office'), NULL, 100000000, 2025, 2026, 'per_year', 'agreed_in_principle',
    'in-principle approval of up to this much Home Office grant per year, including possible expansion', '2025/26 and 2026/27');
INSERT INTO decision_notes (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1532'), 1, 'Body heading seen: ''PART I - NON-CONFIDENTIAL FACTS AND ADVICE TO THE DMPC''.');
INSERT INTO decision_notes (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1532'), 2, 'PCD 1682 names this decision as the separately funded related project.');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1532'), 'reference', 'verified');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1532'), 'title', 'verified');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1532'), 'date_signed', 'unknown (field empty in available copy of the page)');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1532'), 'date_published', 'unknown');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1532'), 'decision_maker', 'verified');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1532'), 'funder', 'verified');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1532'), 'amounts', 'verified');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1532'), 'financial_years', 'verified');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1532'), 'summary', 'paraphrase');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1532'), 'recommendations', 'verified (paraphrased)');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1532'), 'related_pcds', 'verified (earlier funding: GBP 272,708 under PCD-956 in 2021/22 and GBP 495,000 under PCD-1218 in 2022/23)');

INSERT INTO decisions (series, number, reference, slug, title, summary, text_source, funder_id,
    decision_maker_name, decision_maker_role, date_signed, date_published, status, source_url, provenance, provenance_note)
VALUES ('PCD', 1682, 'PCD 1682', 'pcd-1682', 'Alpha - Social Media Hub', 'This paper seeks approval to accept Home Office (HO) grant funding of up to £2,755,000 for an additional 12 months, to continue to fund SMH with the aim of reducing serious youth violence and exploitation.', 'published',
    (SELECT id FROM organisations WHERE name = 'Home Office'),
    'Sophie Linden', 'Deputy Mayor, Policing and Crime (shown as ''Past staff'')', NULL, NULL, 'published',
    'https://www.london.gov.uk/programmes-strategies/mayors-office-policing-and-crime-mopac/mopac-governance-and-decision-making/mopac-decisions/pcd-1682-alpha-social-media-hub', 'verified', NULL);
INSERT INTO recommendations (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1682'), 1, 'Approve the request to accept HO grant of £2,755,000 for 2024-25 to fund SMH.');
INSERT INTO funding_lines (decision_id, position, funder_id, recipient_id, amount_pence, fy_start, fy_end, basis, kind, label, period_text)
VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1682'), 1, (SELECT id FROM organisations WHERE name = 'Home Office'), (SELECT id FROM organisations WHERE name = 'Metropolitan Police Service'), 275500000, 2024, 2024, 'total', 'grant_accepted',
    'Home Office grant, ''up to'', for an additional 12 months', '2024-25');
INSERT INTO sections (decision_id, part, position, kind, heading, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1682'), 1, 1, 'introduction_and_background', 'Introduction and background',
    'The Alpha SMH is a fully funded Metropolitan Police Service (MPS) intelligence function that was implemented in June 2019 to support operational teams to effectively tackle the threat posed by Organised Criminal Groups/Urban Street Gangs from their use of social media to generate violence and support criminal activity.

The HO has provided funding for the project for the past five years, which was approved under PCD references 545, 867, 914, 960, 1047 and 1215.

The HO has confirmed funding to support the continuation of the Alpha SMH for an additional year in 2024/25.');
INSERT INTO sections (decision_id, part, position, kind, heading, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1682'), 1, 2, 'issues_for_consideration', 'Issues for consideration',
    'Social media is a major component of gang related violence and serious organised crime that includes County Lines. Urban street gangs pose a significant threat to young people and the vulnerable to violence, criminal and sexual exploitation is extensive and affects every police force area.

The Alpha SMH provides intelligence and evidence-based methods to tackle gang-related violence and criminality in London, presenting significant benefits to the MPS and Londoners.

With the offer grant funding from the HO, the MPS plans to continue using the funding to mitigate increasing demand by developing innovative solutions, effectively collaborating within law enforcement and with industry providers to providers to provide a better understanding of the scale, risks and to develop solutions collaboratively.

This funding is separate from the HO grant for the continuation of the related project, the “County Lines Social Media Intelligence Network”, which was developed to enhance the online capabilities in tackling County Lines (PCD1532).

The MPS has provided assurance that there will be no ongoing financial commitments should additional funding not be provided for 2025/26. Staff will be redeployed across Frontline Policing taking with them skills and experience that can be deployed elsewhere in the organisation to tackle MPS priorities.

In line with the New Met for London Plan, the SMH function will directly impact serious violence and organised criminality. It will also contribute to keeping children, young people and vulnerable individuals safe by reducing opportunity for criminal and sexual exploitation facilitated by the online activity of gangs.');
INSERT INTO sections (decision_id, part, position, kind, heading, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1682'), 1, 3, 'financial_comments', 'Financial Comments',
    'The proposal seek approval to accept HO grant funding of up to £2,755,000 to support funding of the Alpha SMH during 2024/25.

The funding will cover all expenses related to pay, overtime, and training and operational equipment, as well as all costs related to the role and cost recovery will reflect actual spend.');
INSERT INTO sections (decision_id, part, position, kind, heading, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1682'), 1, 4, 'legal_comments', 'Legal Comments',
    'Paragraph 4.8 of the MOPAC Scheme of Delegation and Consent provides that the Deputy Mayor for Policing and Crime (DMPC) has delegated authority to approve all bids for grant funding.

The legal powers applicable to the acceptance of this Grant will be under Schedule 3, Paragraph 7 of the Police Reform and Social Responsibility Act 2011 which provides that,

The Mayor’s Office for Policing and Crime may do anything which is calculated to facilitate, or is conducive or incidental to, the exercise of the functions of the Office.

That includes

- Entering into contracts and other agreements (whether legally binding or not);

If approved, the terms of the grant offered by the Home Office will be formalised between the relevant parties overseen by MPS Finance Team.');
INSERT INTO sections (decision_id, part, position, kind, heading, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1682'), 1, 5, 'equality_comments', 'Equality Comments',
    'MOPAC is required to comply with the public sector equality duty set out in section 149(1) of the Equality Act 2010. This requires MOPAC to have due regard to the need to eliminate discrimination, advance equality of opportunity and foster good relations by reference to people with protected characteristics. The protected characteristics are age, disability, gender reassignment, marriage and civil partnership, pregnancy and maternity, race, religion or belief, sex and sexual orientation.

The MPS assure that the SMH underwent a full Equalities Impact Assessment (EIA) at the start of the project, which identified no negative impact to any individual at that stage. The proposal seeks additional funding for an existing function, therefore, there is no organisational change. Due regard and consideration has been taken to assess equality impact caused by the proposed business change including effective engagement and analysing relevant equality information. As a result, an action plan has been implemented to address potential negative impact to any individual using an Equality Impact Assessment.

The project will contribute towards the London Anchor Institutions Charter, in particular the objectives to Narrow Social, Health and Economic Inequalities, Help Young People to Flourish and Support Our Communities. The supply of drugs and associated violence is known to disproportionately impact on deprived sections of society, with Class A addiction being significantly more prevalent in areas with high levels of social deprivation, and lack of opportunity in these areas can result in young people being drawn into a life of crime and exploitation. The focus of the SMH is disrupting organised criminality and preventing the exploitation of young persons, these have a direct impact on the lives of young people and the communities in which they live.');
INSERT INTO sections (decision_id, part, position, kind, heading, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1682'), 1, 6, 'gdpr_and_data_privacy', 'GDPR and Data Privacy',
    'The MPS is subject to the requirements and conditions placed on it as a ''State'' body to comply with the European Convention of Human Rights and the Data Protection Act (DPA) 2018. Both legislative requirements place an obligation on the MPS to process personal data fairly and lawfully to safeguard the rights and freedoms of individuals.

Under Article 35 of the General Data Protection Regulation (GDPR) and Section 57 of the DPA 2018, Data Protection Impact Assessments (DPIA) become mandatory for organisations with technologies and processes that are likely to result in a high risk to the rights of the data subjects.

The MPS assure that a Data Protection Impact Assessment (DPIA) has been completed in respect of the SMH. The DPIA is currently subject to an annual review and updated. There has been no significant change to the data processing since the last review. The project will ensure a privacy by design approach, which will allow the MPS to find and fix problems at the early stages of any project, ensuring compliance with GDPR. DPIA’s support the accountability principle, as they will ensure the MPS complies with the requirements of GDPR, and they demonstrate that appropriate measures have been taken to ensure compliance.

The DPIA concluded the risk of a data breach occurring was low based on current practices. Recommendations regarding data storage and retention have been followed with the use of the MPS approved BOX data storage solution and an updated data retention policy. Ongoing consultation with the Information Assurance and Information Rights units within MPS will be completed to ensure the project continues to meet its compliance requirements.');
INSERT INTO sections (decision_id, part, position, kind, heading, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1682'), 1, 7, 'background_papers', 'Background/supporting papers',
    '8.1. MPS Paper – HO Grant Funding Alpha Social Media Hub (SMH).');
INSERT INTO decision_notes (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1682'), 1, 'The page describes the Hub as a fully funded MPS intelligence function, set up June 2019, that supports operational teams against organised crime groups and urban street gangs who use social media to generate violence.');
INSERT INTO decision_notes (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1682'), 2, 'The Home Office confirmed funding for one more year, 2024/25.');
INSERT INTO decision_notes (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1682'), 3, 'Body headings seen: ''PART I - NON-CONFIDENTIAL FACTS AND ADVICE TO THE DMPC'', ''Introduction and background'', ''Issues for consideration''.');
INSERT INTO decision_notes (decision_id, position, body) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1682'), 4, 'It appears on MOPAC decisions listing page 4 (''Showing 81-100 of 1627 results found''), between PCD 1701, PCD 1707 and PCD 1752 entries.');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1682'), 'reference', 'verified');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1682'), 'title', 'verified');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1682'), 'date_signed', 'unknown (field empty in available copy of the page, both on the decision page and on the listing page)');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1682'), 'date_published', 'unknown');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1682'), 'decision_maker', 'verified');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1682'), 'funder', 'verified');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1682'), 'amounts', 'verified');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1682'), 'financial_years', 'verified');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1682'), 'summary', 'paraphrase');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1682'), 'recommendations', 'verified (paraphrased)');
INSERT INTO field_statuses (decision_id, field, status) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1682'), 'related_pcds', 'verified: the seed text names PCD 545, 867, 914, 960, 1047 and 1215 as earlier Home Office funding approvals, and PCD1532 as the related County Lines Social Media Intelligence Network project');

-- Funding chains: the later decision continues the earlier one.
INSERT INTO decision_links (from_decision_id, to_decision_id, kind) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 867'), (SELECT id FROM decisions WHERE reference = 'PCD 545'), 'continues');
INSERT INTO decision_links (from_decision_id, to_decision_id, kind) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 914'), (SELECT id FROM decisions WHERE reference = 'PCD 867'), 'continues');
INSERT INTO decision_links (from_decision_id, to_decision_id, kind) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 960'), (SELECT id FROM decisions WHERE reference = 'PCD 914'), 'continues');
INSERT INTO decision_links (from_decision_id, to_decision_id, kind) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1047'), (SELECT id FROM decisions WHERE reference = 'PCD 960'), 'continues');
INSERT INTO decision_links (from_decision_id, to_decision_id, kind) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1215'), (SELECT id FROM decisions WHERE reference = 'PCD 1047'), 'continues');
INSERT INTO decision_links (from_decision_id, to_decision_id, kind) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1682'), (SELECT id FROM decisions WHERE reference = 'PCD 1215'), 'continues');
INSERT INTO decision_links (from_decision_id, to_decision_id, kind) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1218'), (SELECT id FROM decisions WHERE reference = 'PCD 956'), 'continues');
INSERT INTO decision_links (from_decision_id, to_decision_id, kind) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1532'), (SELECT id FROM decisions WHERE reference = 'PCD 1218'), 'continues');
-- PCD 914 varies the 2020/21 grant agreement that PCD 867 approved.
INSERT INTO decision_links (from_decision_id, to_decision_id, kind) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 914'), (SELECT id FROM decisions WHERE reference = 'PCD 867'), 'varies');
-- PCD 1682 names PCD 1532 as the separately funded related project.
INSERT INTO decision_links (from_decision_id, to_decision_id, kind) VALUES ((SELECT id FROM decisions WHERE reference = 'PCD 1682'), (SELECT id FROM decisions WHERE reference = 'PCD 1532'), 'related');
