// Package weaviate is a small typed client of Weaviate's REST and GraphQL
// API: the few calls qabot needs to keep a collection's passages in a
// Weaviate class and search them (hybrid: BM25 over Chinese words, gse_ch,
// and qabot's own vectors). Errors name what to check.
package weaviate

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/qabot/qabot/rag/index"
	"github.com/qabot/qabot/rag/terms"
)

// Config says how to reach Weaviate and how to write to it.
type Config struct {
	URL    string // e.g. http://127.0.0.1:8080
	APIKey string
	// Consistency is the consistency level of writes: ONE, QUORUM or ALL.
	Consistency string
	// Replication is the replication factor of classes this client creates.
	Replication int
	Timeout     time.Duration
}

// Client talks to one Weaviate server (or cluster).
type Client struct {
	cfg  Config
	http *http.Client
}

// New returns a client for cfg.
func New(cfg Config) *Client {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.Consistency == "" {
		cfg.Consistency = "QUORUM"
	}
	if cfg.Replication <= 0 {
		cfg.Replication = 1
	}
	cfg.URL = strings.TrimRight(cfg.URL, "/")
	return &Client{cfg: cfg, http: &http.Client{Timeout: cfg.Timeout}}
}

// Object is one passage as stored.
type Object struct {
	Doc    string
	Index  int
	Hash   string // of the article the passage belongs to
	Text   string
	Vector []float32
}

// Hit is a passage found by a search.
type Hit struct {
	Doc   string
	Index int
	Score float64
}

// invalidClassChars are the characters a class name cannot hold.
var invalidClassChars = regexp.MustCompile(`[^A-Za-z0-9_]`)

// ClassName is the Weaviate class of a qabot collection: Qabot_NAME, with
// characters a class name cannot hold replaced.
func ClassName(collection string) string {
	return "Qabot_" + invalidClassChars.ReplaceAllString(collection, "_")
}

// Ready checks that the server is up and answers as Weaviate, and returns
// its version.
func (c *Client) Ready(ctx context.Context) (string, error) {
	var meta struct {
		Version string `json:"version"`
	}
	if err := c.do(ctx, http.MethodGet, "/v1/meta", nil, &meta); err != nil {
		return "", err
	}
	if meta.Version == "" {
		return "", fmt.Errorf("%s does not answer as Weaviate: check weaviate.url", c.cfg.URL)
	}
	return meta.Version, nil
}

// EnsureClass creates the class of a collection when it does not exist:
// no vectorizer (qabot sends vectors), cosine distance, the passage text
// tokenized as Chinese words (gse_ch), and the configured replication.
func (c *Client) EnsureClass(ctx context.Context, class string) error {
	err := c.do(ctx, http.MethodGet, "/v1/schema/"+url.PathEscape(class), nil, nil)
	var se *StatusError
	if err == nil || !errors.As(err, &se) || se.Code != http.StatusNotFound {
		return err
	}
	schema := map[string]any{
		"class": class, "vectorizer": "none",
		"vectorIndexConfig": map[string]any{"distance": "cosine"},
		"replicationConfig": map[string]any{"factor": c.cfg.Replication},
		"properties": []map[string]any{
			{"name": "doc", "dataType": []string{"text"}, "tokenization": "field"},
			{"name": "idx", "dataType": []string{"int"}},
			{"name": "hash", "dataType": []string{"text"}, "tokenization": "field"},
			{"name": "text", "dataType": []string{"text"}, "tokenization": "gse_ch"},
		},
	}
	err = c.do(ctx, http.MethodPost, "/v1/schema", schema, nil)
	if err != nil && strings.Contains(err.Error(), "gse") {
		return fmt.Errorf("%w (start Weaviate with ENABLE_TOKENIZER_GSE_CH=true)", err)
	}
	return err
}

// Put stores objects in class, replacing those with the same doc and
// index, in batches.
func (c *Client) Put(ctx context.Context, class string, objects []Object) error {
	const batch = 200
	for start := 0; start < len(objects); start += batch {
		var body struct {
			Objects []map[string]any `json:"objects"`
		}
		for _, o := range objects[start:min(start+batch, len(objects))] {
			body.Objects = append(body.Objects, map[string]any{
				"class": class, "id": objectID(class, o.Doc, o.Index), "vector": o.Vector,
				"properties": map[string]any{"doc": o.Doc, "idx": o.Index, "hash": o.Hash, "text": o.Text},
			})
		}
		var results []struct {
			Result struct {
				Errors *struct {
					Error []struct {
						Message string `json:"message"`
					} `json:"error"`
				} `json:"errors"`
			} `json:"result"`
		}
		if err := c.do(ctx, http.MethodPost, "/v1/batch/objects?consistency_level="+c.cfg.Consistency, body, &results); err != nil {
			return err
		}
		for _, r := range results {
			if r.Result.Errors != nil && len(r.Result.Errors.Error) > 0 {
				return fmt.Errorf("weaviate refused a passage: %s", r.Result.Errors.Error[0].Message)
			}
		}
	}
	return nil
}

// DeleteDoc removes the passages of one article from class.
func (c *Client) DeleteDoc(ctx context.Context, class, doc string) error {
	body := map[string]any{"match": map[string]any{"class": class,
		"where": map[string]any{"path": []string{"doc"}, "operator": "Equal", "valueText": doc}}, "output": "minimal"}
	return c.do(ctx, http.MethodDelete, "/v1/batch/objects?consistency_level="+c.cfg.Consistency, body, nil)
}

// Hybrid searches class with BM25 over query and the vector, fused with
// weight alpha on the vector, and returns up to limit passages, best
// first.
func (c *Client) Hybrid(ctx context.Context, class, query string, vector []float32, alpha float64, limit int) ([]Hit, error) {
	q, _ := json.Marshal(query)
	vec, _ := json.Marshal(vector)
	gql := fmt.Sprintf(`{ Get { %s(hybrid: {query: %s, vector: %s, alpha: %g}, limit: %d) { doc idx _additional { score } } } }`,
		class, q, vec, alpha, limit)
	var resp struct {
		Data struct {
			Get map[string][]struct {
				Doc        string `json:"doc"`
				Idx        int    `json:"idx"`
				Additional struct {
					Score string `json:"score"`
				} `json:"_additional"`
			} `json:"Get"`
		} `json:"data"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if err := c.do(ctx, http.MethodPost, "/v1/graphql", map[string]string{"query": gql}, &resp); err != nil {
		return nil, err
	}
	if len(resp.Errors) > 0 {
		return nil, fmt.Errorf("weaviate search: %s", resp.Errors[0].Message)
	}
	var out []Hit
	for _, r := range resp.Data.Get[class] {
		score, _ := strconv.ParseFloat(r.Additional.Score, 64)
		out = append(out, Hit{Doc: r.Doc, Index: r.Idx, Score: score})
	}
	return out, nil
}

// Count is the number of passages in class.
func (c *Client) Count(ctx context.Context, class string) (int, error) {
	gql := fmt.Sprintf(`{ Aggregate { %s { meta { count } } } }`, class)
	var resp struct {
		Data struct {
			Aggregate map[string][]struct {
				Meta struct {
					Count int `json:"count"`
				} `json:"meta"`
			} `json:"Aggregate"`
		} `json:"data"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if err := c.do(ctx, http.MethodPost, "/v1/graphql", map[string]string{"query": gql}, &resp); err != nil {
		return 0, err
	}
	if len(resp.Errors) > 0 {
		return 0, fmt.Errorf("weaviate count: %s", resp.Errors[0].Message)
	}
	if rows := resp.Data.Aggregate[class]; len(rows) > 0 {
		return rows[0].Meta.Count, nil
	}
	return 0, nil
}

// objectID is a passage's UUID, derived from class, article and position
// (a version-5-style UUID), so that writing a passage again replaces it.
func objectID(class, doc string, index int) string {
	sum := sha1.Sum([]byte(class + "\x00" + doc + "\x00" + strconv.Itoa(index)))
	sum[6] = sum[6]&0x0f | 0x50
	sum[8] = sum[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", sum[0:4], sum[4:6], sum[6:8], sum[8:10], sum[10:16])
}

// StatusError is an HTTP error answer from Weaviate.
type StatusError struct {
	Code int
	Msg  string
}

func (e *StatusError) Error() string { return e.Msg }

// do sends a request with a JSON body (when body is not nil) and decodes a
// JSON answer into out (when out is not nil).
func (c *Client) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.cfg.URL+path, rd)
	if err != nil {
		return fmt.Errorf("weaviate.url %q: %w", c.cfg.URL, err)
	}
	req.Header.Set("Content-Type", "application/json")
	if c.cfg.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.cfg.APIKey)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return c.explain(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("weaviate at %s: %w", c.cfg.URL, err)
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return &StatusError{resp.StatusCode, fmt.Sprintf("weaviate at %s refused the request (HTTP %d): check weaviate.api_key", c.cfg.URL, resp.StatusCode)}
	case resp.StatusCode >= 300:
		return &StatusError{resp.StatusCode, fmt.Sprintf("weaviate at %s: HTTP %d: %s", c.cfg.URL, resp.StatusCode, shorten(string(raw)))}
	}
	if out == nil || len(raw) == 0 {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s does not answer as Weaviate (%v): check weaviate.url", c.cfg.URL, err)
	}
	return nil
}

// explain words a failure to reach the server.
func (c *Client) explain(err error) error {
	var netErr *net.OpError
	var dnsErr *net.DNSError
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled):
		return err
	case errors.As(err, &dnsErr):
		return fmt.Errorf("cannot find the host of weaviate.url %s: check the address", c.cfg.URL)
	case errors.As(err, &netErr):
		return fmt.Errorf("cannot connect to Weaviate at %s: start it, or check weaviate.url", c.cfg.URL)
	}
	return fmt.Errorf("weaviate at %s: %w", c.cfg.URL, err)
}

func shorten(s string) string {
	if r := []rune(strings.TrimSpace(s)); len(r) > 200 {
		return string(r[:200]) + "…"
	}
	return strings.TrimSpace(s)
}

// Index is a collection's passages in one Weaviate class: a rag.RemoteIndex.
type Index struct {
	Client *Client
	Class  string
	// Alpha weighs the vector half of the hybrid search against BM25.
	Alpha float64
}

// Upsert stores articles' passages with their vectors, in batches.
func (x *Index) Upsert(ctx context.Context, articles []index.RemoteArticle) error {
	var objects []Object
	for _, a := range articles {
		for i, c := range a.Chunks {
			objects = append(objects, Object{Doc: a.Doc, Index: c.Index, Hash: a.Hash, Text: terms.Fold(c.Text), Vector: a.Vectors[i]})
		}
	}
	return x.Client.Put(ctx, x.Class, objects)
}

// Delete removes an article's passages.
func (x *Index) Delete(ctx context.Context, doc string) error {
	return x.Client.DeleteDoc(ctx, x.Class, doc)
}

// Search runs a hybrid search for the (folded) question and its vector.
func (x *Index) Search(ctx context.Context, question string, vector []float32, n int) ([]index.PassageRef, error) {
	hits, err := x.Client.Hybrid(ctx, x.Class, question, vector, x.Alpha, n)
	if err != nil {
		return nil, err
	}
	out := make([]index.PassageRef, len(hits))
	for i, h := range hits {
		out[i] = index.PassageRef{Doc: h.Doc, Index: h.Index}
	}
	return out, nil
}
