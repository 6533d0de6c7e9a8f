package api

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func TestSPACompressionAndCaching(t *testing.T) {
	js := strings.Repeat("console.log('switchboard');\n", 200)
	index := "<!doctype html><title>Switchboard</title>" + strings.Repeat("<!-- padding -->", 100)
	assets := fstest.MapFS{
		"index.html":           {Data: []byte(index)},
		"favicon.svg":          {Data: []byte("<svg xmlns='http://www.w3.org/2000/svg'>" + strings.Repeat("<g/>", 100) + "</svg>")},
		"assets/index-Ab12.js": {Data: []byte(js)},
		"assets/logo-Cd34.png": {Data: bytes.Repeat([]byte{0x89}, 2000)},
		"assets/tiny-Ef56.css": {Data: []byte("a{}")},
		// The web build writes a Brotli copy beside a file; the server sends
		// it as it is (these bytes stand in for it).
		"assets/app-Gh78.js":    {Data: []byte(js)},
		"assets/app-Gh78.js.br": {Data: []byte("brotli bytes of app-Gh78.js")},
		"index.html.br":         {Data: []byte("brotli bytes of index.html")},
	}
	h := (&Server{Assets: assets}).spa()
	get := func(method, path, accept, rng string) *http.Response {
		t.Helper()
		r := httptest.NewRequest(method, path, nil)
		if accept != "" {
			r.Header.Set("Accept-Encoding", accept)
		}
		if rng != "" {
			r.Header.Set("Range", rng)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Result()
	}
	body := func(resp *http.Response) string {
		t.Helper()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		if resp.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if b, err = io.ReadAll(zr); err != nil {
				t.Fatal(err)
			}
		}
		return string(b)
	}

	tests := []struct {
		name, method, path, accept, rng   string
		wantEncoding, wantCache, wantBody string
		wantType                          string
	}{
		{"hashed JS, gzip accepted", "GET", "/assets/index-Ab12.js", "gzip, deflate, br", "", "gzip", "public, max-age=31536000, immutable", js, "text/javascript; charset=utf-8"},
		{"hashed JS, identity only", "GET", "/assets/index-Ab12.js", "", "", "", "public, max-age=31536000, immutable", js, "text/javascript; charset=utf-8"},
		{"hashed JS, gzip refused", "GET", "/assets/index-Ab12.js", "gzip;q=0, br", "", "", "public, max-age=31536000, immutable", js, "text/javascript; charset=utf-8"},
		{"hashed JS, range", "GET", "/assets/index-Ab12.js", "gzip", "bytes=0-9", "", "public, max-age=31536000, immutable", js[:10], "text/javascript; charset=utf-8"},
		{"index.html is never cached for good", "GET", "/", "gzip", "", "gzip", "no-cache", index, "text/html; charset=utf-8"},
		{"an app route gets index.html", "GET", "/conversations/abc", "gzip", "", "gzip", "no-cache", index, "text/html; charset=utf-8"},
		{"unhashed favicon", "GET", "/favicon.svg", "gzip", "", "gzip", "no-cache", "", "image/svg+xml"},
		{"PNG is not recompressed", "GET", "/assets/logo-Cd34.png", "gzip", "", "", "public, max-age=31536000, immutable", "", "image/png"},
		{"a file that would grow stays plain", "GET", "/assets/tiny-Ef56.css", "gzip", "", "", "public, max-age=31536000, immutable", "a{}", "text/css; charset=utf-8"},
		{"HEAD", "HEAD", "/assets/index-Ab12.js", "gzip", "", "gzip", "public, max-age=31536000, immutable", "", "text/javascript; charset=utf-8"},
		{"Brotli copy, br accepted", "GET", "/assets/app-Gh78.js", "gzip, deflate, br", "", "br", "public, max-age=31536000, immutable", "brotli bytes of app-Gh78.js", "text/javascript; charset=utf-8"},
		{"Brotli copy, any coding", "GET", "/assets/app-Gh78.js", "*", "", "br", "public, max-age=31536000, immutable", "brotli bytes of app-Gh78.js", "text/javascript; charset=utf-8"},
		{"Brotli copy, br refused", "GET", "/assets/app-Gh78.js", "br;q=0, gzip", "", "gzip", "public, max-age=31536000, immutable", js, "text/javascript; charset=utf-8"},
		{"Brotli copy, gzip only", "GET", "/assets/app-Gh78.js", "gzip", "", "gzip", "public, max-age=31536000, immutable", js, "text/javascript; charset=utf-8"},
		{"Brotli copy, range", "GET", "/assets/app-Gh78.js", "br", "bytes=0-9", "", "public, max-age=31536000, immutable", js[:10], "text/javascript; charset=utf-8"},
		{"index.html in Brotli for an app route", "GET", "/inbox", "br", "", "br", "no-cache", "brotli bytes of index.html", "text/html; charset=utf-8"},
		{"Brotli HEAD", "HEAD", "/assets/app-Gh78.js", "br", "", "br", "public, max-age=31536000, immutable", "", "text/javascript; charset=utf-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 2 { // the second answer comes from the cache
				resp := get(tt.method, tt.path, tt.accept, tt.rng)
				if got := resp.Header.Get("Content-Encoding"); got != tt.wantEncoding {
					t.Errorf("Content-Encoding = %q, want %q", got, tt.wantEncoding)
				}
				if got := resp.Header.Get("Cache-Control"); got != tt.wantCache {
					t.Errorf("Cache-Control = %q, want %q", got, tt.wantCache)
				}
				if got := resp.Header.Get("Content-Type"); got != tt.wantType {
					t.Errorf("Content-Type = %q, want %q", got, tt.wantType)
				}
				if tt.wantType != "image/png" && !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
					t.Errorf("Vary = %q, want Accept-Encoding", resp.Header.Get("Vary"))
				}
				if tt.method == "HEAD" {
					if b, _ := io.ReadAll(resp.Body); len(b) != 0 {
						t.Errorf("HEAD answered with %d bytes of body", len(b))
					}
				} else if got := body(resp); tt.wantBody != "" && got != tt.wantBody {
					t.Errorf("body = %.40q…, want %.40q…", got, tt.wantBody)
				}
				if tt.method == "HEAD" && resp.ContentLength == 0 {
					t.Error("HEAD without Content-Length")
				}
			}
		})
	}
}

func TestAccepts(t *testing.T) {
	for _, tt := range []struct {
		header, coding string
		want           bool
	}{
		{"", "gzip", false}, {"gzip", "gzip", true}, {"GZIP", "gzip", true}, {"br, gzip", "gzip", true},
		{"gzip;q=0", "gzip", false}, {"gzip; q=0.000", "gzip", false}, {"gzip;q=0.5", "gzip", true},
		{"*", "gzip", true}, {"deflate, br", "gzip", false}, {"identity", "gzip", false}, {"x-gzip", "gzip", false},
		{"gzip, deflate, br", "br", true}, {"br;q=0", "br", false}, {"*, br;q=0", "br", false},
		{"br;q=0, *", "br", false}, {"*;q=0, br", "br", true}, {"*;q=0", "br", false}, {"gzip", "br", false},
	} {
		if got := accepts(tt.header, tt.coding); got != tt.want {
			t.Errorf("accepts(%q, %q) = %v, want %v", tt.header, tt.coding, got, tt.want)
		}
	}
}
