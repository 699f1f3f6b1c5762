-- One range for money: amounts run from 1p to decision.MaxPence (£10 trillion), so totals of a
-- decision's lines cannot overflow a bigint. The lower bound is 000001's amount_pence > 0.
ALTER TABLE funding_lines
    ADD CONSTRAINT funding_lines_amount_pence_max CHECK (amount_pence <= 1000000000000000);

-- Totals add a decision's lines together, so they must share a currency. Until totals are kept
-- per currency, only pounds are accepted.
ALTER TABLE funding_lines
    ADD CONSTRAINT funding_lines_currency_gbp CHECK (currency = 'GBP');
