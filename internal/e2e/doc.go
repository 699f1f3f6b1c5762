// Package e2e owns the end-to-end tests: real journeys in headless Chromium against the real
// server and a real PostgreSQL, with accessibility (axe-core), HTML validity (Nu Html
// Checker), keyboard, narrow-screen and print checks, and the README's screenshots.
package e2e
