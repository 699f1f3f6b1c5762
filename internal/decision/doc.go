// Package decision owns the rules of a decision register that need no I/O: references and
// slugs, money in pence, UK financial years, funding totals and the shape of section text.
package decision
