package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"github.com/skip2/go-qrcode"
)

// TOTP is RFC 6238 as authenticator apps know it: 6 digits, 30-second steps, SHA-1. A code is
// accepted one step either side of now, for clocks a little apart and a person typing slowly.
var totpOpts = totp.ValidateOpts{Period: 30, Skew: 1, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// NewTOTPKey makes a secret for an authenticator app, and the otpauth:// URI its QR code holds.
func NewTOTPKey(issuer, account string) (secret, uri string, err error) {
	k, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account, Period: 30, Digits: otp.DigitsSix,
		Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return "", "", fmt.Errorf("make a TOTP secret: %w", err)
	}
	return k.Secret(), k.URL(), nil
}

// NormaliseCode is a code as typed, without the spaces, hyphens and case people add or copy.
func NormaliseCode(code string) string {
	return strings.ToUpper(strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\t' || r == '\u00a0' {
			return -1
		}
		return r
	}, code))
}

// TOTPStep checks a code against secret at now and returns the time step it belongs to, so the
// caller can refuse a step already used (a code seen over someone's shoulder, or replayed).
func TOTPStep(secret, code string, now time.Time) (int64, bool) {
	code = NormaliseCode(code)
	if len(code) != 6 {
		return 0, false
	}
	if _, err := strconv.Atoi(code); err != nil {
		return 0, false
	}
	now = now.UTC()
	step := now.Unix() / int64(totpOpts.Period)
	for skew := int64(-1); skew <= 1; skew++ {
		at := time.Unix((step+skew)*int64(totpOpts.Period), 0)
		want, err := totp.GenerateCodeCustom(secret, at, totpOpts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step + skew, true
		}
	}
	return 0, false
}

// TOTPCode is the code for secret at t, for tests and for nothing else.
func TOTPCode(secret string, t time.Time) (string, error) {
	return totp.GenerateCodeCustom(secret, t, totpOpts)
}

// RecoveryCodes is how many one-time recovery codes a person gets.
const RecoveryCodes = 10

// NewRecoveryCodes makes the one-time codes a person keeps for when their app is lost, and the
// SHA-256 of each as stored: 80 random bits each, so a plain hash cannot be reversed or guessed.
func NewRecoveryCodes() (codes, hashes []string) {
	for range RecoveryCodes {
		c := rand.Text()[:16]
		codes = append(codes, c[:4]+"-"+c[4:8]+"-"+c[8:12]+"-"+c[12:])
		hashes = append(hashes, HashRecoveryCode(c))
	}
	return codes, hashes
}

// HashRecoveryCode is a recovery code as stored, whatever spaces, hyphens or case it was typed in.
func HashRecoveryCode(code string) string {
	sum := sha256.Sum256([]byte(NormaliseCode(code)))
	return hex.EncodeToString(sum[:])
}

// QRPath draws uri as a QR code: the side of its square in modules (the quiet zone included)
// and an SVG path of its dark modules, for a page to draw inline (no image to fetch, nothing
// the Content-Security-Policy need allow).
func QRPath(uri string) (int, string, error) {
	q, err := qrcode.New(uri, qrcode.Medium)
	if err != nil {
		return 0, "", fmt.Errorf("draw QR code: %w", err)
	}
	bits := q.Bitmap()
	var b strings.Builder
	for y, row := range bits {
		for x, dark := range row {
			if dark {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x, y)
			}
		}
	}
	return len(bits), b.String(), nil
}
