package llm

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

// The transcription server gets the recording as it was sent, under its
// name, with the model; its text comes back. A server that fails or takes
// too long is an error, which says what to check.
func TestTranscriber(t *testing.T) {
	ogg, err := os.ReadFile("../../bot/testdata/voice.ogg")
	if err != nil {
		t.Fatal(err)
	}
	var got []byte
	var name, model string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/audio/transcriptions" {
			http.NotFound(w, r)
			return
		}
		f, h, err := r.FormFile("file")
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		got, _ = io.ReadAll(f)
		name, model = h.Filename, r.FormValue("model")
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"text":" 晋能光伏的生产线有多长 "}`)
	}))
	defer srv.Close()
	tr := NewTranscriber(ModelConfig{Setting: "transcription", BaseURL: srv.URL + "/v1", Model: "whisper-1", Timeout: 5 * time.Second})
	text, err := tr.Transcribe(t.Context(), "voice.ogg", ogg)
	if err != nil || text != "晋能光伏的生产线有多长" {
		t.Fatalf("got %q, %v", text, err)
	}
	if !bytes.Equal(got, ogg) || name != "voice.ogg" || model != "whisper-1" {
		t.Errorf("the server got %d bytes named %q for model %q", len(got), name, model)
	}

	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "overloaded", 503) }))
	defer down.Close()
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // else the server does not notice the client hang up
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer slow.Close()
	for _, url := range []string{down.URL, slow.URL} {
		tr := NewTranscriber(ModelConfig{Setting: "transcription", BaseURL: url + "/v1", Model: "whisper-1", Timeout: 300 * time.Millisecond})
		if _, err := tr.Transcribe(t.Context(), "voice.ogg", ogg); err == nil || !strings.Contains(err.Error(), "transcription") {
			t.Errorf("%s: %v", url, err)
		}
	}
}
