package aibot

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestLLMAnswers drives the chat-completions client against an HTTP
// server answering like OpenAI-compatible servers do, well and badly.
func TestLLMAnswers(t *testing.T) {
	answers := map[string]struct {
		status int
		body   string
	}{
		"good":    {200, `{"choices":[{"finish_reason":"stop","message":{"role":"assistant","content":"{\"reply\":\"hi\"}"}}]}`},
		"refusal": {200, `{"choices":[{"finish_reason":"stop","message":{"role":"assistant","content":null,"refusal":"no"}}]}`},
		"filter":  {200, `{"choices":[{"finish_reason":"content_filter","message":{"role":"assistant","content":""}}]}`},
		"empty":   {200, `{"choices":[{"finish_reason":"stop","message":{"role":"assistant","content":"  "}}]}`},
		"none":    {200, `{"choices":[]}`},
		"html":    {200, `<html>proxy error</html>`},
		"500":     {500, `{"error":{"message":"overloaded"}}`},
		"slow":    {0, ""},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := answers[r.URL.Query().Get("case")]
		// Read the body, so that the server notices the client giving up.
		io.Copy(io.Discard, r.Body)
		if a.status == 0 {
			<-r.Context().Done()
			return
		}
		w.WriteHeader(a.status)
		w.Write([]byte(a.body))
	}))
	defer srv.Close()
	for name := range answers {
		l := &llm{url: srv.URL + "/v1/chat/completions?case=" + name + "&api-key=secret-in-query", model: "m", key: "sk-secret", http: srv.Client()}
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		text, err := l.complete(ctx, []chatMessage{{Role: "user", Content: "hello"}})
		cancel()
		switch name {
		case "good":
			if err != nil || text != `{"reply":"hi"}` {
				t.Errorf("good: %q, %v", text, err)
			}
		case "refusal", "filter":
			if !errors.Is(err, errRefused) {
				t.Errorf("%s: %v, want errRefused", name, err)
			}
		default:
			if err == nil || errors.Is(err, errRefused) {
				t.Errorf("%s: %q, %v; want an error", name, text, err)
			}
		}
		if err != nil && (strings.Contains(err.Error(), "secret") || strings.Contains(err.Error(), "hello")) {
			t.Errorf("%s: the error %q holds a secret or the prompt", name, err)
		}
	}
}
