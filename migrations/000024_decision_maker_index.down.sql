DROP INDEX decisions_number_idx;
DROP INDEX decisions_maker_idx;
