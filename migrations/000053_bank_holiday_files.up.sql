-- Bank-holiday files uploaded by admins (issue 18), in gov.uk's bank-holidays.json format: the
-- newest is in force, over the shipped list and BANK_HOLIDAYS_FILE, for the years it lists.
-- Its id is the calendar's version: each instance compares it with the one it has parsed, so an
-- upload takes effect everywhere without a restart. Older files are kept as the record of what
-- counted as a working day when.
CREATE TABLE bank_holiday_files (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uploaded_at timestamptz NOT NULL,
    uploaded_by bigint NOT NULL REFERENCES users (id),
    file_name   text NOT NULL CHECK (length(file_name) <= 255),
    content     text NOT NULL CHECK (length(content) <= 1048576),
    sha256      text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    first_year  integer NOT NULL,
    last_year   integer NOT NULL CHECK (last_year >= first_year),
    holidays    integer NOT NULL CHECK (holidays > 0)
);
