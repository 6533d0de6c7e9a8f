package whatsapp

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"sync/atomic"
	"testing"
)

// mediaServer is a TLS server that serves payload under /media with the
// bearer token and counts requests.
type mediaServer struct {
	*httptest.Server
	hits atomic.Int32
	auth atomic.Value // last Authorization header
}

func newMediaServer(t *testing.T, payload []byte, extra func(w http.ResponseWriter, r *http.Request) bool) *mediaServer {
	t.Helper()
	ms := &mediaServer{}
	ms.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ms.hits.Add(1)
		ms.auth.Store(r.Header.Get("Authorization"))
		if extra != nil && extra(w, r) {
			return
		}
		if r.Header.Get("Authorization") != "Bearer "+testToken {
			writeJSON(w, 401, `{"error":{"message":"Invalid OAuth access token","type":"OAuthException","code":190}}`)
			return
		}
		w.Header().Set("Content-Type", "image/jpeg")
		w.Write(payload)
	}))
	t.Cleanup(ms.Close)
	return ms
}

// urlWithHost rewrites the server URL to use host (keeping the port), so
// tests can address the same loopback server by different names.
func urlWithHost(t *testing.T, raw, host, path string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = host + ":" + u.Port()
	u.Path = path
	u.RawQuery = "mid=1013859600285441&ext=1739321024&hash=ATu"
	return u.String()
}

func TestDownloadMediaAllowPrivate(t *testing.T) {
	payload := bytes.Repeat([]byte("jpeg"), 1000)
	ms := newMediaServer(t, payload, nil)
	c := &Client{BaseURL: ms.URL, HTTPClient: ms.Client(), AllowPrivate: true}
	var buf bytes.Buffer
	n, err := c.DownloadMedia(context.Background(), testToken, ms.URL+"/media?mid=1", int64(len(payload)), &buf)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(len(payload)) || !bytes.Equal(buf.Bytes(), payload) {
		t.Errorf("downloaded %d bytes", n)
	}
	if got := ms.auth.Load(); got != "Bearer "+testToken {
		t.Errorf("Authorization = %v", got)
	}
}

func TestDownloadMediaPolicy(t *testing.T) {
	payload := []byte("media")
	tests := []struct {
		name     string
		client   func(ms *mediaServer) *Client
		url      func(ms *mediaServer) string
		want     error
		wantHits int32
	}{
		{
			name: "loopback refused at dial time",
			client: func(ms *mediaServer) *Client {
				return &Client{HTTPClient: ms.Client(), MediaHosts: []string{"127.0.0.1"}}
			},
			url:      func(ms *mediaServer) string { return ms.URL + "/media" },
			want:     ErrForbiddenAddress,
			wantHits: 0,
		},
		{
			// An allowed name that resolves to a private address (the DNS
			// rebinding shape) is caught after resolution, not by name.
			name: "allowed name resolving to loopback refused",
			client: func(ms *mediaServer) *Client {
				return &Client{HTTPClient: ms.Client(), MediaHosts: []string{"localhost"}}
			},
			url:      func(ms *mediaServer) string { return urlWithHost(t, ms.URL, "localhost", "/media") },
			want:     ErrForbiddenAddress,
			wantHits: 0,
		},
		{
			name:     "graph host is private too",
			client:   func(ms *mediaServer) *Client { return &Client{BaseURL: ms.URL, HTTPClient: ms.Client()} },
			url:      func(ms *mediaServer) string { return ms.URL + "/media" },
			want:     ErrForbiddenAddress,
			wantHits: 0,
		},
		{
			name:     "host not on allow-list",
			client:   func(ms *mediaServer) *Client { return &Client{HTTPClient: ms.Client(), AllowPrivate: true} },
			url:      func(ms *mediaServer) string { return ms.URL + "/media" },
			want:     ErrMediaURLRefused,
			wantHits: 0,
		},
		{
			name:     "plain http refused without AllowPrivate",
			client:   func(ms *mediaServer) *Client { return &Client{} },
			url:      func(ms *mediaServer) string { return "http://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1" },
			want:     ErrMediaURLRefused,
			wantHits: 0,
		},
		{
			name:     "userinfo refused",
			client:   func(ms *mediaServer) *Client { return &Client{} },
			url:      func(ms *mediaServer) string { return "https://x@lookaside.fbsbx.com/a" },
			want:     ErrMediaURLRefused,
			wantHits: 0,
		},
		{
			name:     "other scheme refused",
			client:   func(ms *mediaServer) *Client { return &Client{AllowPrivate: true} },
			url:      func(ms *mediaServer) string { return "file:///etc/passwd" },
			want:     ErrMediaURLRefused,
			wantHits: 0,
		},
		{
			name: "custom round tripper cannot be guarded",
			client: func(ms *mediaServer) *Client {
				return &Client{HTTPClient: &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) {
					return nil, errors.New("must not be called")
				})}}
			},
			url:      func(ms *mediaServer) string { return "https://lookaside.fbsbx.com/a" },
			want:     ErrInvalid,
			wantHits: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms := newMediaServer(t, payload, nil)
			var buf bytes.Buffer
			_, err := tt.client(ms).DownloadMedia(context.Background(), testToken, tt.url(ms), 1<<20, &buf)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if Classify(err) != Permanent {
				t.Errorf("Classify = %v, want permanent", Classify(err))
			}
			if got := ms.hits.Load(); got != tt.wantHits {
				t.Errorf("server saw %d requests, want %d", got, tt.wantHits)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes", buf.Len())
			}
		})
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestDownloadMediaRedirects(t *testing.T) {
	payload := []byte("media-after-redirect")
	other := newMediaServer(t, payload, nil)
	ms := newMediaServer(t, payload, func(w http.ResponseWriter, r *http.Request) bool {
		switch r.URL.Path {
		case "/to-other-host":
			http.Redirect(w, r, urlWithHost(t, other.URL, "localhost", "/media"), http.StatusFound)
			return true
		case "/to-evil":
			http.Redirect(w, r, "https://evil.example.com/steal", http.StatusFound)
			return true
		case "/to-same-host":
			http.Redirect(w, r, "/media", http.StatusFound)
			return true
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
			return true
		}
		return false
	})
	c := &Client{BaseURL: ms.URL, HTTPClient: ms.Client(), AllowPrivate: true, MediaHosts: []string{"localhost"}}

	for _, path := range []string{"/to-other-host", "/to-evil", "/loop"} {
		t.Run(path, func(t *testing.T) {
			var buf bytes.Buffer
			_, err := c.DownloadMedia(context.Background(), testToken, ms.URL+path, 1<<20, &buf)
			if !errors.Is(err, ErrMediaURLRefused) || Classify(err) != Permanent {
				t.Fatalf("err = %v, want ErrMediaURLRefused", err)
			}
			if other.hits.Load() != 0 {
				t.Error("redirect target was contacted")
			}
		})
	}
	t.Run("same host", func(t *testing.T) {
		var buf bytes.Buffer
		if _, err := c.DownloadMedia(context.Background(), testToken, ms.URL+"/to-same-host", 1<<20, &buf); err != nil {
			t.Fatal(err)
		}
		if buf.String() != string(payload) || ms.auth.Load() != "Bearer "+testToken {
			t.Errorf("got %q, auth %v", buf.String(), ms.auth.Load())
		}
	})
}

func TestDownloadMediaLimits(t *testing.T) {
	payload := bytes.Repeat([]byte("x"), 4096)
	ms := newMediaServer(t, payload, func(w http.ResponseWriter, r *http.Request) bool {
		switch r.URL.Path {
		case "/chunked":
			// No Content-Length: the limit must hold while streaming.
			w.Write(payload[:2048])
			w.(http.Flusher).Flush()
			w.Write(payload[2048:])
			return true
		case "/sized":
			w.Header().Set("Content-Length", strconv.Itoa(len(payload)))
			w.Write(payload)
			return true
		case "/gone":
			writeJSON(w, 404, `{"error":{"message":"Unsupported get request.","type":"GraphMethodException","code":100,"error_subcode":33}}`)
			return true
		}
		return false
	})
	c := &Client{BaseURL: ms.URL, HTTPClient: ms.Client(), AllowPrivate: true}
	ctx := context.Background()

	var buf bytes.Buffer
	if _, err := c.DownloadMedia(ctx, testToken, ms.URL+"/sized", 100, &buf); !errors.Is(err, ErrMediaTooLarge) || buf.Len() != 0 {
		t.Errorf("content-length over limit: err %v, wrote %d", err, buf.Len())
	}
	buf.Reset()
	n, err := c.DownloadMedia(ctx, testToken, ms.URL+"/chunked", 3000, &buf)
	if !errors.Is(err, ErrMediaTooLarge) || n != 3000 {
		t.Errorf("streamed over limit: n %d err %v", n, err)
	}
	buf.Reset()
	if n, err := c.DownloadMedia(ctx, testToken, ms.URL+"/chunked", int64(len(payload)), &buf); err != nil || n != int64(len(payload)) {
		t.Errorf("exactly at limit: n %d err %v", n, err)
	}
	var ae *APIError
	if _, err := c.DownloadMedia(ctx, testToken, ms.URL+"/gone", 100, io.Discard); !errors.As(err, &ae) || ae.HTTPStatus != 404 || ae.Code != 100 {
		t.Errorf("404: %v", err)
	}
	if _, err := c.DownloadMedia(ctx, "wrong", ms.URL+"/media", 1<<20, io.Discard); !errors.As(err, &ae) || ae.Code != CodeTokenExpired {
		t.Errorf("bad token: %v", err)
	}
	if _, err := c.DownloadMedia(ctx, testToken, ms.URL+"/media", 0, io.Discard); !errors.Is(err, ErrInvalid) {
		t.Errorf("zero limit: %v", err)
	}
}

func TestPublicAddr(t *testing.T) {
	tests := map[string]bool{
		"157.240.0.35":                       true, // a Meta address
		"2a03:2880:f12f:83:face:b00c:0:25de": true,
		"127.0.0.1":                          false,
		"::1":                                false,
		"10.1.2.3":                           false,
		"172.16.0.1":                         false,
		"192.168.1.1":                        false,
		"169.254.169.254":                    false, // cloud metadata
		"fe80::1":                            false,
		"fd00::1":                            false,
		"0.0.0.0":                            false,
		"::":                                 false,
		"100.64.0.1":                         false,
		"224.0.0.1":                          false,
		"255.255.255.255":                    false,
		"::ffff:127.0.0.1":                   false,
		"::ffff:10.0.0.1":                    false,
		"64:ff9b::a00:1":                     false,
		"2002:a00:1::":                       false,
		"198.18.0.1":                         false,
	}
	for s, want := range tests {
		if got := publicAddr(netip.MustParseAddr(s)); got != want {
			t.Errorf("publicAddr(%s) = %v, want %v", s, got, want)
		}
	}
	if err := guardDial("tcp", "10.0.0.1:443", nil); !errors.Is(err, ErrForbiddenAddress) {
		t.Errorf("guardDial private: %v", err)
	}
	if err := guardDial("tcp", "157.240.0.35:443", nil); err != nil {
		t.Errorf("guardDial public: %v", err)
	}
	if err := guardDial("tcp", "not-an-address", nil); !errors.Is(err, ErrForbiddenAddress) {
		t.Errorf("guardDial garbage: %v", err)
	}
}
