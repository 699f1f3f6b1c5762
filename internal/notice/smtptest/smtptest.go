// Package smtptest runs a real SMTP server in the test process (emersion/go-smtp), keeping
// every message it accepts, for tests of the register's mail. It can refuse recipients, fail
// a message for a while, and stop and start again on the same address.
package smtptest

import (
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Message is a message the server accepted.
type Message struct {
	From   string
	To     []string
	Header mail.Header
	Raw    []byte
	User   string // who signed in (AUTH) to send it, or ""
	TLS    bool   // whether it came over TLS
}

// MessageID is the message's Message-ID header.
func (m Message) MessageID() string { return m.Header.Get("Message-Id") }

// Subject is the message's subject, decoded.
func (m Message) Subject() string {
	s, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		return m.Header.Get("Subject")
	}
	return s
}

// Options make a server that speaks TLS, or asks for a password.
type Options struct {
	// TLS offers STARTTLS with this configuration, or with Implicit speaks TLS from the
	// first byte (smtps).
	TLS      *tls.Config
	Implicit bool
	// Username and Password, when set, are required (AUTH PLAIN, over TLS only).
	Username, Password string
	// Accepted, when set, is called with each message once it is kept, before the server
	// replies to it: a test may kill the sender there, between its send and its record.
	Accepted func(Message)
}

// Server is a running SMTP server.
type Server struct {
	t    testing.TB
	Addr string
	opts Options

	mu       sync.Mutex
	cond     *sync.Cond
	messages []Message
	refused  map[string]string // address → the 550 reply's text
	srv      *smtp.Server
}

// Start starts a server on a free loopback port; it stops when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	return StartWith(t, Options{})
}

// StartWith starts a server with opts.
func StartWith(t testing.TB, opts Options) *Server {
	t.Helper()
	s := &Server{t: t, refused: map[string]string{}, opts: opts}
	s.cond = sync.NewCond(&s.mu)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Addr = l.Addr().String()
	s.serve(l)
	t.Cleanup(s.Stop)
	return s
}

// URL is the server's SMTP_URL.
func (s *Server) URL() string { return "smtp://" + s.Addr }

func (s *Server) serve(l net.Listener) {
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &session{s: s, conn: c}, nil }))
	srv.TLSConfig = s.opts.TLS
	if s.opts.Implicit {
		l = tls.NewListener(l, s.opts.TLS)
	}
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.MaxMessageBytes = 1 << 20
	s.mu.Lock()
	s.srv = srv
	s.mu.Unlock()
	go func() { _ = srv.Serve(l) }()
}

// Stop stops the server: connections are refused until Restart.
func (s *Server) Stop() {
	s.mu.Lock()
	srv := s.srv
	s.srv = nil
	s.mu.Unlock()
	if srv != nil {
		_ = srv.Close()
	}
}

// Restart serves again on the same address.
func (s *Server) Restart() {
	s.t.Helper()
	var l net.Listener
	var err error
	// The old socket may linger a moment in the kernel after Close.
	for range 100 {
		if l, err = net.Listen("tcp", s.Addr); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil {
		s.t.Fatalf("restart the SMTP server on %s: %v", s.Addr, err)
	}
	s.serve(l)
}

// Refuse makes the server refuse addr for good (550) with reply.
func (s *Server) Refuse(addr, reply string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refused[strings.ToLower(addr)] = reply
}

// Messages are the messages accepted so far, in order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// Wait waits until at least n messages have been accepted, and returns them; it fails the
// test after timeout.
func (s *Server) Wait(n int, timeout time.Duration) []Message {
	s.t.Helper()
	done := make(chan struct{})
	timer := time.AfterFunc(timeout, func() {
		s.mu.Lock()
		close(done)
		s.cond.Broadcast()
		s.mu.Unlock()
	})
	defer timer.Stop()
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.messages) < n {
		select {
		case <-done:
			s.t.Fatalf("the SMTP server accepted %d messages in %s, want %d", len(s.messages), timeout, n)
		default:
		}
		s.cond.Wait()
	}
	return append([]Message(nil), s.messages...)
}

type session struct {
	s    *Server
	conn *smtp.Conn
	user string
	from string
	to   []string
}

func (ss *session) AuthMechanisms() []string {
	if ss.s.opts.Username == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, username, password string) error {
		if username != ss.s.opts.Username || password != ss.s.opts.Password {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication failed"}
		}
		ss.user = username
		return nil
	}), nil
}

func (ss *session) Reset()        { ss.from, ss.to = "", nil }
func (ss *session) Logout() error { return nil }

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.opts.Username != "" && ss.user == "" {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.s.mu.Lock()
	reply, refused := ss.s.refused[strings.ToLower(to)]
	ss.s.mu.Unlock()
	if refused {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: reply}
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return &smtp.SMTPError{Code: 554, Message: "unreadable message: " + err.Error()}
	}
	ss.s.mu.Lock()
	_, secure := ss.conn.TLSConnectionState()
	msg := Message{From: ss.from, To: ss.to, Header: m.Header, Raw: raw, User: ss.user, TLS: secure}
	ss.s.messages = append(ss.s.messages, msg)
	ss.s.cond.Broadcast()
	ss.s.mu.Unlock()
	if ss.s.opts.Accepted != nil {
		ss.s.opts.Accepted(msg)
	}
	return nil
}

// Part is the body of the message's first part of mediaType, transfer-decoded.
func (m Message) Part(mediaType string) (string, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(m.Raw))
	if err != nil {
		return "", err
	}
	return findPart(textproto.MIMEHeader(msg.Header), msg.Body, mediaType)
}

func findPart(h textproto.MIMEHeader, body io.Reader, want string) (string, error) {
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		return "", err
	}
	if strings.HasPrefix(mt, "multipart/") {
		r := multipart.NewReader(body, params["boundary"])
		for {
			p, err := r.NextRawPart()
			if err != nil {
				return "", fmt.Errorf("no %s part: %w", want, err)
			}
			if s, err := findPart(p.Header, p, want); err == nil {
				return s, nil
			}
		}
	}
	if mt != want {
		return "", fmt.Errorf("a %s part, not %s", mt, want)
	}
	var r io.Reader = body
	switch strings.ToLower(h.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		r = quotedprintable.NewReader(body)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, err := io.ReadAll(r)
	return string(b), err
}
