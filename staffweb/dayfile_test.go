package staffweb_test

import (
	"net/http"
	"strings"
	"testing"
)

// A clerk downloads an accepted day file from the station's page, as the
// station sent it (from the registry, whichever server accepted it); a
// day not accepted, a station not enrolled, and anyone not signed in get
// no file.
func TestDayFileDownload(t *testing.T) {
	g := serveRegion(t)
	const path = "/stations/T0001/days/2026-11-20/file"
	anon := newClient(t, g)
	if code, body := anon.get(path); code != http.StatusOK || !strings.Contains(body, `id="password"`) {
		t.Errorf("not signed in: %d, want the sign-in page:\n%.200s", code, body)
	}
	c := newClient(t, g)
	c.signin("alice", clerkPassword)
	if code, body := c.get("/stations/T0001"); code != http.StatusOK || !strings.Contains(body, `href="`+path+`"`) {
		t.Errorf("the station's page: %d, no link to %s", code, path)
	}
	req, _ := http.NewRequest("GET", g.url+path, nil)
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename="T0001-20261120.bms"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	if code, body := c.get(path); code != http.StatusOK || body != string(scenario(t, "intact-day1.bms")) {
		t.Errorf("the day's file: %d, %d bytes; want the %d bytes sent", code, len(body), len(scenario(t, "intact-day1.bms")))
	}
	for _, p := range []string{
		"/stations/T0001/days/2026-11-22/file", // held, not accepted
		"/stations/T0009/days/2026-11-20/file",
		"/stations/T0001/days/2026-13-01/file",
	} {
		if code, body := c.get(p); code != http.StatusNotFound || !strings.Contains(body, "<html") {
			t.Errorf("%s: %d, want a 404 page", p, code)
		}
	}
}
