package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"

	"github.com/decision-register/decisions/internal/testsite"
)

// addVirtualAuthenticator gives the tab a platform authenticator through Chromium's DevTools
// WebAuthn domain: CTAP2, built in, holding passkeys, verifying its user (a fingerprint, say)
// and present at once, so the page's navigator.credentials calls are answered with no dialog.
func addVirtualAuthenticator(t *testing.T, ctx context.Context) {
	t.Helper()
	do(t, ctx, "add a virtual authenticator", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, webauthn.Enable, webauthn.EnableParams{}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, tg, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
			Options: &webauthn.VirtualAuthenticatorOptions{Protocol: webauthn.AuthenticatorProtocolCtap2, Ctap2version: webauthn.Ctap2versionCtap21,
				Transport: webauthn.AuthenticatorTransportInternal, HasResidentKey: true, HasUserVerification: true,
				IsUserVerified: true, AutomaticPresenceSimulation: true}})
		return err
	}))
}

// TestPasskeyJourney is a decision maker who adds a passkey on its page by the words there,
// signs out, signs in with their password and the passkey, and confirms with it before signing
// a decision 16 minutes later. The passkey pages go through axe-core at 1280 and 320 px and
// the Nu Html Checker.
func TestPasskeyJourney(t *testing.T) {
	t.Parallel()
	f := newSignoffFixtureWith(t, testsite.Options{LocalhostBase: true})
	base := f.BaseURL // passkeys are bound to a domain: the browser opens the site as localhost
	slug := f.awaiting(t, 9501)
	f.approve(t, slug, signoffChain...)
	dir := t.TempDir()
	var files []string
	keep := func(ctx context.Context, name string) {
		html := run(t, ctx, "the page's HTML", chromedp.Evaluate[string](`'<!DOCTYPE html>\n' + document.documentElement.outerHTML`))
		file := filepath.Join(dir, name+".html")
		if err := os.WriteFile(file, []byte(html), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, file)
	}

	dm := newTab(t)
	addVirtualAuthenticator(t, dm)
	signIn(t, dm, base, "dmpc@example.org", "/account/two-factor")
	// The one error expected is the form with a missing name, answered 422.
	stopConsole := watchConsole(t, dm, func(m chromedp.ConsoleMessage) bool {
		return strings.Contains(m.Text, "status of 422") && strings.Contains(m.URL, "/account/passkeys")
	})
	do(t, dm, "follow the link to passkeys", chromedp.Click(linkNamed("passkey")), chromedp.WaitVisible(labelled("Name of the passkey")))
	axeAtWidths(t, dm, "passkeys-none", func(int64) {
		do(t, dm, "open the passkeys page", chromedp.Navigate(base+"/account/passkeys"), chromedp.WaitVisible(labelled("Name of the passkey")))
	})
	keep(dm, "passkeys-none")
	do(t, dm, "add a passkey without a name", chromedp.Click(buttonNamed("Add a passkey")), chromedp.WaitVisible(chromedp.CSS("#name-error")))
	if got := run(t, dm, "the error", chromedp.Text(chromedp.CSS("#name-error"))); !strings.Contains(got, "Enter a name for your passkey") {
		t.Errorf("a passkey without a name: %q", got)
	}
	axeAtWidths(t, dm, "passkeys-error", func(width int64) {
		if width != 1280 {
			return // a POST's answer: the page stays as it is, narrowed
		}
	})
	keep(dm, "passkeys-error")
	do(t, dm, "name and add the passkey",
		typeText(labelled("Name of the passkey"), "Work laptop"),
		chromedp.Click(buttonNamed("Add a passkey")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="flash"]`)),
	)
	if got := run(t, dm, "the list", chromedp.Text(chromedp.CSS(`[data-testid="passkeys"] tbody`))); !strings.Contains(got, "Work laptop") {
		t.Fatalf("the passkeys listed: %q", got)
	}
	axeAtWidths(t, dm, "passkeys-one", func(int64) {
		do(t, dm, "open the passkeys page", chromedp.Navigate(base+"/account/passkeys"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="passkeys"]`)))
	})
	keep(dm, "passkeys-one")
	axeAtWidths(t, dm, "passkey-remove", func(int64) {
		do(t, dm, "open the removal", chromedp.Navigate(base+"/account/passkeys"), chromedp.Click(linkNamed("Remove Work laptop")),
			chromedp.WaitVisible(buttonNamed("Remove the passkey")))
	})
	keep(dm, "passkey-remove")
	do(t, dm, "cancel the removal and sign out", chromedp.Click(linkNamed("Cancel")), chromedp.WaitVisible(chromedp.CSS(`[data-testid="passkeys"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="sign-out"]`)), chromedp.WaitNotPresent(chromedp.CSS(`[data-testid="account"]`)))

	// The password, then the passkey.
	do(t, dm, "sign in with the password",
		chromedp.Navigate(base+"/sign-in?next=%2Fwork"),
		typeText(labelled("Email address"), "dmpc@example.org"),
		typeText(labelled("Password"), testsite.Password),
		chromedp.Click(buttonNamed("Sign in")),
		chromedp.WaitVisible(buttonNamed("Use your passkey")),
	)
	axeAtWidths(t, dm, "sign-in-passkey", func(int64) {
		do(t, dm, "open the second step", chromedp.Navigate(base+"/sign-in/code"), chromedp.WaitVisible(buttonNamed("Use your passkey")))
	})
	keep(dm, "sign-in-passkey")
	do(t, dm, "use the passkey", chromedp.Click(buttonNamed("Use your passkey")), chromedp.WaitVisible(chromedp.CSS(`[data-testid="account"]`)))
	if text := pageText(t, dm); !strings.Contains(text, "Your work") {
		t.Errorf("after the passkey: %q", text)
	}

	// 16 minutes on, signing asks to confirm first; the passkey does, and the decision is signed.
	f.Clock.Advance(16 * time.Minute)
	do(t, dm, "declare no interest, approve, publish now, sign",
		chromedp.Navigate(base+"/decisions/"+slug+"/signoff"),
		chromedp.Click(labelNamed("I have no interests to declare")),
		chromedp.Click(labelNamed("Sign and approve")),
		chromedp.Click(labelNamed("Publish now")),
		chromedp.Click(buttonNamed("Record your decision")),
		chromedp.WaitVisible(buttonNamed("Use your passkey")),
	)
	keep(dm, "confirm-passkey")
	axeAtWidths(t, dm, "confirm-passkey", func(width int64) {
		if width != 1280 {
			do(t, dm, "open the step-up", chromedp.Navigate(base+"/account/confirm?next=%2Fdecisions%2F"+slug+"%2Fsignoff"),
				chromedp.WaitVisible(buttonNamed("Use your passkey")))
		}
	})
	do(t, dm, "confirm with the passkey", chromedp.Click(buttonNamed("Use your passkey")), chromedp.WaitVisible(chromedp.CSS(`[data-testid="signer-form"]`)))
	do(t, dm, "sign again",
		chromedp.Click(labelNamed("I have no interests to declare")),
		chromedp.Click(labelNamed("Sign and approve")),
		chromedp.Click(labelNamed("Publish now")),
		chromedp.Click(buttonNamed("Record your decision")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="flash"]`)),
	)
	if got := pageText(t, dm); !strings.Contains(got, "You signed the decision. It is published.") {
		t.Errorf("after signing the page says %q", got)
	}
	var auth string
	if err := f.Pool.QueryRow(context.Background(), `SELECT detail::jsonb ->> 'auth' FROM audit_log WHERE event = 'signed' ORDER BY id DESC LIMIT 1`).Scan(&auth); err != nil || auth != "password+passkey" {
		t.Errorf("the signature records auth %q (%v), want password+passkey", auth, err)
	}
	stopConsole()
	checkHTML(t, files)
}
