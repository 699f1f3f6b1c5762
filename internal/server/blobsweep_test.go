package server_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/decision-register/decisions/internal/blobstore"
)

// uploadAtVersion posts the documents form with the version given, as a second tab holding an
// older page would.
func (dc draftClient) uploadAtVersion(path, version, name, filename string, body []byte) int {
	dc.t.Helper()
	resp := dc.postUpload(path, version, name, filename, body)
	resp.Body.Close()
	return resp.StatusCode
}

// TestRefusedUploadLeavesNothing: an upload refused after its bytes were stored (a stale
// version: someone else saved the draft first) and a document removed from a draft leave files
// no record names; once they are older than the grace period, the sweep removes them and keeps
// every file a document names. Before the grace period, nothing goes.
func TestRefusedUploadLeavesNothing(t *testing.T) {
	t.Parallel()
	s := newDraftSite(t)
	dc := s.client(t, "drafter@example.org")
	slug := s.newDraft(t, dc, "Project Delta")
	path := "/decisions/" + slug + "/edit/documents"

	stale := dc.version(path)
	pdf := businessCase(t)
	dc.upload(path, "Business case", "case.pdf", pdf, http.StatusSeeOther)
	refused := []byte("area,amount\nHackney,1200\n")
	if got := dc.uploadAtVersion(path, stale, "Figures", "figures.csv", refused); got != http.StatusConflict {
		t.Fatalf("upload at a stale version = %d, want 409", got)
	}
	removed := []byte("area,amount\nCamden,900\n")
	dc.upload(path, "Old figures", "old.csv", removed, http.StatusSeeOther)
	dc.save(path, map[string][]string{"action": {"remove:" + sha256Hex(removed)}}, http.StatusSeeOther)

	ctx := context.Background()
	stored := func(b []byte) bool {
		r, err := s.Blobs.Open(ctx, sha256Hex(b))
		if errors.Is(err, blobstore.ErrNotFound) {
			return false
		}
		if err != nil {
			t.Fatal(err)
		}
		r.Close()
		return true
	}
	if !stored(refused) {
		t.Fatal("the refused upload's bytes were never stored: the test no longer reproduces the orphan")
	}
	if n, err := s.Server.SweepBlobsOnce(ctx); err != nil || n != 0 {
		t.Errorf("sweep within the grace period = %d, %v; want nothing removed", n, err)
	}
	s.Clock.Advance(25 * time.Hour)
	if n, err := s.Server.SweepBlobsOnce(ctx); err != nil || n != 2 {
		t.Errorf("sweep after the grace period = %d, %v; want the 2 files no document names removed", n, err)
	}
	for name, want := range map[string]bool{"the refused upload": false, "the removed document": false, "the attached document": true} {
		b := map[string][]byte{"the refused upload": refused, "the removed document": removed, "the attached document": pdf}[name]
		if got := stored(b); got != want {
			t.Errorf("after the sweep, %s's bytes stored = %t, want %t", name, got, want)
		}
	}
}
