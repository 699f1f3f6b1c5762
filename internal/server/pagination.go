package server

import "github.com/decision-register/decisions/web/components"

// pagination builds the page links: the first and last pages, the current page and its
// neighbours, and ellipses for the gaps.
func pagination(current, total int, url func(int) string) components.Pages {
	last := (total + pageSize - 1) / pageSize
	if last <= 1 {
		return components.Pages{}
	}
	var p components.Pages
	if current > 1 {
		p.Prev = url(current - 1)
	}
	if current < last {
		p.Next = url(current + 1)
	}
	prev := 0
	for _, n := range []int{1, current - 1, current, current + 1, last} {
		if n < 1 || n > last || n <= prev {
			continue
		}
		if prev != 0 && n > prev+1 {
			p.Links = append(p.Links, components.PageLink{Ellipsis: true})
		}
		p.Links = append(p.Links, components.PageLink{Number: n, URL: url(n), Current: n == current})
		prev = n
	}
	return p
}
