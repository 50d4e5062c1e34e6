package staffweb_test

import (
	"io"
	"net/http"
	"net/url"
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

// FuzzDayFileRoute asks, signed in, for any station's file of any day:
// the answer is never a server error, and a file comes only for a day
// the registry accepted, exactly as sent.
func FuzzDayFileRoute(f *testing.F) {
	f.Add("T0001", "2026-11-20")
	f.Add("T0001", "2026-11-22")
	f.Add("T0002", "2026-11-20")
	f.Add("T0009", "2026-02-30")
	f.Add("..", "..")
	f.Add("T0001", "2026-11-20%2F..")
	g := serveRegion(f)
	c := newClient(f, g)
	c.signin("alice", clerkPassword)
	day1 := string(scenario(f, "intact-day1.bms"))
	if code, body := c.get("/stations/T0001/days/2026-11-20/file"); code != http.StatusOK || body != day1 {
		f.Fatalf("signed in, the accepted day's file: %d, %d bytes", code, len(body))
	}
	f.Fuzz(func(t *testing.T, station, day string) {
		u, err := url.Parse(g.url)
		if err != nil {
			t.Fatal(err)
		}
		u.Path = "/stations/" + station + "/days/" + day + "/file"
		req, err := http.NewRequest("GET", u.String(), nil)
		if err != nil {
			return // not a request a browser could send
		}
		resp, err := c.http.Do(req)
		if err != nil {
			return // refused by the HTTP layer
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Fatalf("%s: %d %s", u.Path, resp.StatusCode, body)
		}
		if resp.Header.Get("Content-Disposition") != "" {
			accepted := map[string]bool{"T0001 2026-11-20": true, "T0002 2026-11-20": true}
			if !accepted[station+" "+day] {
				t.Fatalf("%s: a file for a day not accepted", u.Path)
			}
			if station == "T0001" && string(body) != day1 {
				t.Fatalf("%s: not the file sent", u.Path)
			}
		}
	})
}
