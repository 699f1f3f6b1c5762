package decision

import "testing"

func TestCleanName(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Annex \u202efdp.exe", "Annex fdp.exe"},
		{"\u2067Hidden\u2069 \u200fmark\u200e \u061c", "Hidden mark"},
		{"  Business\r\ncase\tfor  Alpha ", "Business case for Alpha"},
		{"Cafe\u0301", "Café"},
		{"مكتب العمدة", "مكتب العمدة"},
	} {
		if got := CleanName(tt.in); got != tt.want {
			t.Errorf("CleanName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
