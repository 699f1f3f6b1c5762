package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/decision-register/decisions/internal/dbtest"
	"github.com/decision-register/decisions/internal/store"
)

// TestPublishStaticFilesTogether has several instances publish the same files at once, as a
// fleet starting together does: none fails (no deadlock between their transactions).
func TestPublishStaticFilesTogether(t *testing.T) {
	t.Parallel()
	st := store.New(dbtest.New(t))
	files := map[string][]byte{}
	for i := range 30 {
		files[fmt.Sprintf("file%02d.0123456789.css", i)] = []byte{byte(i)}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() { errs <- st.PublishStaticFiles(context.Background(), files, time.Now()) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("publish: %v", err)
		}
	}
}

// TestStaticFilesRetention keeps a release's files for 30 days after it last published them.
func TestStaticFilesRetention(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := store.New(dbtest.New(t))
	now := time.Now()
	old := map[string][]byte{"app.aaaaaaaaaa.css": []byte("old")}
	kept := map[string][]byte{"app.bbbbbbbbbb.css": []byte("kept")}
	if err := st.PublishStaticFiles(ctx, old, now.Add(-31*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := st.PublishStaticFiles(ctx, kept, now.Add(-29*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := st.PublishStaticFiles(ctx, map[string][]byte{"app.cccccccccc.css": []byte("new")}, now); err != nil {
		t.Fatal(err)
	}
	if _, err := st.StaticFile(ctx, "app.aaaaaaaaaa.css"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a file last published 31 days ago: %v, want it gone", err)
	}
	for _, name := range []string{"app.bbbbbbbbbb.css", "app.cccccccccc.css"} {
		if _, err := st.StaticFile(ctx, name); err != nil {
			t.Errorf("%s: %v, want it kept", name, err)
		}
	}
}
