package notice_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/notice"
	"github.com/decision-register/decisions/internal/notice/smtptest"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/testsite"
)

var chainSteps = []string{"head_of_unit", "finance", "legal", "equalities", "data_protection", "chief_executive"}

type chainSite struct {
	*testsite.Site
	drafter  store.User
	advisers map[string]store.User
	maker    store.User
}

func newChainSite(t *testing.T) *chainSite {
	t.Helper()
	site := testsite.New(t)
	cs := &chainSite{Site: site, advisers: map[string]store.User{}}
	cs.drafter = site.User(t, "drafter@example.org", "Dana Drafter", store.Grants{Roles: []string{"drafter"}})
	for _, k := range chainSteps {
		cs.advisers[k] = site.User(t, strings.ReplaceAll(k, "_", "-")+"@example.org", "Adviser "+k,
			store.Grants{Roles: []string{"adviser"}, StepKinds: []string{k}})
	}
	cs.maker = site.User(t, "dmpc@example.org", "Sophie Signer", store.Grants{Roles: []string{"decision_maker"}, Series: []string{"PCD"}})
	return cs
}

// draft makes a draft ready to submit and returns its slug.
func (cs *chainSite) draft(t *testing.T, number int) string {
	t.Helper()
	slug := testsite.AwaitingDecision(t, cs.Pool, number, "Part II", cs.drafter.ID)
	if _, err := cs.Pool.Exec(context.Background(), `UPDATE decisions SET status = 'draft' WHERE slug = $1`, slug); err != nil {
		t.Fatal(err)
	}
	return slug
}

func (cs *chainSite) hash(t *testing.T, slug string) string {
	t.Helper()
	var id int64
	if err := cs.Pool.QueryRow(context.Background(), `SELECT id FROM decisions WHERE slug = $1`, slug).Scan(&id); err != nil {
		t.Fatal(err)
	}
	c, err := cs.Store.Content(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return decision.ContentHash(c)
}

func (cs *chainSite) worker(t *testing.T, smtpURL string) *notice.Worker {
	t.Helper()
	cfg, err := notice.ParseSMTPURL(smtpURL)
	if err != nil {
		t.Fatal(err)
	}
	return &notice.Worker{Store: cs.Store, Mailer: notice.NewSMTP(cfg, 10*time.Second, nil), From: "Decision Register <register@example.org>",
		BaseURL: testsite.BaseURL, Clock: cs.Clock.Now, Log: testsite.Logger(t)}
}

// drain delivers every notice due now, one claim at a time, and returns how many claims sent.
func drain(t *testing.T, w *notice.Worker) int {
	t.Helper()
	n := 0
	for {
		sent, err := w.DeliverOne(context.Background())
		if err != nil {
			t.Fatalf("deliver: %v", err)
		}
		if !sent {
			return n
		}
		n++
	}
}

func counts(t *testing.T, cs *chainSite) map[string]int {
	t.Helper()
	c, err := cs.Store.NoticeCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

type want struct{ to, subject, link string }

// TestChainNotices follows a decision from submission to publication: each event's notices
// reach the people it concerns, each message once, with its subject, its link to the page
// where the work is done, and the Message-ID of its notice.
func TestChainNotices(t *testing.T) {
	t.Parallel()
	cs := newChainSite(t)
	mail := smtptest.Start(t)
	w := cs.worker(t, mail.URL())
	ctx := context.Background()
	slug := cs.draft(t, 9101)
	signoff := testsite.BaseURL + "/decisions/" + slug + "/signoff"
	page := testsite.BaseURL + "/decisions/" + slug

	var wants []want
	if err := cs.Store.Submit(ctx, cs.drafter.Act(cs.Clock.Now()), slug, 1); err != nil {
		t.Fatal(err)
	}
	wants = append(wants, want{"head-of-unit@example.org", "PCD 9101 waiting for you", signoff})
	hash := cs.hash(t, slug)
	for i, k := range chainSteps {
		if err := cs.Store.Approve(ctx, cs.advisers[k].Act(cs.Clock.Now()), slug, k, hash); err != nil {
			t.Fatalf("approve %s: %v", k, err)
		}
		next := "dmpc@example.org"
		if i+1 < len(chainSteps) {
			next = strings.ReplaceAll(chainSteps[i+1], "_", "-") + "@example.org"
		}
		name := map[string]string{"head_of_unit": "Head of unit", "finance": "Finance", "legal": "Legal", "equalities": "Equalities",
			"data_protection": "Data protection", "chief_executive": "Chief executive"}[k]
		wants = append(wants, want{"drafter@example.org", "PCD 9101 " + name + " approved", signoff},
			want{next, "PCD 9101 waiting for you", signoff})
	}
	err := cs.Store.Sign(ctx, cs.maker.Act(cs.Clock.Now()), slug, store.SignInput{Outcome: store.OutcomeApproved,
		Interests: store.InterestsNone, PublishAt: cs.Clock.Now(), SeenHash: hash})
	if err != nil {
		t.Fatal(err)
	}
	wants = append(wants, want{"drafter@example.org", "PCD 9101 signed and published", page})
	for _, k := range chainSteps {
		wants = append(wants, want{strings.ReplaceAll(k, "_", "-") + "@example.org", "PCD 9101 signed and published", page})
	}

	if got := drain(t, w); got != len(wants) {
		t.Fatalf("sent %d messages, want %d", got, len(wants))
	}
	msgs := mail.Messages()
	if len(msgs) != len(wants) {
		t.Fatalf("the SMTP server has %d messages, want %d", len(msgs), len(wants))
	}
	var ids []int64
	rows, _ := cs.Pool.Query(ctx, `SELECT id FROM notices ORDER BY id`)
	for rows.Next() {
		var id int64
		_ = rows.Scan(&id)
		ids = append(ids, id)
	}
	seen := map[string]bool{}
	for i, m := range msgs {
		wt := wants[i]
		if len(m.To) != 1 || m.To[0] != wt.to {
			t.Errorf("message %d went to %v, want %s", i, m.To, wt.to)
		}
		if m.Subject() != wt.subject {
			t.Errorf("message %d subject %q, want %q", i, m.Subject(), wt.subject)
		}
		body := string(m.Raw)
		if !strings.Contains(body, wt.link) {
			t.Errorf("message %d (%s) does not link to %s", i, wt.subject, wt.link)
		}
		for _, bad := range []string{"/approve", "/sign\n", "content_hash="} {
			if strings.Contains(body, bad) {
				t.Errorf("message %d holds a link that acts (%q)", i, bad)
			}
		}
		if wantID := fmt.Sprintf("<notice-%d@localhost>", ids[i]); m.MessageID() != wantID {
			t.Errorf("message %d Message-ID %q, want %q", i, m.MessageID(), wantID)
		}
		if seen[m.MessageID()] {
			t.Errorf("Message-ID %s sent twice", m.MessageID())
		}
		seen[m.MessageID()] = true
		if ct := m.Header.Get("Content-Type"); !strings.HasPrefix(ct, "multipart/alternative") {
			t.Errorf("message %d Content-Type %q, want multipart/alternative (text and HTML)", i, ct)
		}
		action := strings.HasSuffix(wt.subject, "waiting for you")
		if has := m.Header.Get("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"; has == action {
			t.Errorf("message %d (%s): one-click unsubscribe %v, want it only on messages that do not ask to act", i, wt.subject, has)
		}
	}
	if c := counts(t, cs); c[store.NoticeSent] != len(wants) || c[store.NoticeWaiting] != 0 {
		t.Errorf("notices by state %v, want all %d sent", c, len(wants))
	}
}

// TestNoNoticeFromARolledBackEvent: an approval the store refuses (other content than the
// decision holds) writes no notice.
func TestNoNoticeFromARolledBackEvent(t *testing.T) {
	t.Parallel()
	cs := newChainSite(t)
	ctx := context.Background()
	slug := cs.draft(t, 9102)
	if err := cs.Store.Submit(ctx, cs.drafter.Act(cs.Clock.Now()), slug, 1); err != nil {
		t.Fatal(err)
	}
	before := counts(t, cs)[store.NoticeWaiting]
	err := cs.Store.Approve(ctx, cs.advisers["head_of_unit"].Act(cs.Clock.Now()), slug, "head_of_unit", strings.Repeat("0", 64))
	if err == nil {
		t.Fatal("an approval of other content was accepted")
	}
	if after := counts(t, cs)[store.NoticeWaiting]; after != before {
		t.Errorf("waiting notices %d after a refused approval, want %d", after, before)
	}
}

// queue writes n action notices for user in one transaction.
func queue(t *testing.T, cs *chainSite, user store.User, n int) {
	t.Helper()
	err := cs.Store.InTx(context.Background(), func(tx *store.Store) error {
		for i := range n {
			_, err := tx.QueueNotice(context.Background(), cs.Clock.Now(), store.Notice{UserID: user.ID, Event: "test", Kind: store.NoticeAction,
				Reference: fmt.Sprintf("PCD %d", 5000+i), Title: "A test", Subject: fmt.Sprintf("Notice %d", i), Body: "Something to do.",
				LinkPath: "/work"})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestTwoWorkersSendEachNoticeOnce: two instances' delivery loops on one database, woken by
// LISTEN/NOTIFY, send every notice exactly once between them.
func TestTwoWorkersSendEachNoticeOnce(t *testing.T) {
	t.Parallel()
	cs := newChainSite(t)
	mail := smtptest.Start(t)
	other := testsite.SecondStore(t, cs.Site)
	w1, w2 := cs.worker(t, mail.URL()), cs.worker(t, mail.URL())
	w2.Store = other
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, w := range []*notice.Worker{w1, w2} {
		wg.Go(func() { w.Run(ctx, time.Hour) })
	}
	const n = 40
	queue(t, cs, cs.drafter, n)
	// A safety net, not a timing assertion: at load 80 on two cores, 30 s was not enough.
	msgs := mail.Wait(n, 3*time.Minute)
	cancel()
	wg.Wait()
	if got := len(mail.Messages()); got != n {
		t.Errorf("the SMTP server has %d messages, want %d", got, n)
	}
	seen := map[string]int{}
	for _, m := range msgs {
		seen[m.MessageID()]++
	}
	for id, k := range seen {
		if k != 1 {
			t.Errorf("%s sent %d times", id, k)
		}
	}
	if c := counts(t, cs); c[store.NoticeSent] != n {
		t.Errorf("notices by state %v, want %d sent", c, n)
	}
}

// TestSMTPDownThenUp: while the mail server is down the notices wait, with the reason; once
// it is back, every one arrives.
func TestSMTPDownThenUp(t *testing.T) {
	t.Parallel()
	cs := newChainSite(t)
	mail := smtptest.Start(t)
	w := cs.worker(t, mail.URL())
	queue(t, cs, cs.drafter, 3)
	mail.Stop()
	for range 3 {
		if sent, err := w.DeliverOne(context.Background()); !sent || err == nil {
			t.Fatalf("deliver with the server down = %v, %v; want a claim that failed", sent, err)
		}
	}
	ns, err := cs.Store.Notices(context.Background(), store.NoticeWaiting, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range ns {
		if n.Attempts != 1 || n.LastError == nil || !n.NextAttemptAt.After(cs.Clock.Now()) {
			t.Errorf("notice %d after a failed try: attempts %d, error %v, next %s; want 1, a reason, later", n.ID, n.Attempts, n.LastError, n.NextAttemptAt)
		}
	}
	if sent, _ := w.DeliverOne(context.Background()); sent {
		t.Error("a notice put off was tried again at once")
	}
	mail.Restart()
	cs.Clock.Advance(notice.Retry(1))
	if got := drain(t, w); got != 3 {
		t.Errorf("sent %d after the server came back, want 3", got)
	}
	if got := len(mail.Messages()); got != 3 {
		t.Errorf("the server has %d messages, want 3", got)
	}
}

// TestRefusedRecipient: a recipient the server refuses for good fails with the reason, is not
// tried again, and the address is marked as bouncing.
func TestRefusedRecipient(t *testing.T) {
	t.Parallel()
	cs := newChainSite(t)
	mail := smtptest.Start(t)
	w := cs.worker(t, mail.URL())
	mail.Refuse(cs.drafter.Email, "No such mailbox")
	queue(t, cs, cs.drafter, 1)
	if sent, err := w.DeliverOne(context.Background()); !sent || err == nil {
		t.Fatalf("deliver to a refused address = %v, %v; want a failure", sent, err)
	}
	ns, err := cs.Store.Notices(context.Background(), store.NoticeFailed, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(ns) != 1 || ns[0].LastError == nil || !strings.Contains(*ns[0].LastError, "550") ||
		!strings.Contains(*ns[0].LastError, "No such mailbox") {
		t.Fatalf("failed notices %+v, want one with the 550 reply", ns)
	}
	if ns[0].Bounced == nil {
		t.Error("the refused address is not marked as bouncing")
	}
	cs.Clock.Advance(24 * time.Hour)
	if sent, _ := w.DeliverOne(context.Background()); sent {
		t.Error("a refused notice was tried again")
	}
}

// TestCrashBetweenSendAndRecord: a worker that sent a message and died before recording it
// leaves its claim to run out; the next worker sends that one notice again, with the same
// Message-ID, and the others once.
func TestCrashBetweenSendAndRecord(t *testing.T) {
	t.Parallel()
	cs := newChainSite(t)
	mail := smtptest.Start(t)
	w := cs.worker(t, mail.URL())
	queue(t, cs, cs.drafter, 3)
	ctx := context.Background()
	d, err := cs.Store.ClaimNotices(ctx, cs.Clock.Now(), notice.DefaultLease)
	if err != nil {
		t.Fatal(err)
	}
	crashed, err := w.Send(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	// The worker dies here: nothing is recorded.
	if got := drain(t, w); got != 2 {
		t.Fatalf("sent %d while the crashed claim holds, want the 2 others", got)
	}
	cs.Clock.Advance(notice.DefaultLease + time.Second)
	if got := drain(t, w); got != 1 {
		t.Fatalf("sent %d once the lease ran out, want the 1 in flight", got)
	}
	byID := map[string]int{}
	for _, m := range mail.Messages() {
		byID[m.MessageID()]++
	}
	if len(byID) != 3 || byID["<"+crashed+">"] != 2 {
		t.Errorf("messages by Message-ID %v, want 3 notices, %s twice and the others once", byID, crashed)
	}
	if c := counts(t, cs); c[store.NoticeSent] != 3 {
		t.Errorf("notices by state %v, want 3 sent", c)
	}
}

// TestDailyDigest: a person on a daily summary gets the notices that only tell them something
// in one message at their time, grouped by decision, the newest decision first, each said
// once; a notice asking them to act goes at once.
func TestDailyDigest(t *testing.T) {
	t.Parallel()
	cs := newChainSite(t)
	mail := smtptest.Start(t)
	w := cs.worker(t, mail.URL())
	ctx := context.Background()
	london, _ := time.LoadLocation("Europe/London")
	now := cs.Clock.Now().In(london)
	at := now.Add(2 * time.Hour).Truncate(time.Minute)
	if err := cs.Store.SetNoticePreferences(ctx, cs.drafter.ID, store.NoticePreferences{Digest: true, DigestTime: at.Format("15:04")}, now); err != nil {
		t.Fatal(err)
	}
	write := func(ref, body, kind string) {
		t.Helper()
		err := cs.Store.InTx(ctx, func(tx *store.Store) error {
			_, err := tx.QueueNotice(ctx, cs.Clock.Now(), store.Notice{UserID: cs.drafter.ID, Event: "test", Kind: kind, Reference: ref,
				Title: "Title of " + ref, Subject: ref + " " + body, Body: body, LinkPath: "/decisions/" + strings.ToLower(strings.ReplaceAll(ref, " ", "-"))})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		cs.Clock.Advance(time.Minute)
	}
	write("PCD 7001", "Finance approved it.", store.NoticeInfo)
	write("PCD 7002", "Legal approved it.", store.NoticeInfo)
	write("PCD 7001", "Finance approved it.", store.NoticeInfo) // said again: left out of the summary
	write("PCD 7001", "It was returned to draft.", store.NoticeAction)
	write("PCD 7001", "Legal approved it.", store.NoticeInfo)

	if got := drain(t, w); got != 1 {
		t.Fatalf("before the summary's time %d messages went, want only the one asking to act", got)
	}
	if s := mail.Messages()[0].Subject(); s != "PCD 7001 It was returned to draft." {
		t.Errorf("the message sent at once is %q, want the return", s)
	}
	cs.Clock.Advance(at.Sub(cs.Clock.Now()))
	if got := drain(t, w); got != 1 {
		t.Fatalf("at the summary's time %d messages went, want 1 summary", got)
	}
	m := mail.Messages()[1]
	if m.Subject() != "Your daily summary: 2 decisions" {
		t.Errorf("summary subject %q", m.Subject())
	}
	text := plainPart(t, m)
	first, second := strings.Index(text, "PCD 7001: Title of PCD 7001"), strings.Index(text, "PCD 7002: Title of PCD 7002")
	if first < 0 || second < 0 || first > second {
		t.Errorf("the summary is not grouped with the newest decision first:\n%s", text)
	}
	if n := strings.Count(text, "Finance approved it."); n != 1 {
		t.Errorf("the summary says %q %d times, want once:\n%s", "Finance approved it.", n, text)
	}
	if legal, finance := strings.Index(text, "Legal approved it."), strings.Index(text, "Finance approved it."); legal > finance {
		t.Errorf("within PCD 7001 the newest state is not first:\n%s", text)
	}
	if c := counts(t, cs); c[store.NoticeSent] != 5 {
		t.Errorf("notices by state %v, want all 5 sent (the repeat with its summary)", c)
	}
}

// plainPart is a message's text/plain part, decoded.
func plainPart(t *testing.T, m smtptest.Message) string {
	t.Helper()
	text, err := m.Part("text/plain")
	if err != nil {
		t.Fatal(err)
	}
	return text
}
