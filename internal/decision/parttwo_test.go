package decision

import (
	"bytes"
	"strings"
	"testing"
)

// TestWithPartTwoHashed: content with Part II replaced by its hash serialises to the same bytes
// under every version, and holds neither Part II's words nor its salt.
func TestWithPartTwoHashed(t *testing.T) {
	c := Content{Reference: "PCD 1", Title: "A grant", PartTwoSalt: "0123456789abcdef0123456789abcdef",
		PartTwo: []ContentSection{{Kind: "other", Heading: "Confidential", Body: "The informant's name."}}}
	hashed := c.WithPartTwoHashed()
	for _, v := range []int{1, 2} {
		want, _ := CanonicalAs(v, c)
		got, _ := CanonicalAs(v, hashed)
		if !bytes.Equal(got, want) {
			t.Errorf("version %d: canonical with Part II hashed = %s, want %s", v, got, want)
		}
	}
	if len(hashed.PartTwo) != 0 || hashed.PartTwoSalt != "" || strings.Contains(string(Canonical(hashed)), "informant") {
		t.Errorf("content with Part II hashed still holds it: %+v", hashed)
	}
	if again := hashed.WithPartTwoHashed(); ContentHash(again) != ContentHash(c) {
		t.Error("hashing Part II twice changes the content's hash")
	}
	if none := (Content{Reference: "PCD 2"}).WithPartTwoHashed(); none.PartTwoHash != "" {
		t.Errorf("content with no Part II gained a hash %q", none.PartTwoHash)
	}
}
