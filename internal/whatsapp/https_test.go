package whatsapp

import (
	"errors"
	"net/http"
	"strings"
	"testing"
)

type recordingTransport struct{ calls int }

func (t *recordingTransport) RoundTrip(*http.Request) (*http.Response, error) {
	t.calls++
	return &http.Response{StatusCode: 204, Body: http.NoBody}, nil
}

// TestRequireHTTPS: the guarded Graph client never sends a request (and the
// access token in it) over plain http.
func TestRequireHTTPS(t *testing.T) {
	inner := &recordingTransport{}
	c := &http.Client{Transport: RequireHTTPS(inner)}
	req, _ := http.NewRequest("POST", "http://graph.example.com/v27.0/1/messages", strings.NewReader("{}"))
	req.Header.Set("Authorization", "Bearer secret")
	if _, err := c.Do(req); !errors.Is(err, ErrForbiddenAddress) {
		t.Fatalf("plain http = %v, want ErrForbiddenAddress", err)
	}
	if inner.calls != 0 {
		t.Fatalf("plain http request reached the transport %d times", inner.calls)
	}
	req, _ = http.NewRequest("GET", "https://graph.example.com/v27.0/1", nil)
	resp, err := c.Do(req)
	if err != nil || inner.calls != 1 {
		t.Fatalf("https = %v, %d calls", err, inner.calls)
	}
	resp.Body.Close()
}
