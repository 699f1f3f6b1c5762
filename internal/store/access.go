package store

import (
	"time"

	"github.com/jackc/pgx/v5"
)

// Access is who is reading, as every read method takes it: the public, or a signed-in member
// of staff. Its SQL filters (below) decide what comes back, so no handler can forget to hide a
// draft, a deferred decision or a Part II.
type Access struct {
	UserID int64     // the signed-in person; 0 for the public
	Now    time.Time // publication dates at or before it have come
}

// Public is the access of anyone not signed in.
func Public(now time.Time) Access { return Access{Now: now} }

// Staff is the access of a signed-in, active person.
func Staff(userID int64, now time.Time) Access { return Access{UserID: userID, Now: now} }

// IsStaff reports whether the reader is signed in.
func (a Access) IsStaff() bool { return a.UserID != 0 }

func (a Access) args(named pgx.NamedArgs) pgx.NamedArgs {
	var viewer *int64
	if a.UserID != 0 {
		viewer = &a.UserID
	}
	// What the public may read turns on the time (a deferred decision's date comes), so an
	// Access must carry one from the caller's clock: the wall clock in its place would
	// silently ignore a clock a test or the release job moved.
	if a.Now.IsZero() {
		panic("store: an Access without a time (use Public(now) or Staff(id, now))")
	}
	named["viewer"] = viewer
	named["now"] = a.Now
	return named
}

// visibleD is the one rule for who sees a decision d: the public sees it once it is published,
// or signed with its publication date come, and still once it is withdrawn (marked so) when
// that date has come, unless its series holds it for its owner to release (release_held, migration
// 000063); staff see every decision (a draft, a discarded one too). It is the only
// copy: a query that reads another decision reads it as d in a subquery of its own (see
// linkedSQL and citationsSQL), so no second spelling can drift from this one.
const visibleD = `(d.status = 'published' OR (d.status = 'approved' AND d.publish_at <= @now AND NOT d.release_held)
	OR @viewer::bigint IS NOT NULL
	OR (d.status = 'withdrawn' AND coalesce(d.publish_at, '-infinity') <= @now AND NOT d.release_held))`

// partVisible keeps Part II sections (aliased s, of decision d) from all but its readers,
// until a section is released (part_two_releases): then everyone reads it.
const partVisible = `(s.part = 1 OR part_two_reader(d.id, @viewer::bigint)
	OR EXISTS (SELECT 1 FROM part_two_releases pr WHERE pr.decision_id = s.decision_id AND pr.position = s.position))`
