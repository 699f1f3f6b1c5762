ALTER TABLE funding_lines
    DROP CONSTRAINT IF EXISTS funding_lines_currency_gbp,
    DROP CONSTRAINT IF EXISTS funding_lines_amount_pence_max;
