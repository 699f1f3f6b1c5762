package decision

import "strconv"

// Plural counts n of a noun whose plural takes an s: "1 grant", "3 grants", "0 minutes".
func Plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
