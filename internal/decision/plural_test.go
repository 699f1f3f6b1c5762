package decision

import "testing"

func TestPlural(t *testing.T) {
	for n, want := range map[int]string{0: "0 grants", 1: "1 grant", 2: "2 grants"} {
		if got := Plural(n, "grant"); got != want {
			t.Errorf("Plural(%d, grant) = %q, want %q", n, got, want)
		}
	}
}
