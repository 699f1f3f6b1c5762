DROP TABLE IF EXISTS field_statuses, decision_notes, decision_citations, decision_links, funding_lines, sections,
    recommendations, decisions, organisations;
