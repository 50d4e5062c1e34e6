package postapi

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// Client is a station's link to its post office.
type Client struct {
	URL        string             // the post office's address, e.g. https://po.example:8443
	Station    string             // the station id
	Key        ed25519.PrivateKey // the station key: signs each request
	PostOffice note.Verifier      // the post office key the station trusts: checks each answer
	HTTP       *http.Client       // nil: one with a 2-minute timeout
	Now        func() time.Time   // nil: time.Now
}

// Upload sends a day file and returns what the post office decided.
// A refused file is an Outcome with Result Refused, not an error; an
// error means no trustworthy answer came (the line, the server, or a
// forged answer), and the file should be sent again later.
func (c *Client) Upload(ctx context.Context, file []byte) (Outcome, error) {
	var out Outcome
	err := c.do(ctx, http.MethodPost, PathDays, file, &out)
	return out, err
}

// Acks returns the acknowledgements of the station's days after day
// after ("" for all), oldest first. Each is a signed note the station
// checks before keeping it.
func (c *Client) Acks(ctx context.Context, after string) ([][]byte, error) {
	var out Acks
	uri := PathAcks
	if after != "" {
		uri += "?after=" + url.QueryEscape(after)
	}
	if err := c.do(ctx, http.MethodGet, uri, nil, &out); err != nil {
		return nil, err
	}
	acks := make([][]byte, len(out.Acks))
	for i, a := range out.Acks {
		acks[i] = []byte(a)
	}
	return acks, nil
}

// Tariff returns the signed tariff issued to the station.
func (c *Client) Tariff(ctx context.Context) (Tariff, error) {
	var out Tariff
	err := c.do(ctx, http.MethodGet, PathTariff, nil, &out)
	return out, err
}

// Results returns what the post office found for the station in month
// (YYYY-MM): its statement's figures and its reconciliation exceptions.
func (c *Client) Results(ctx context.Context, month string) (Results, error) {
	var out Results
	err := c.do(ctx, http.MethodGet, PathResults+"?month="+url.QueryEscape(month), nil, &out)
	return out, err
}

// maxAnswer bounds what the client reads of an answer.
const maxAnswer = 16 << 20

func (c *Client) do(ctx context.Context, method, uri string, body []byte, out any) error {
	var nb [16]byte
	if _, err := rand.Read(nb[:]); err != nil {
		return fmt.Errorf("postapi: nonce: %w", err)
	}
	nonce := hex.EncodeToString(nb[:])
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(c.URL, "/")+uri, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("postapi: %s %s: %w", method, uri, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/octet-stream")
	}
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	Sign(req.Header, c.Key, c.Station, method, req.URL.RequestURI(), now(), nonce, body)
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 2 * time.Minute}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("postapi: %s %s: %w", method, uri, err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return fmt.Errorf("postapi: %s %s: read the answer: %w", method, uri, err)
	}
	if err := CheckResponse(resp.Header, c.PostOffice, c.Station, nonce, resp.StatusCode, answer); err != nil {
		return fmt.Errorf("postapi: %s %s (HTTP %d): %w", method, uri, resp.StatusCode, err)
	}
	if resp.StatusCode != http.StatusOK {
		var r Refusal
		if err := json.Unmarshal(answer, &r); err != nil || r.Error == nil {
			return fmt.Errorf("postapi: %s %s: HTTP %d without a reason", method, uri, resp.StatusCode)
		}
		r.Error.Status = resp.StatusCode
		return r.Error
	}
	if err := json.Unmarshal(answer, out); err != nil {
		return fmt.Errorf("postapi: %s %s: the answer does not read: %w", method, uri, err)
	}
	return nil
}
