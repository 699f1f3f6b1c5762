package store

import (
	"errors"
	"testing"
)

func TestWrap(t *testing.T) {
	f := func(fail error) (err error) {
		defer wrap(&err, "user %d", 7)
		return fail
	}
	if err := f(nil); err != nil {
		t.Errorf("wrap of no error = %v, want nil", err)
	}
	err := f(ErrNotFound)
	if !errors.Is(err, ErrNotFound) || err.Error() != "user 7: "+ErrNotFound.Error() {
		t.Errorf("wrap = %q (Is ErrNotFound: %v), want %q kept underneath", err, errors.Is(err, ErrNotFound), "user 7: "+ErrNotFound.Error())
	}
}
