// Package notice delivers the register's notices by e-mail: the SMTP settings, the message
// each notice (or a person's daily digest) becomes, the signed one-click unsubscribe links,
// and the delivery loop each server instance runs over the outbox the store keeps.
package notice

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// SMTPConfig is where mail goes, read from SMTP_URL.
type SMTPConfig struct {
	Host     string
	Port     int
	Implicit bool // smtps://: TLS from the first byte
	// RequireTLS refuses a server that does not offer STARTTLS (?starttls=required); otherwise
	// STARTTLS is used when offered.
	RequireTLS bool
	Username   string
	Password   string
}

// ParseSMTPURL reads smtp://[user:pass@]host[:port][?starttls=required] (port 25 by default,
// STARTTLS when the server offers it) or smtps://[user:pass@]host[:port] (port 465, TLS at
// once).
func ParseSMTPURL(raw string) (SMTPConfig, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return SMTPConfig{}, fmt.Errorf("SMTP_URL: %w", err)
	}
	var c SMTPConfig
	switch u.Scheme {
	case "smtp":
		c.Port = 25
	case "smtps":
		c.Port, c.Implicit = 465, true
	default:
		return SMTPConfig{}, fmt.Errorf("SMTP_URL %q: the scheme must be smtp:// or smtps://", redact(u))
	}
	c.Host = u.Hostname()
	if c.Host == "" {
		return SMTPConfig{}, fmt.Errorf("SMTP_URL %q: no host", redact(u))
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return SMTPConfig{}, fmt.Errorf("SMTP_URL %q: bad port", redact(u))
		}
		c.Port = n
	}
	switch v := u.Query().Get("starttls"); v {
	case "", "opportunistic":
	case "required":
		if c.Implicit {
			return SMTPConfig{}, fmt.Errorf("SMTP_URL %q: starttls=required is for smtp://; smtps:// is TLS throughout", redact(u))
		}
		c.RequireTLS = true
	default:
		return SMTPConfig{}, fmt.Errorf("SMTP_URL %q: starttls must be required or opportunistic, not %q", redact(u), v)
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	return c, nil
}

// redact is the URL without its password, for messages.
func redact(u *url.URL) string { return u.Redacted() }

// RedactSMTPURL is an SMTP_URL fit to print.
func RedactSMTPURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unreadable)"
	}
	return u.Redacted()
}

// The one-click unsubscribe token (RFC 8058) names a person and is signed with the register's
// notice key: the person's id, then the first 16 bytes of an HMAC-SHA256 over a purpose tag
// and the id, in URL-safe base64. It never expires: an unsubscribe link keeps working.
const tokenMACBytes = 16

// UnsubscribeToken is the token of userID's unsubscribe link.
func UnsubscribeToken(key []byte, userID int64) string {
	b := binary.BigEndian.AppendUint64(nil, uint64(userID))
	return base64.RawURLEncoding.EncodeToString(append(b, tokenMAC(key, userID)...))
}

// ErrBadToken means an unsubscribe token was not made with the register's key.
var ErrBadToken = errors.New("the unsubscribe link is not one the register made")

// CheckUnsubscribeToken returns the person a token names, when the register made it.
func CheckUnsubscribeToken(key []byte, token string) (int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimSpace(token))
	if err != nil || len(b) != 8+tokenMACBytes {
		return 0, ErrBadToken
	}
	id := int64(binary.BigEndian.Uint64(b[:8]))
	if id <= 0 || !hmac.Equal(b[8:], tokenMAC(key, id)) {
		return 0, ErrBadToken
	}
	return id, nil
}

func tokenMAC(key []byte, userID int64) []byte {
	return purposeMAC(key, "decision-register/unsubscribe/v1", userID)
}

func purposeMAC(key []byte, purpose string, id int64) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(purpose + "\x00" + strconv.FormatInt(id, 10)))
	return m.Sum(nil)[:tokenMACBytes]
}

// An alert's unsubscribe token names its subscription, as a person's names them, under a
// purpose of its own: a person's token never unsubscribes an alert, nor the other way.
const alertPurpose = "decision-register/alert-unsubscribe/v1"

// AlertUnsubscribeToken is the token of subscription id's unsubscribe link.
func AlertUnsubscribeToken(key []byte, id int64) string {
	b := binary.BigEndian.AppendUint64(nil, uint64(id))
	return base64.RawURLEncoding.EncodeToString(append(b, purposeMAC(key, alertPurpose, id)...))
}

// CheckAlertUnsubscribeToken returns the subscription a token names, when the register made it.
func CheckAlertUnsubscribeToken(key []byte, token string) (int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimSpace(token))
	if err != nil || len(b) != 8+tokenMACBytes {
		return 0, ErrBadToken
	}
	id := int64(binary.BigEndian.Uint64(b[:8]))
	if id <= 0 || !hmac.Equal(b[8:], purposeMAC(key, alertPurpose, id)) {
		return 0, ErrBadToken
	}
	return id, nil
}
