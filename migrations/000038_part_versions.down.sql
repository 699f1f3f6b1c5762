DROP TABLE decision_part_versions;
