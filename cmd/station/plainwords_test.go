package main

import (
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var hiddenRE = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// internalWords are what a page must never show: Go package prefixes and
// Go error text.
var internalWords = regexp.MustCompile(`\b(web|terminal|ledger|keyfile|money|bolt|json):\s|%!|no idempotency key`)

// TestScreenShowsNoInternalNames: refusals on the screen, in Chinese and
// in English, carry the screen's own words, never internal names or Go
// error text (which the server's log keeps): a cash form that lost its
// key, a withdrawal over the tariff's limit.
func TestScreenShowsNoInternalNames(t *testing.T) {
	_, srv, c, csrf := guardedScreen(t)
	check := func(what, page string) {
		t.Helper()
		text := html.UnescapeString(page)
		if m := internalWords.FindString(text); m != "" {
			t.Errorf("%s: the page shows %q", what, m)
		}
	}
	_, page := postPage(t, c, srv.URL+"/cash/move", url.Values{"csrf": {csrf}, "dir": {"in"}, "reason": {"owner"}, "amount": {"100"}})
	check("a cash form without its key", page)

	for _, lang := range []string{"zh", "en"} {
		_, page := get(t, c, srv.URL+"/")
		tok := csrfRE.FindStringSubmatch(page)
		postPage(t, c, srv.URL+"/lang", url.Values{"csrf": {tok[1]}, "lang": {lang}, "back": {"/"}})
		_, page = get(t, c, srv.URL+"/withdraw")
		form := url.Values{}
		for _, h := range hiddenRE.FindAllStringSubmatch(page, -1) {
			form.Set(h[1], html.UnescapeString(h[2]))
		}
		form.Set("card", "6228480402564890018")
		form.Set("amount", "99999")
		_, page = postPage(t, c, srv.URL+"/withdraw/check", form)
		form = url.Values{}
		for _, h := range hiddenRE.FindAllStringSubmatch(page, -1) {
			form.Set(h[1], html.UnescapeString(h[2]))
		}
		if form.Get("key") == "" {
			t.Fatalf("%s: the withdrawal was not turned to the customer:\n%s", lang, page)
		}
		form.Set("pin", "739154")
		r, page := postPage(t, c, srv.URL+"/withdraw", form)
		if loc := r.Header.Get("Location"); loc != "" {
			_, page = get(t, c, srv.URL+loc)
		}
		if !strings.Contains(page, "99999") && !strings.Contains(page, "限额") && !strings.Contains(page, "limit") {
			t.Errorf("%s: the refusal of a withdrawal over the limit does not say so:\n%s", lang, page)
		}
		check(fmt.Sprintf("a withdrawal over the limit (%s)", lang), page)
	}
}
