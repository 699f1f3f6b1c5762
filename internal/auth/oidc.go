package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// OIDCConfig is single sign-on with an OpenID Connect provider (Entra ID, Google, any other):
// the authorisation code flow with PKCE, state and nonce.
type OIDCConfig struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	// Name is the provider's name on the sign-in button: "Sign in with Name".
	Name string
	// RedirectURL is the register's callback, BASE_URL + /sign-in/sso/callback, as registered
	// with the provider.
	RedirectURL string
	// GroupRoles maps a provider group (its id or name, as the groups claim carries it) to a
	// register role; empty (the default) leaves roles to the register's admins alone.
	GroupRoles map[string]string
	// HTTPClient reaches the provider; nil means one with a 10-second timeout.
	HTTPClient *http.Client
}

// OIDC signs people in with an OpenID Connect provider. The provider's discovery document is
// read on first use, not at start-up, and read again after a failure: a provider that is down
// when the register starts must not stop the register (password accounts still sign in).
type OIDC struct {
	c   OIDCConfig
	now func() time.Time

	mu       sync.Mutex
	provider *oidc.Provider
	endSess  string
}

// NewOIDC returns single sign-on with c, telling the time by now (for token expiry).
func NewOIDC(c OIDCConfig, now func() time.Time) *OIDC {
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if c.Name == "" {
		c.Name = "your organisation's account"
	}
	return &OIDC{c: c, now: now}
}

// Name is the provider's name, for the sign-in button.
func (o *OIDC) Name() string { return o.c.Name }

// Issuer is the provider's issuer, which with a subject names a person there.
func (o *OIDC) Issuer() string { return o.c.Issuer }

// Origin is the issuer's scheme and host, where its sign-in and sign-out pages are (Entra ID's
// and Google's are): the sign-in button's form and the sign-out form are sent on to it, so the
// pages' Content-Security-Policy form-action must allow it.
func (o *OIDC) Origin() string {
	u, err := url.Parse(o.c.Issuer)
	if err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// GroupRoles is the group to role mapping; empty when off.
func (o *OIDC) GroupRoles() map[string]string { return o.c.GroupRoles }

func (o *OIDC) discover(ctx context.Context) (*oidc.Provider, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.provider != nil {
		return o.provider, nil
	}
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, o.c.HTTPClient), o.c.Issuer)
	if err != nil {
		return nil, fmt.Errorf("discover the OpenID provider %s: %w", o.c.Issuer, err)
	}
	var extra struct {
		EndSession string `json:"end_session_endpoint"`
	}
	_ = p.Claims(&extra) // an absent end_session_endpoint is "no provider logout"
	o.provider, o.endSess = p, extra.EndSession
	return p, nil
}

func (o *OIDC) oauth2(p *oidc.Provider) *oauth2.Config {
	scopes := []string{oidc.ScopeOpenID, "email", "profile"}
	if len(o.c.GroupRoles) > 0 {
		scopes = append(scopes, "groups")
	}
	return &oauth2.Config{ClientID: o.c.ClientID, ClientSecret: o.c.ClientSecret, Endpoint: p.Endpoint(),
		RedirectURL: o.c.RedirectURL, Scopes: scopes}
}

// Flow is one sign-in's secrets, kept in the person's session until the provider sends them
// back: the state (against forged and replayed callbacks), the nonce (against a replayed ID
// token) and the PKCE verifier (against a stolen code).
type Flow struct {
	State    string
	Nonce    string
	Verifier string
	// Fresh asks the provider to have the person sign in again now (prompt=login, max_age=0),
	// for a step-up; the ID token must then say they did (auth_time) no earlier than Started.
	Fresh   bool
	Started time.Time
}

// FreshSkew is how far a provider's clock may be behind the register's when it says when the
// person signed in for a step-up.
const FreshSkew = 2 * time.Minute

// NewFlow makes a sign-in's secrets.
func NewFlow() Flow {
	return Flow{State: rand.Text(), Nonce: rand.Text(), Verifier: oauth2.GenerateVerifier()}
}

// AuthURL is where the person goes to sign in with the provider.
func (o *OIDC) AuthURL(ctx context.Context, f Flow) (string, error) {
	p, err := o.discover(ctx)
	if err != nil {
		return "", err
	}
	opts := []oauth2.AuthCodeOption{oidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier)}
	if f.Fresh {
		opts = append(opts, oauth2.SetAuthURLParam("prompt", "login"), oauth2.SetAuthURLParam("max_age", "0"))
	}
	return o.oauth2(p).AuthCodeURL(f.State, opts...), nil
}

// Identity is who the provider says signed in.
type Identity struct {
	Subject       string
	Email         string
	EmailVerified bool
	Name          string
	// Groups are the token's groups claim; nil when it has none (Entra ID leaves it out when
	// the person is in too many groups), which is not the same as no groups.
	Groups []string
	// IDToken is the raw ID token, kept to name the session at the provider's logout.
	IDToken string
	// AuthTime is when the person last authenticated at the provider (auth_time); zero when
	// the token does not say.
	AuthTime time.Time
}

// Refusal is why a sign-in's answer from the provider was refused. Its Reason is a short code
// for the audit trail and the log; Err, when set, is the library's error, for the log only.
type Refusal struct {
	Reason string
	Err    error
}

func (r *Refusal) Error() string {
	if r.Err != nil {
		return "single sign-on refused (" + r.Reason + "): " + r.Err.Error()
	}
	return "single sign-on refused (" + r.Reason + ")"
}

func (r *Refusal) Unwrap() error { return r.Err }

// The reasons for a Refusal.
const (
	RefusedState       = "state"          // no sign-in started here, or its state does not match: forged or replayed
	RefusedProvider    = "provider_error" // the provider answered with an error (the person cancelled, say)
	RefusedExchange    = "code_exchange"  // the provider would not exchange the code
	RefusedNoIDToken   = "no_id_token"
	RefusedIssuer      = "wrong_issuer"
	RefusedAudience    = "wrong_audience"
	RefusedExpired     = "expired_token"
	RefusedToken       = "invalid_token" // a bad signature, or a token that is not one
	RefusedNonce       = "wrong_nonce"
	RefusedUnlinked    = "unlinked_subject"
	RefusedDisabled    = "disabled_account"
	RefusedUnavailable = "provider_unavailable"
	RefusedNotFresh    = "stale_auth_time" // a step-up's token does not say the person signed in again just now
	RefusedAnother     = "another_account" // a step-up signed in someone other than the person asked
)

// Exchange turns the code the provider sent back into a verified identity: the code is
// exchanged with the PKCE verifier, and the ID token's signature, issuer, audience, expiry
// (by the injected clock) and nonce are checked, and for a step-up the token's auth_time. Any
// failure is a *Refusal.
func (o *OIDC) Exchange(ctx context.Context, f Flow, code string) (Identity, error) {
	p, err := o.discover(ctx)
	if err != nil {
		return Identity{}, &Refusal{Reason: RefusedUnavailable, Err: err}
	}
	ctx = oidc.ClientContext(ctx, o.c.HTTPClient)
	tok, err := o.oauth2(p).Exchange(ctx, code, oauth2.VerifierOption(f.Verifier))
	if err != nil {
		return Identity{}, &Refusal{Reason: RefusedExchange, Err: err}
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return Identity{}, &Refusal{Reason: RefusedNoIDToken}
	}
	idt, err := p.VerifierContext(ctx, &oidc.Config{ClientID: o.c.ClientID, Now: o.now}).Verify(ctx, raw)
	if err != nil {
		return Identity{}, &Refusal{Reason: o.why(raw, err), Err: err}
	}
	if idt.Nonce != f.Nonce {
		return Identity{}, &Refusal{Reason: RefusedNonce}
	}
	var c struct {
		Email         string   `json:"email"`
		EmailVerified any      `json:"email_verified"` // Entra ID has sent it as a string
		EntraVerified bool     `json:"xms_edov"`       // Entra ID: the e-mail's domain is the tenant's own
		Name          string   `json:"name"`
		Groups        []string `json:"groups"`
		AuthTime      *float64 `json:"auth_time"`
	}
	if err := idt.Claims(&c); err != nil {
		return Identity{}, &Refusal{Reason: RefusedToken, Err: err}
	}
	verified := c.EntraVerified
	switch v := c.EmailVerified.(type) {
	case bool:
		verified = verified || v
	case string:
		verified = verified || v == "true"
	}
	id := Identity{Subject: idt.Subject, Email: c.Email, EmailVerified: verified, Name: c.Name, Groups: c.Groups, IDToken: raw}
	if c.AuthTime != nil {
		id.AuthTime = time.Unix(int64(*c.AuthTime), 0)
	}
	// A step-up asked the provider for a new sign-in; a provider that ignored prompt=login and
	// max_age=0 (or a token from an earlier sign-in) does not prove the person is at the keyboard.
	if f.Fresh && (id.AuthTime.IsZero() || id.AuthTime.Before(f.Started.Add(-FreshSkew)) || id.AuthTime.After(o.now().Add(FreshSkew))) {
		return Identity{}, &Refusal{Reason: RefusedNotFresh, Err: fmt.Errorf("auth_time %v, step-up asked at %v", id.AuthTime, f.Started)}
	}
	return id, nil
}

// why names what was wrong with an ID token the verifier refused, for the audit trail. It reads
// the token's claims without trusting them: the refusal stands whatever it finds.
func (o *OIDC) why(raw string, err error) string {
	if _, ok := errors.AsType[*oidc.TokenExpiredError](err); ok {
		return RefusedExpired
	}
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return RefusedToken
	}
	b, derr := base64.RawURLEncoding.DecodeString(parts[1])
	var c struct {
		Issuer   string          `json:"iss"`
		Audience json.RawMessage `json:"aud"`
	}
	if derr != nil || json.Unmarshal(b, &c) != nil {
		return RefusedToken
	}
	if c.Issuer != o.c.Issuer {
		return RefusedIssuer
	}
	var auds []string
	if json.Unmarshal(c.Audience, &auds) != nil {
		var one string
		_ = json.Unmarshal(c.Audience, &one)
		auds = []string{one}
	}
	if !slices.Contains(auds, o.c.ClientID) {
		return RefusedAudience
	}
	return RefusedToken
}

// LogoutURL is where to send a person who signed in with the provider when they sign out of the
// register, so they are signed out there too; "" when the provider has no end_session_endpoint
// (or cannot be reached), and then the register's own sign-out is all.
func (o *OIDC) LogoutURL(ctx context.Context, idToken, after string) string {
	if _, err := o.discover(ctx); err != nil {
		return ""
	}
	o.mu.Lock()
	end := o.endSess
	o.mu.Unlock()
	if end == "" {
		return ""
	}
	sep := "?"
	if strings.Contains(end, "?") {
		sep = "&"
	}
	q := make([]string, 0, 3)
	q = append(q, "client_id="+url.QueryEscape(o.c.ClientID), "post_logout_redirect_uri="+url.QueryEscape(after))
	if idToken != "" {
		q = append(q, "id_token_hint="+url.QueryEscape(idToken))
	}
	return end + sep + strings.Join(q, "&")
}
