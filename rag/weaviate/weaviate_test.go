package weaviate

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestClassNameAndIDs(t *testing.T) {
	if got := ClassName("my-news.2024"); got != "Qabot_my_news_2024" {
		t.Errorf("ClassName = %q", got)
	}
	a, b := objectID("C", "a.txt", 0), objectID("C", "a.txt", 1)
	if a == b || a != objectID("C", "a.txt", 0) || len(a) != 36 || a[14] != '5' {
		t.Errorf("ids %q %q: want stable, distinct, version-5 UUIDs", a, b)
	}
}

// Errors say what to check: the key, the URL.
func TestErrorsNameTheFix(t *testing.T) {
	for name, tt := range map[string]struct {
		handler http.HandlerFunc
		want    string
	}{
		"401":        {func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(401) }, "check weaviate.api_key"},
		"not JSON":   {func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("<html>nginx</html>")) }, "check weaviate.url"},
		"no version": {func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(`{}`)) }, "does not answer as Weaviate"},
	} {
		srv := httptest.NewServer(tt.handler)
		_, err := New(Config{URL: srv.URL, APIKey: "k-SECRET"}).Ready(context.Background())
		srv.Close()
		if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "k-SECRET") {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := New(Config{URL: "http://127.0.0.1:1"}).Ready(context.Background()); err == nil || !strings.Contains(err.Error(), "start it, or check weaviate.url") {
		t.Errorf("down: %v", err)
	}
}
