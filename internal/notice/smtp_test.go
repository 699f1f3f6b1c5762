package notice_test

import (
	"context"
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/decision-register/decisions/internal/notice"
	"github.com/decision-register/decisions/internal/notice/smtptest"
	"github.com/decision-register/decisions/internal/store"
)

// testTLS is a server certificate for 127.0.0.1 and a client configuration that trusts it
// (httptest's).
func testTLS(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	hs := httptest.NewTLSServer(http.NotFoundHandler())
	defer hs.Close()
	client = hs.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
	client.ServerName = "127.0.0.1"
	return &tls.Config{Certificates: hs.TLS.Certificates, MinVersion: tls.VersionTLS12}, client
}

// TestSMTPTLSAndAuth sends through servers that speak TLS and ask for a password, as SMTP_URL
// says: STARTTLS (required, or when offered), implicit TLS, and a password only over TLS; and
// refuses a server without STARTTLS when told to insist.
func TestSMTPTLSAndAuth(t *testing.T) {
	t.Parallel()
	serverTLS, clientTLS := testTLS(t)
	tests := []struct {
		name     string
		opts     smtptest.Options
		url      func(addr string) string
		wantUser string
		wantErr  string
	}{
		{"STARTTLS required, with a password", smtptest.Options{TLS: serverTLS, Username: "relay", Password: "s3cret pass"},
			func(a string) string { return "smtp://relay:s3cret%20pass@" + a + "?starttls=required" }, "relay", ""},
		{"STARTTLS when offered", smtptest.Options{TLS: serverTLS},
			func(a string) string { return "smtp://" + a }, "", ""},
		{"implicit TLS, with a password", smtptest.Options{TLS: serverTLS, Implicit: true, Username: "relay", Password: "pw"},
			func(a string) string { return "smtps://relay:pw@" + a }, "relay", ""},
		{"STARTTLS required, none offered", smtptest.Options{},
			func(a string) string { return "smtp://" + a + "?starttls=required" }, "", "TLS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := newChainSite(t)
			mail := smtptest.StartWith(t, tt.opts)
			cfg, err := notice.ParseSMTPURL(tt.url(mail.Addr))
			if err != nil {
				t.Fatal(err)
			}
			w := cs.worker(t, mail.URL())
			w.Mailer = notice.NewSMTP(cfg, 10*time.Second, clientTLS)
			queue(t, cs, cs.drafter, 1)
			sent, err := w.DeliverOne(context.Background())
			if !sent {
				t.Fatal("no notice was claimed")
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("deliver = %v, want an error about %s", err, tt.wantErr)
				}
				if c := counts(t, cs); c[store.NoticeWaiting] != 1 {
					t.Errorf("notices by state %v, want the one waiting to be tried again", c)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			msgs := mail.Messages()
			if len(msgs) != 1 || !msgs[0].TLS || msgs[0].User != tt.wantUser {
				t.Fatalf("messages %d; TLS %v, user %q; want 1 over TLS as %q", len(msgs), len(msgs) == 1 && msgs[0].TLS, firstUser(msgs), tt.wantUser)
			}
		})
	}
}

func firstUser(ms []smtptest.Message) string {
	if len(ms) == 0 {
		return ""
	}
	return ms[0].User
}

// TestParseSMTPURL reads SMTP_URL and refuses what it cannot use, without printing the password.
func TestParseSMTPURL(t *testing.T) {
	t.Parallel()
	good := []struct {
		in   string
		want notice.SMTPConfig
	}{
		{"smtp://mail.example.org", notice.SMTPConfig{Host: "mail.example.org", Port: 25}},
		{"smtp://u:p%40ss@mail.example.org:587?starttls=required", notice.SMTPConfig{Host: "mail.example.org", Port: 587, RequireTLS: true, Username: "u", Password: "p@ss"}},
		{"smtps://mail.example.org", notice.SMTPConfig{Host: "mail.example.org", Port: 465, Implicit: true}},
	}
	for _, g := range good {
		got, err := notice.ParseSMTPURL(g.in)
		if err != nil || got != g.want {
			t.Errorf("ParseSMTPURL(%q) = %+v, %v; want %+v", g.in, got, err, g.want)
		}
	}
	for _, bad := range []string{"http://mail.example.org", "smtp://", "smtp://h:99999", "smtps://u:secret@h?starttls=required", "smtp://h?starttls=maybe"} {
		_, err := notice.ParseSMTPURL(bad)
		if err == nil {
			t.Errorf("ParseSMTPURL(%q) accepted", bad)
		} else if strings.Contains(err.Error(), "secret") {
			t.Errorf("ParseSMTPURL(%q) error shows the password: %v", bad, err)
		}
	}
}
