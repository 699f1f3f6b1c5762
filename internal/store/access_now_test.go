package store

import (
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestAccessWithoutATime: an Access with no time is a mistake in the caller, said at once, not
// quietly read as the wall clock's time.
func TestAccessWithoutATime(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("an Access without a time was used as the wall clock's time")
		}
	}()
	Access{UserID: 1}.args(pgx.NamedArgs{})
}
