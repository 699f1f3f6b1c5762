// Command cursor prints the opaque cursor of the list page that starts after one decision, for
// .ci/loadrun: walking 5,000 pages to reach the deep one would measure the walk, not the page.
//
//	go run ./.ci/cursor DATE NUMBER ID [QUERY]
//
// DATE is the decision's date signed (YYYY-MM-DD, 0001-01-01 when unknown), NUMBER and ID its
// number and id; QUERY the page's other parameters ("fy=2021-22"), newest first.
package main

import (
	"fmt"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/decision-register/decisions/internal/search"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "cursor:", err)
		os.Exit(2)
	}
}

func run(args []string) error {
	if len(args) < 3 || len(args) > 4 {
		return fmt.Errorf("usage: cursor DATE NUMBER ID [QUERY]")
	}
	date, err := time.Parse(time.DateOnly, args[0])
	if err != nil {
		return err
	}
	number, err := strconv.ParseInt(args[1], 10, 32)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(args[2], 10, 64)
	if err != nil {
		return err
	}
	v := url.Values{}
	if len(args) == 4 {
		if v, err = url.ParseQuery(args[3]); err != nil {
			return err
		}
	}
	v.Set("sort", search.SortNewest)
	q, err := search.Parse(search.ParamsOf(v), false)
	if err != nil {
		return err
	}
	fmt.Println(search.EncodeCursor(search.Cursor{Date: date, Number: int32(number), ID: id}, q))
	return nil
}
