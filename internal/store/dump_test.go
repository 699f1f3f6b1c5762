package store_test

import "encoding/json"

// dump renders a value with every field, pointers followed, for searching it for text that
// must not be there.
func dump(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
