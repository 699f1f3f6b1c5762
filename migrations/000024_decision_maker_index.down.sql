DROP INDEX decisions_maker_idx;
