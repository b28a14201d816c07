package bot

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// pollGate is the transport of the bot's HTTP client. go-telegram retries a
// failed getUpdates after its own backoff (100 ms to 5 s) and ignores
// retry_after, so a Bot API that answers 429 would be polled again at once;
// pollGate holds the next getUpdates until retry_after has passed. Other
// methods go straight through: call honours their retry_after per chat.
type pollGate struct {
	next http.RoundTripper

	mu        sync.Mutex
	notBefore time.Time
}

// maxPollBody bounds how much of a 429's body is read for retry_after.
const maxPollBody = 64 << 10

func (g *pollGate) RoundTrip(req *http.Request) (*http.Response, error) {
	if !strings.HasSuffix(req.URL.Path, "/getUpdates") {
		return g.next.RoundTrip(req)
	}
	g.mu.Lock()
	wait := time.Until(g.notBefore)
	g.mu.Unlock()
	if wait > 0 {
		timer := time.NewTimer(wait)
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-req.Context().Done():
			return nil, req.Context().Err()
		}
	}
	resp, err := g.next.RoundTrip(req)
	if err != nil || resp.StatusCode != http.StatusTooManyRequests {
		return resp, err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxPollBody))
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body)) // the library reads the error from it
	var reply struct {
		Parameters struct {
			RetryAfter int `json:"retry_after"`
		} `json:"parameters"`
	}
	if json.Unmarshal(body, &reply) == nil && reply.Parameters.RetryAfter > 0 {
		g.mu.Lock()
		g.notBefore = time.Now().Add(time.Duration(reply.Parameters.RetryAfter) * time.Second)
		g.mu.Unlock()
	}
	return resp, nil
}
