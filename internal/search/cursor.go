package search

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"math"
	"time"
)

// ErrCursor means a cursor was not made by this register for this query.
var ErrCursor = errors.New("not a valid cursor")

// Cursor is where a page starts in a keyset order: the sort key of the row just before it (or,
// going back, just after it). Every order ends in the decision id, so keys never tie, and no
// part of a key is NULL: an unknown date signed is 0001-01-01 and an unknown total -1.
type Cursor struct {
	Back   bool      // the page ends before the key, for "Previous"
	Rank   float32   // relevance
	Date   time.Time // newest: the date signed, or 0001-01-01
	Number int32     // newest
	Amount int64     // amount: the total in pence, or -1
	ID     int64
}

// NoDate stands for an unknown date signed in the newest-first order.
var NoDate = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)

const cursorVersion = 1

const secondsPerDay = 24 * 60 * 60

// maxDate bounds the dates a cursor may carry.
var maxDate = time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)

var sortCodes = map[string]byte{SortRelevance: 1, SortNewest: 2, SortAmount: 3}

const macLen = 8

// EncodeCursor writes c for query q (whose Sort decides which fields count) as URL-safe
// base64. A checksum over the key and the query lets DecodeCursor refuse a cursor that was
// changed or taken from another search.
func EncodeCursor(c Cursor, q Query) string {
	b := []byte{cursorVersion, sortCodes[q.Sort], 0}
	if c.Back {
		b[2] = 1
	}
	switch q.Sort {
	case SortRelevance:
		b = binary.BigEndian.AppendUint32(b, math.Float32bits(c.Rank))
	case SortNewest:
		// Days since 1970, not a time.Duration, which overflows after 292 years.
		days := int32(c.Date.Unix() / secondsPerDay)
		b = binary.BigEndian.AppendUint32(b, uint32(days))
		b = binary.BigEndian.AppendUint32(b, uint32(c.Number))
	case SortAmount:
		b = binary.BigEndian.AppendUint64(b, uint64(c.Amount))
	}
	b = binary.BigEndian.AppendUint64(b, uint64(c.ID))
	b = append(b, mac(b, q)...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor reads a cursor made by EncodeCursor for the same query.
func DecodeCursor(s string, q Query) (Cursor, error) {
	if len(s) > 100 {
		return Cursor{}, ErrCursor
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < 3+8+macLen {
		return Cursor{}, ErrCursor
	}
	body, sum := b[:len(b)-macLen], b[len(b)-macLen:]
	if subtle.ConstantTimeCompare(sum, mac(body, q)) != 1 {
		return Cursor{}, ErrCursor
	}
	if body[0] != cursorVersion || body[1] != sortCodes[q.Sort] || body[2] > 1 {
		return Cursor{}, ErrCursor
	}
	c := Cursor{Back: body[2] == 1}
	rest := body[3:]
	want := map[string]int{SortRelevance: 4 + 8, SortNewest: 8 + 8, SortAmount: 8 + 8}[q.Sort]
	if len(rest) != want {
		return Cursor{}, ErrCursor
	}
	switch q.Sort {
	case SortRelevance:
		c.Rank = math.Float32frombits(binary.BigEndian.Uint32(rest))
		if math.IsNaN(float64(c.Rank)) || math.IsInf(float64(c.Rank), 0) {
			return Cursor{}, ErrCursor
		}
		rest = rest[4:]
	case SortNewest:
		days := int64(int32(binary.BigEndian.Uint32(rest)))
		if days < NoDate.Unix()/secondsPerDay || days > maxDate.Unix()/secondsPerDay {
			return Cursor{}, ErrCursor
		}
		c.Date = time.Unix(days*secondsPerDay, 0).UTC()
		c.Number = int32(binary.BigEndian.Uint32(rest[4:]))
		rest = rest[8:]
	case SortAmount:
		c.Amount = int64(binary.BigEndian.Uint64(rest))
		rest = rest[8:]
	}
	c.ID = int64(binary.BigEndian.Uint64(rest))
	return c, nil
}

// mac binds a cursor to its query. It is a checksum, not a secret: a cursor someone writes by
// hand can only start a page of results they could see anyway, somewhere else in the list.
func mac(body []byte, q Query) []byte {
	h := sha256.New()
	h.Write([]byte("decision-register cursor\x00"))
	h.Write([]byte(q.Values().Encode()))
	h.Write([]byte{0})
	h.Write(body)
	return h.Sum(nil)[:macLen]
}
