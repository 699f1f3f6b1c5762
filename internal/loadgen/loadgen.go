// Package loadgen drives the register over HTTP the way its public and its staff do: readers,
// a drafter starting and saving decisions, advisers approving and a decision maker signing.
// Every write it tries is recorded with whether the server acknowledged it, so fault tests can
// check each against the database afterwards; the soak (cmd/soak) runs the same traffic for
// minutes.
package loadgen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// Write is one write tried, and what the server said.
type Write struct {
	Kind    string // "create", "save", "approve" or "sign"
	Slug    string // the decision; for an unacknowledged create, unknown
	Step    string // the step approved
	Title   string // the title created or saved
	Summary string // the summary saved
	Status  int    // 0: no answer (the connection failed or timed out)
	Err     error
}

// Acked reports whether the server acknowledged the write: a 2xx, or the 303 of
// post/redirect/get. Only then may the person believe it was recorded.
func (w Write) Acked() bool {
	return w.Status == http.StatusSeeOther || (w.Status >= 200 && w.Status < 300)
}

// Timeout is the soak's bound on a request: a server that hangs shows as a failed request, not
// a hung soak. A test passes its own bound, far past the deadline its server answers by
// (REQUEST_TIMEOUT), so that a loaded machine's slowness is never taken for no answer.
const Timeout = 20 * time.Second

// NewClient is a client with its own cookies that never follows redirects, so each answer is
// seen as it is; a request with no answer after bound fails.
func NewClient(bound time.Duration) *http.Client {
	if bound <= 0 {
		panic("loadgen.NewClient: a client needs a bound on each answer") // 0 would mean none
	}
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: bound,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// Staff is a signed-in member of staff.
type Staff struct {
	Base   string
	Email  string
	Client *http.Client
}

// SignIn signs in as email with client, which then carries the session; the client should be
// one of its own (NewClient).
func SignIn(ctx context.Context, client *http.Client, base, email, password string) (*Staff, error) {
	s := &Staff{Base: base, Email: email, Client: client}
	resp, err := s.post(ctx, "/sign-in", url.Values{"email": {email}, "password": {password}})
	if err != nil {
		return nil, fmt.Errorf("sign in as %s: %w", email, err)
	}
	drain(resp)
	if resp.StatusCode != http.StatusSeeOther {
		return nil, fmt.Errorf("sign in as %s: %d, want 303", email, resp.StatusCode)
	}
	return s, nil
}

// Get asks for a page and reads it all. It returns the status, or an error when no answer came.
func Get(ctx context.Context, c *http.Client, u string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	drain(resp)
	return resp.StatusCode, nil
}

// CreateDraft starts a PCD decision with title.
func (s *Staff) CreateDraft(ctx context.Context, title string) Write {
	w := Write{Kind: "create", Title: title}
	resp, err := s.post(ctx, "/decisions/new", url.Values{"series": {"PCD"}, "title": {title}})
	if w.record(resp, err) {
		w.Slug = strings.TrimSuffix(strings.TrimPrefix(resp.Header.Get("Location"), "/decisions/"), "/edit")
	}
	return w
}

// ErrNothingToDo means the page offers this person nothing to do: the step is not theirs,
// or not yet, or is already done.
var ErrNothingToDo = errors.New("nothing to do here")

// The writes below first read the form, as a person would. An error means nothing was sent:
// the form could not be read (the error says why), or offers nothing (ErrNothingToDo).

// SaveTitle saves a draft's title and summary with the version its form was read at.
func (s *Staff) SaveTitle(ctx context.Context, slug, title, summary string) (Write, error) {
	version, err := s.DraftVersion(ctx, slug)
	if err != nil {
		return Write{}, err
	}
	return s.SaveTitleAt(ctx, slug, version, title, summary), nil
}

// DraftVersion reads the version a draft's title form carries.
func (s *Staff) DraftVersion(ctx context.Context, slug string) (string, error) {
	doc, err := s.page(ctx, "/decisions/"+slug+"/edit/title")
	if err != nil {
		return "", err
	}
	version, _ := doc.Find(`[data-testid="draft-form"] input[name="version"]`).Attr("value")
	return version, nil
}

// SaveTitleAt saves a draft's title and summary as of a version already read.
func (s *Staff) SaveTitleAt(ctx context.Context, slug, version, title, summary string) Write {
	w := Write{Kind: "save", Slug: slug, Title: title, Summary: summary}
	resp, err := s.post(ctx, "/decisions/"+slug+"/edit/title", url.Values{"version": {version}, "title": {title}, "summary": {summary}})
	w.record(resp, err)
	return w
}

// ApproveNext approves the step the sign-off page offers this adviser.
func (s *Staff) ApproveNext(ctx context.Context, slug string) (Write, error) {
	doc, err := s.page(ctx, "/decisions/"+slug+"/signoff")
	if err != nil {
		return Write{}, err
	}
	step, _ := doc.Find(`input[name="step"]`).Attr("value")
	hash, _ := doc.Find(`input[name="content_hash"]`).Attr("value")
	if step == "" {
		return Write{}, ErrNothingToDo
	}
	w := Write{Kind: "approve", Slug: slug, Step: step}
	resp, err := s.post(ctx, "/decisions/"+slug+"/signoff", url.Values{"decision": {"approve"}, "interests": {"none"}, "step": {step}, "content_hash": {hash}})
	w.record(resp, err)
	return w, nil
}

// Sign signs a decision for publication now, when the page offers this person the form.
func (s *Staff) Sign(ctx context.Context, slug string) (Write, error) {
	hash, err := s.SignForm(ctx, slug)
	if err != nil {
		return Write{}, err
	}
	return s.SignAs(ctx, slug, hash), nil
}

// SignForm reads the signature form and returns the content hash it shows.
func (s *Staff) SignForm(ctx context.Context, slug string) (hash string, err error) {
	doc, err := s.page(ctx, "/decisions/"+slug+"/signoff")
	if err != nil {
		return "", err
	}
	form := doc.Find(`[data-testid=signer-form]`)
	if form.Length() == 0 {
		return "", ErrNothingToDo
	}
	hash, _ = form.Find(`input[name="content_hash"]`).Attr("value")
	return hash, nil
}

// SignAs signs a decision for publication now, having read the content whose hash is given.
func (s *Staff) SignAs(ctx context.Context, slug, hash string) Write {
	w := Write{Kind: "sign", Slug: slug}
	resp, err := s.post(ctx, "/decisions/"+slug+"/sign", url.Values{"interests": {"none"}, "outcome": {"approve"},
		"publication": {"now"}, "content_hash": {hash}})
	w.record(resp, err)
	return w
}

// record notes the answer; it reports whether the write was acknowledged.
func (w *Write) record(resp *http.Response, err error) bool {
	if err != nil {
		w.Err = err
		return false
	}
	drain(resp)
	w.Status = resp.StatusCode
	return w.Acked()
}

func (s *Staff) page(ctx context.Context, path string) (*goquery.Document, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.Base+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := s.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer drain(resp)
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s = %d", path, resp.StatusCode)
	}
	return goquery.NewDocumentFromReader(resp.Body)
}

func (s *Staff) post(ctx context.Context, path string, form url.Values) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.Base+path, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return s.Client.Do(req)
}

func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}
