// Package fleet tests the register run as it is deployed when it grows: several server
// processes behind nginx (.ci/proxy), two releases side by side during a rolling deploy, and
// public reads from a streaming replica (.ci/devdb replica) that keep working while the
// primary restarts. It has no code of its own: the tests build the real binary and run it.
package fleet
