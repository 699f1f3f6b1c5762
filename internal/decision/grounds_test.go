package decision

import "testing"

func TestParseGround(t *testing.T) {
	tests := []struct{ in, want string }{
		{"s.43", "foi-s43"}, {"s43", "foi-s43"}, {"S. 43", "foi-s43"}, {"section 43", "foi-s43"}, {"43", "foi-s43"},
		{"FOI Act s.22", "foi-s22"}, {"FOIA s22", "foi-s22"}, {"foi-s40", "foi-s40"},
		{"para 3", "sch12a-3"}, {"paragraph 3", "sch12a-3"}, {"Schedule 12A para 3", "sch12a-3"}, {"Sch 12A 3", "sch12a-3"},
		{"Sch. 12A, paragraph 7", "sch12a-7"}, {"sch12a-1", "sch12a-1"},
		{"s.25", ""}, {"s.45", ""}, {"para 8", ""}, {"", ""}, {"commercial", ""}, {"s.4", ""}, {"Schedule 12A", ""},
	}
	for _, tt := range tests {
		g, err := ParseGround(tt.in)
		if tt.want == "" {
			if err == nil {
				t.Errorf("ParseGround(%q) = %q, want an error", tt.in, g.Code)
			}
			continue
		}
		if err != nil || g.Code != tt.want {
			t.Errorf("ParseGround(%q) = %q, %v; want %q", tt.in, g.Code, err, tt.want)
		}
	}
	if g, _ := GroundByCode("foi-s43"); g.String() != "FOI Act s.43 (commercial interests)" {
		t.Errorf("String = %q", g.String())
	}
}

func FuzzParseGround(f *testing.F) {
	for _, s := range []string{"s.43", "para 3", "Schedule 12A para 3", "43", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		g, err := ParseGround(s)
		if err == nil {
			if _, ok := GroundByCode(g.Code); !ok {
				t.Errorf("ParseGround(%q) = unknown code %q", s, g.Code)
			}
		}
	})
}
