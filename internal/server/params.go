package server

import (
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/decision-register/decisions/internal/decision"
)

// Typed readers of the address's parameters: each says whether the text is one, so a handler
// never passes a malformed value on, and every bad address gets the same 404.

// slugParam is the decision slug in the address ({slug}); the 404 page when it is not one.
func slugParam(r *http.Request) (string, error) {
	slug := chi.URLParam(r, "slug")
	if !decision.ValidSlug(slug) {
		return "", errPageNotFound
	}
	return slug, nil
}

// idParam is the record id named name in the address: a whole number from 1.
func idParam(r *http.Request, name string) (int64, bool) {
	id, err := strconv.ParseInt(chi.URLParam(r, name), 10, 64)
	return id, err == nil && id >= 1
}

// intParam is the whole number from 1 named name in the address, written as the site writes
// it (no sign, no leading zero), so each number has one address.
func intParam(r *http.Request, name string) (int, bool) {
	s := chi.URLParam(r, name)
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 1 && strconv.Itoa(n) == s
}

// seriesParam is the series named in the address ({series}), written as the register writes it.
func seriesParam(r *http.Request) (string, bool) {
	s := chi.URLParam(r, "series")
	series, ok := decision.ParseSeries(s)
	return series, ok && series == s
}
