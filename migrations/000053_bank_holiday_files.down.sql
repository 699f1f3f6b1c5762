DROP TABLE bank_holiday_files;
