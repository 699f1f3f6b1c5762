package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// BankHolidayFile is a bank-holiday file an admin uploaded, in gov.uk's bank-holidays.json
// format; the newest is in force (workday.Calendar.Override over the configured calendar).
type BankHolidayFile struct {
	ID         int64     `db:"id"`
	UploadedAt time.Time `db:"uploaded_at"`
	UploadedBy string    `db:"uploaded_by"` // the admin's name
	FileName   string    `db:"file_name"`
	Content    string    `db:"content"`
	SHA256     string    `db:"sha256"`
	FirstYear  int       `db:"first_year"`
	LastYear   int       `db:"last_year"`
	Holidays   int       `db:"holidays"`
}

// EventBankHolidaysUploaded is an admin uploading a bank-holiday file.
const EventBankHolidaysUploaded = "bank_holidays_uploaded"

// BankHolidaysVersion is the id of the bank-holiday file in force, or 0 for none: cheap enough
// to ask before each computation, so every instance sees an upload at once.
func (s *Store) BankHolidaysVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := s.db.QueryRow(ctx, `SELECT coalesce(max(id), 0) FROM bank_holiday_files`).Scan(&v); err != nil {
		return 0, fmt.Errorf("bank holidays version: %w", err)
	}
	return v, nil
}

// BankHolidays is the bank-holiday file in force, or ErrNotFound when none was uploaded.
func (s *Store) BankHolidays(ctx context.Context) (BankHolidayFile, error) {
	rows, err := s.db.Query(ctx, `
SELECT f.id, f.uploaded_at, u.name AS uploaded_by, f.file_name, f.content, f.sha256, f.first_year, f.last_year, f.holidays
FROM bank_holiday_files f JOIN users u ON u.id = f.uploaded_by ORDER BY f.id DESC LIMIT 1`)
	if err != nil {
		return BankHolidayFile{}, fmt.Errorf("bank holidays: %w", err)
	}
	f, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[BankHolidayFile])
	if err != nil {
		return BankHolidayFile{}, fmt.Errorf("bank holidays: %w", mapError(err))
	}
	return f, nil
}

// AddBankHolidays puts an uploaded bank-holiday file (checked by the caller) in force and
// audits it, in one transaction. It returns the file's id, the calendar's new version.
func (s *Store) AddBankHolidays(ctx context.Context, act Act, f BankHolidayFile) (int64, error) {
	var id int64
	err := s.InTx(ctx, func(tx *Store) error {
		err := tx.db.QueryRow(ctx, `
INSERT INTO bank_holiday_files (uploaded_at, uploaded_by, file_name, content, sha256, first_year, last_year, holidays)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			act.At, act.UserID, f.FileName, f.Content, f.SHA256, f.FirstYear, f.LastYear, f.Holidays).Scan(&id)
		if err != nil {
			return fmt.Errorf("add bank holidays: %w", mapError(err))
		}
		return tx.Audit(ctx, act, 0, EventBankHolidaysUploaded, map[string]string{"file": f.FileName, "sha256": f.SHA256,
			"years": strconv.Itoa(f.FirstYear) + "–" + strconv.Itoa(f.LastYear), "holidays": strconv.Itoa(f.Holidays)})
	})
	return id, err
}
