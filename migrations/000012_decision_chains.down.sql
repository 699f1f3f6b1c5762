DROP VIEW IF EXISTS decision_chains;
DROP TABLE IF EXISTS decision_chain_steps;
