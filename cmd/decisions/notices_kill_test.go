package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/decision-register/decisions/internal/dbtest"
	"github.com/decision-register/decisions/internal/notice/smtptest"
	"github.com/decision-register/decisions/internal/store"
)

// startMailingChild starts the server as a process of its own, sending notices to smtpURL.
func startMailingChild(t *testing.T, dbURL, smtpURL string) *child {
	t.Helper()
	addr := freePort(t)
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), childEnv+"=serve", "DATABASE_URL="+dbURL, "ADDR="+addr, "LOG_FORMAT=json", "LOG_LEVEL=warn",
		"DRAIN_DELAY=0s", "SMTP_URL="+smtpURL, "MAIL_FROM=register@example.org", "BASE_URL=https://decisions.example.org")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, out: &out, base: "http://" + addr}
	t.Cleanup(c.kill)
	waitServing(t, c.base)
	return c
}

// TestKilledBetweenSendAndRecord kills the server with SIGKILL after the mail server has
// accepted a notice's message and before the server heard so, let alone recorded it. After a
// restart (once the dead claim's lease has run out) that one notice is sent again, with the
// same Message-ID, and every other notice once.
func TestKilledBetweenSendAndRecord(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := dbtest.URL(t)
	pool, err := store.Open(ctx, dbURL, store.PoolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	st := store.New(pool)
	hash, err := passwords.Hash("a long enough password")
	if err != nil {
		t.Fatal(err)
	}
	uid, err := st.CreateUser(ctx, store.System(time.Now()), "someone@example.org", "Some One", hash, store.Grants{Roles: []string{"drafter"}})
	if err != nil {
		t.Fatal(err)
	}
	const n = 3
	err = st.InTx(ctx, func(tx *store.Store) error {
		for i := range n {
			if _, err := tx.QueueNotice(ctx, time.Now(), store.Notice{UserID: uid, Event: "test", Kind: store.NoticeAction,
				Reference: fmt.Sprintf("PCD %d", 7000+i), Title: "A test", Subject: fmt.Sprintf("Notice %d", i), Body: "Something to do.",
				LinkPath: "/work"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// The child is handed to the mail server's callback through a channel: the callback runs
	// on the server's goroutine, possibly before startMailingChild has returned.
	victims := make(chan *child, 1)
	var once sync.Once
	killed := make(chan string, 1)
	mail := smtptest.StartWith(t, smtptest.Options{Accepted: func(m smtptest.Message) {
		once.Do(func() {
			v := <-victims
			v.kill() // before the server replies: the sender never learns it was sent
			victims <- v
			killed <- m.MessageID()
		})
	}})
	victims <- startMailingChild(t, dbURL, mail.URL())
	var inFlight string
	select {
	case inFlight = <-killed:
	case <-time.After(60 * time.Second):
		v := <-victims
		t.Fatalf("no message reached the mail server; the server's log:\n%s", v.out)
	}
	if got := count(t, dbURL, `SELECT count(*) FROM notices WHERE state = 'sent'`); got != 0 {
		t.Fatalf("%d notices recorded sent by a server killed before its first reply", got)
	}
	// The dead claim's lease (five minutes) runs out.
	if _, err := pool.Exec(ctx, `UPDATE notices SET claimed_until = now() - interval '1 second' WHERE claim_token IS NOT NULL`); err != nil {
		t.Fatal(err)
	}
	again := startMailingChild(t, dbURL, mail.URL())
	msgs := mail.Wait(n+1, 60*time.Second)
	waitCtx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if !until(waitCtx, func() bool { return count(t, dbURL, `SELECT count(*) FROM notices WHERE state = 'sent'`) == n }) {
		t.Fatalf("the notices were not all recorded sent; the server's log:\n%s", again.out)
	}
	again.kill()
	byID := map[string]int{}
	for _, m := range mail.Messages() {
		byID[m.MessageID()]++
	}
	if len(msgs) != n+1 || len(byID) != n || byID[inFlight] != 2 {
		t.Errorf("messages by Message-ID %v (%d in all); want %d notices, the one in flight (%s) twice and the others once",
			byID, len(mail.Messages()), n, inFlight)
	}
	for id, k := range byID {
		if id != inFlight && k != 1 {
			t.Errorf("%s sent %d times", id, k)
		}
	}
}
