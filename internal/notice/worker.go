package notice

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"time"

	"github.com/decision-register/decisions/internal/store"
)

// Delivery's defaults: how long a claim is a worker's (far longer than a send may take), how
// long a failure puts the next try off (a minute, doubling to six hours), and how many tries
// there are before a notice is given up (about a day and a half of trying).
const (
	DefaultLease       = 5 * time.Minute
	DefaultMaxAttempts = 12
	retryMin           = time.Minute
	retryMax           = 6 * time.Hour
)

// Retry is how long to wait after the attempts-th failure.
func Retry(attempts int) time.Duration {
	d := retryMin
	for i := 1; i < attempts && d < retryMax; i++ {
		d *= 2
	}
	return min(d, retryMax)
}

// Worker delivers due notices from the outbox. Any number may run, in any number of
// instances: each notice is claimed by one.
type Worker struct {
	Store       *store.Store
	Mailer      Mailer
	From        string // MAIL_FROM
	BaseURL     string
	Clock       func() time.Time // nil: the system clock
	Log         *slog.Logger
	Lease       time.Duration // zero: DefaultLease
	MaxAttempts int           // zero: DefaultMaxAttempts

	wakeOnce sync.Once
	wake     chan struct{}
	keyMu    sync.Mutex
	key      []byte
}

func (w *Worker) now() time.Time {
	if w.Clock != nil {
		return w.Clock()
	}
	return time.Now()
}

// Host names the register in Message-IDs: BASE_URL's host.
func (w *Worker) Host() string {
	u, err := url.Parse(w.BaseURL)
	if err != nil || u.Hostname() == "" {
		return "localhost"
	}
	return u.Hostname()
}

func (w *Worker) signingKey(ctx context.Context) ([]byte, error) {
	w.keyMu.Lock()
	defer w.keyMu.Unlock()
	if w.key == nil {
		k, err := w.Store.NoticeKey(ctx)
		if err != nil {
			return nil, err
		}
		w.key = k
	}
	return w.key, nil
}

// Letter is what a claimed delivery says, with its unsubscribe link signed.
func (w *Worker) Letter(ctx context.Context, d store.Delivery) (Letter, error) {
	key, err := w.signingKey(ctx)
	if err != nil {
		return Letter{}, err
	}
	if d.SubscriptionID != 0 {
		confirm := ""
		for _, n := range d.Notices {
			if n.Event == store.EventAlertConfirm {
				// Made now, so the outbox never holds it; a retry sends a new one.
				t, err := w.Store.NewAlertConfirmToken(ctx, d.SubscriptionID)
				if err != nil {
					return Letter{}, err
				}
				confirm = w.BaseURL + "/alerts/confirm/" + t
			}
		}
		return NewAlertLetter(d, w.BaseURL, w.Host(), w.BaseURL+"/alerts/unsubscribe/"+AlertUnsubscribeToken(key, d.SubscriptionID), confirm), nil
	}
	return NewLetter(d, w.BaseURL, w.Host(), w.BaseURL+"/notices/unsubscribe/"+UnsubscribeToken(key, d.UserID)), nil
}

// Send hands a claimed delivery's message to the mail server, and returns its Message-ID. It
// records nothing: DeliverOne does, after.
func (w *Worker) Send(ctx context.Context, d store.Delivery) (string, error) {
	l, err := w.Letter(ctx, d)
	if err != nil {
		return "", err
	}
	m, err := l.Msg(w.From, w.now())
	if err != nil {
		return l.MessageID, err
	}
	return l.MessageID, w.Mailer.Send(ctx, m)
}

// DeliverOne sends one due message, if any is, and reports whether there was one. A failure
// is recorded on its notices (a permanent refusal fails them and marks the address; anything
// else is tried again later, until given up) and returned, for the log.
func (w *Worker) DeliverOne(ctx context.Context) (bool, error) {
	lease := w.Lease
	if lease == 0 {
		lease = DefaultLease
	}
	maxAttempts := w.MaxAttempts
	if maxAttempts == 0 {
		maxAttempts = DefaultMaxAttempts
	}
	d, err := w.Store.ClaimNotices(ctx, w.now(), lease)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	id, err := w.Send(ctx, d)
	if err == nil {
		// The message is gone: record it even when stopping, or it goes again after the lease.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := w.Store.RecordSent(rctx, d, id, w.now()); err != nil {
			return true, fmt.Errorf("record message %s sent: %w", id, err)
		}
		w.Log.InfoContext(ctx, "notice sent", "message_id", id, "notices", len(d.Notices))
		return true, nil
	}
	if ctx.Err() != nil {
		return true, err // stopping: the lease runs out and another instance sends it
	}
	permanent := Permanent(err)
	retry := w.now().Add(Retry(d.Notices[0].Attempts))
	if permanent {
		retry = w.now()
	}
	if rerr := w.Store.RecordFailure(ctx, d, err.Error(), permanent, retry, maxAttempts); rerr != nil {
		return true, errors.Join(err, rerr)
	}
	return true, fmt.Errorf("message %s to user %d (attempt %d): %w", id, d.UserID, d.Notices[0].Attempts, err)
}

// Wake tells Run a notice may be due.
func (w *Worker) Wake() {
	w.init()
	select {
	case w.wake <- struct{}{}:
	default: // already woken
	}
}

func (w *Worker) init() { w.wakeOnce.Do(func() { w.wake = make(chan struct{}, 1) }) }

// Run delivers due notices until ctx ends: at once when a notice is written anywhere
// (LISTEN notices), and every interval, for retries and digests whose time has come.
func (w *Worker) Run(ctx context.Context, every time.Duration) {
	w.init()
	go func() {
		if err := w.Store.ListenNotices(ctx, w.Wake); err != nil {
			w.Log.WarnContext(ctx, "notices: not listening for new ones; looking every interval", "err", err)
		}
	}()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		for ctx.Err() == nil {
			sent, err := w.DeliverOne(ctx)
			if err != nil && ctx.Err() == nil {
				w.Log.ErrorContext(ctx, "notice", "err", err)
			}
			if !sent {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-w.wake:
		}
	}
}
