DROP TABLE import_pending_links;
DROP TABLE decision_imports;
DROP TABLE import_runs;
DROP FUNCTION refuse_import_change();
