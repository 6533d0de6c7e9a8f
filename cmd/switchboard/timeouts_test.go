package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestSlowBodyTimeouts: clients that send a login or webhook body slowly
// are cut off after the short body timeout, while an upload started before it, and
// still unfinished when the login connection was closed, completes (201)
// under the longer upload timeout (finding 19 of issue 14).
func TestSlowBodyTimeouts(t *testing.T) {
	a := startApp(t, nil, func(a *App) {
		a.BodyTimeout = 300 * time.Millisecond
		a.UploadTimeout = 2 * time.Minute
	})
	admin := a.setupAdmin()
	ch := a.channel("Timeouts")
	conv := a.customerWrites(ch.ID, "4915100000019", "Slow Sam", "hello")
	host := strings.TrimPrefix(a.URL, "http://")

	dial := func() net.Conn {
		c, err := net.Dial("tcp", host)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		// A safety net only: the server must act long before this.
		_ = c.SetReadDeadline(time.Now().Add(60 * time.Second))
		return c
	}

	// The upload: headers and the first half of the body, the rest later.
	const boundary = "sbtimeouts"
	body := "--" + boundary + "\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\ndocument\r\n" +
		"--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"notes.txt\"\r\nContent-Type: text/plain\r\n\r\n" +
		strings.Repeat("slow upload line\n", 200) + "\r\n--" + boundary + "--\r\n"
	up := dial()
	fmt.Fprintf(up, "POST /api/v1/conversations/%s/media HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: multipart/form-data; boundary=%s\r\nContent-Length: %d\r\n\r\n",
		conv.ID, host, admin.token, boundary, len(body))
	half := len(body) / 2
	if _, err := io.WriteString(up, body[:half]); err != nil {
		t.Fatal(err)
	}

	// The login: headers and a few bytes of a 100-byte body, then nothing.
	login := dial()
	fmt.Fprintf(login, "POST /api/v1/session HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"login\":\"ad", host)
	hook := dial()
	fmt.Fprintf(hook, "POST /webhooks/whatsapp HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nX-Hub-Signature-256: sha256=00\r\nContent-Length: 5000\r\n\r\n{\"object\":", host)
	if _, err := io.ReadAll(login); err != nil {
		t.Fatalf("the slow login body was not cut off: %v", err)
	}
	if _, err := io.ReadAll(hook); err != nil {
		t.Fatalf("the slow webhook body was not cut off: %v", err)
	}

	// The login connection is closed; the upload, begun earlier, goes on.
	if _, err := io.WriteString(up, body[half:]); err != nil {
		t.Fatalf("upload connection closed with the short timeout: %v", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(up), nil)
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("upload: %d %s, want 201", resp.StatusCode, b)
	}
}
