package notice_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/decision-register/decisions/internal/notice"
	"github.com/decision-register/decisions/internal/notice/smtptest"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/testsite"
)

// queueB writes n action notices for user in one transaction.
func queueB(b *testing.B, site *testsite.Site, user store.User, n int) {
	b.Helper()
	err := site.Store.InTx(context.Background(), func(tx *store.Store) error {
		for i := range n {
			_, err := tx.QueueNotice(context.Background(), site.Clock.Now(), store.Notice{UserID: user.ID, Event: "test",
				Kind: store.NoticeAction, Reference: fmt.Sprintf("PCD %d", 5000+i), Title: "A test",
				Subject: fmt.Sprintf("Notice %d", i), Body: "Something to do.", LinkPath: "/work"})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

func benchWorker(b *testing.B, site *testsite.Site, smtpURL string) *notice.Worker {
	b.Helper()
	cfg, err := notice.ParseSMTPURL(smtpURL)
	if err != nil {
		b.Fatal(err)
	}
	return &notice.Worker{Store: site.Store, Mailer: notice.NewSMTP(cfg, 10*time.Second, nil), From: "register@example.org",
		BaseURL: testsite.BaseURL, Clock: site.Clock.Now, Log: testsite.Logger(b)}
}

// BenchmarkOutboxDelivery is the outbox's throughput: notices claimed, sent over SMTP (to a
// server in this process, on loopback) and recorded, by one worker and by two at once.
func BenchmarkOutboxDelivery(b *testing.B) {
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			site := testsite.New(b)
			mail := smtptest.Start(b)
			u := site.User(b, "someone@example.org", "Some One", store.Grants{Roles: []string{"drafter"}})
			queueB(b, site, u, b.N)
			b.ResetTimer()
			start := time.Now()
			var wg sync.WaitGroup
			for range workers {
				w := benchWorker(b, site, mail.URL())
				wg.Go(func() {
					for {
						sent, err := w.DeliverOne(context.Background())
						if err != nil {
							b.Error(err)
							return
						}
						if !sent {
							return
						}
					}
				})
			}
			wg.Wait()
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "notices/s")
			if got := len(mail.Messages()); got != b.N {
				b.Fatalf("sent %d, want %d", got, b.N)
			}
		})
	}
}

// BenchmarkEventToDelivery is the time from an event's commit to its message reaching the
// mail server, at rest: a worker waiting (LISTEN), one notice at a time.
func BenchmarkEventToDelivery(b *testing.B) {
	site := testsite.New(b)
	mail := smtptest.Start(b)
	u := site.User(b, "someone@example.org", "Some One", store.Grants{Roles: []string{"drafter"}})
	w := benchWorker(b, site, mail.URL())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); w.Run(ctx, time.Hour) }()
	defer func() { cancel(); <-done }()
	// One first, so the worker is listening before the timing starts.
	queueB(b, site, u, 1)
	mail.Wait(1, 30*time.Second)
	b.ResetTimer()
	var total time.Duration
	for i := range b.N {
		start := time.Now()
		queueB(b, site, u, 1)
		mail.Wait(i+2, 30*time.Second)
		total += time.Since(start)
	}
	b.ReportMetric(float64(total.Microseconds())/float64(b.N)/1000, "ms/event")
}
