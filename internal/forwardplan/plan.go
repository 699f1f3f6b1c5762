package forwardplan

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// Format names the published plan's layout; a later layout gets a new name, and plans keep the
// one they were published under.
const Format = "decision-register/forward-plan/v1"

// Notice is one notice as a published plan holds it.
type Notice struct {
	ID             int64  `json:"id"`
	Version        int    `json:"version"`
	Series         string `json:"series"`
	Matter         string `json:"matter"`
	MakerName      string `json:"decision_maker_name"`
	MakerTitle     string `json:"decision_maker_title"`
	ExpectedFrom   string `json:"expected_from"`         // 2027-01-31
	ExpectedTo     string `json:"expected_to,omitempty"` // the end of the period, if one
	Documents      string `json:"documents"`
	Copies         string `json:"copies"`
	WithheldGround string `json:"withheld_ground,omitempty"` // why part is expected to be withheld
	KeyDecision    bool   `json:"key_decision"`
	NoticedAt      string `json:"noticed_at"` // RFC 3339, UTC
	Decision       string `json:"decision,omitempty"`
}

// Changes are the notices new, changed and withdrawn since the plan before, by id.
type Changes struct {
	New       []int64 `json:"new"`
	Changed   []int64 `json:"changed"`
	Withdrawn []int64 `json:"withdrawn"`
}

// Previous names the plan published before.
type Previous struct {
	ID     int64  `json:"id"`
	SHA256 string `json:"sha256"`
}

// Plan is a published plan: its bytes are kept and hashed.
type Plan struct {
	Format      string    `json:"format"`
	PublishedAt string    `json:"published_at"` // RFC 3339, UTC
	Previous    *Previous `json:"previous"`
	Changes     Changes   `json:"changes"`
	Notices     []Notice  `json:"notices"`
}

// Diff is what changed from the notices of prev to those of cur.
func Diff(prev, cur []Notice) Changes {
	c := Changes{New: []int64{}, Changed: []int64{}, Withdrawn: []int64{}}
	was := map[int64]int{}
	for _, n := range prev {
		was[n.ID] = n.Version
	}
	now := map[int64]bool{}
	for _, n := range cur {
		now[n.ID] = true
		v, ok := was[n.ID]
		switch {
		case !ok:
			c.New = append(c.New, n.ID)
		case v != n.Version:
			c.Changed = append(c.Changed, n.ID)
		}
	}
	for _, n := range prev {
		if !now[n.ID] {
			c.Withdrawn = append(c.Withdrawn, n.ID)
		}
	}
	for _, ids := range [][]int64{c.New, c.Changed, c.Withdrawn} {
		slices.Sort(ids)
	}
	return c
}

// Build is the plan of the live notices cur published at at, after prev (nil for the first).
func Build(at time.Time, prev *Plan, prevID int64, prevHash string, cur []Notice) Plan {
	p := Plan{Format: Format, PublishedAt: at.UTC().Format(time.RFC3339), Notices: cur}
	if p.Notices == nil {
		p.Notices = []Notice{}
	}
	var before []Notice
	if prev != nil {
		before = prev.Notices
		p.Previous = &Previous{ID: prevID, SHA256: prevHash}
	}
	p.Changes = Diff(before, p.Notices)
	return p
}

// Encode is the plan's bytes: indented JSON ending in a newline, readable as published.
func (p Plan) Encode() []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(p); err != nil {
		panic(err) // strings, numbers and booleans only
	}
	return b.Bytes()
}

// Hash is the SHA-256 of b in lower-case hex.
func Hash(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Decode reads a published plan's bytes back.
func Decode(b []byte) (Plan, error) {
	var p Plan
	if err := json.Unmarshal(b, &p); err != nil {
		return Plan{}, fmt.Errorf("read published plan: %w", err)
	}
	if p.Format != Format {
		return Plan{}, fmt.Errorf("read published plan: format %q, want %q", p.Format, Format)
	}
	return p, nil
}
