package notice

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"time"

	"github.com/wneessen/go-mail"
)

// Mailer hands a message to a mail server.
type Mailer interface {
	Send(ctx context.Context, m *mail.Msg) error
}

// SMTP sends each message over a connection of its own to the server SMTP_URL names. A
// message a time is enough for the register's volume, and a connection never outlives a
// server's restart.
type SMTP struct {
	cfg     SMTPConfig
	timeout time.Duration
	tls     *tls.Config
}

// NewSMTP is a mailer for cfg; each send is bounded by timeout. A nil tlsConfig verifies the
// server's certificate against the system's roots.
func NewSMTP(cfg SMTPConfig, timeout time.Duration, tlsConfig *tls.Config) *SMTP {
	return &SMTP{cfg: cfg, timeout: timeout, tls: tlsConfig}
}

// Send sends m.
func (s *SMTP) Send(ctx context.Context, m *mail.Msg) error {
	opts := []mail.Option{mail.WithPort(s.cfg.Port), mail.WithTimeout(s.timeout), mail.WithoutNoop()}
	switch {
	case s.cfg.Implicit:
		opts = append(opts, mail.WithSSL())
	case s.cfg.RequireTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	}
	if s.tls != nil {
		opts = append(opts, mail.WithTLSConfig(s.tls))
	} else {
		opts = append(opts, mail.WithTLSConfig(&tls.Config{ServerName: s.cfg.Host, MinVersion: tls.VersionTLS12}))
	}
	if s.cfg.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(s.cfg.Username),
			mail.WithPassword(s.cfg.Password))
	}
	c, err := mail.NewClient(s.cfg.Host, opts...)
	if err != nil {
		return fmt.Errorf("SMTP client: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	return c.DialAndSendWithContext(ctx, m)
}

// Permanent reports whether err is the mail server refusing the message or its recipient for
// good (a 5xx reply): trying again would be refused again.
func Permanent(err error) bool {
	var se *mail.SendError
	if !errors.As(err, &se) {
		return false
	}
	code := se.ErrorCode()
	return code >= 500 && code < 600 && !se.IsTemp()
}
