package api

import (
	"bytes"
	"compress/gzip"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
)

// spa serves the built web app. Paths that are not files get index.html, so
// the app's own routes survive a reload. Text files go out gzip-compressed
// to clients that accept it (the initial JavaScript shrinks to about a
// third), each compressed once and kept: the files are embedded and never
// change while the process runs.
func (s *Server) spa() http.Handler {
	if s.Assets == nil {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			_, _ = w.Write([]byte("Switchboard is running. The web app is not built into this binary; the API is at /api/v1 (see /api/v1/openapi.json).\n"))
		})
	}
	files := http.FileServerFS(s.Assets)
	gz := &gzipCache{fsys: s.Assets}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		p := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
		if p == "" {
			p = "index.html"
		}
		if st, err := fs.Stat(s.Assets, p); err != nil || st.IsDir() {
			r = r.Clone(r.Context())
			r.URL.Path = "/"
			p = "index.html"
			w.Header().Set("Cache-Control", "no-cache")
		} else if strings.HasPrefix(p, "assets/") {
			// Vite puts content hashes in asset names: cache them for good.
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			// index.html, favicon.svg: unhashed, so always revalidated.
			w.Header().Set("Cache-Control", "no-cache")
		}
		if compressible(p) {
			w.Header().Add("Vary", "Accept-Encoding")
			if r.Header.Get("Range") == "" && acceptsGzip(r.Header.Get("Accept-Encoding")) {
				if body, ok := gz.get(p); ok {
					ctype := mime.TypeByExtension(path.Ext(p))
					if ctype == "" {
						ctype = "application/octet-stream"
					}
					w.Header().Set("Content-Type", ctype)
					w.Header().Set("Content-Encoding", "gzip")
					w.Header().Set("Content-Length", strconv.Itoa(len(body)))
					w.WriteHeader(http.StatusOK)
					if r.Method == http.MethodGet {
						_, _ = w.Write(body)
					}
					return
				}
			}
		}
		files.ServeHTTP(w, r)
	})
}

// compressible reports whether a file is text worth compressing; images
// other than SVG and fonts are compressed already.
func compressible(name string) bool {
	switch path.Ext(name) {
	case ".html", ".js", ".mjs", ".css", ".svg", ".json", ".txt", ".map", ".webmanifest":
		return true
	}
	return false
}

// acceptsGzip reports whether an Accept-Encoding header allows gzip (or
// any coding, "*"), honouring "q=0" as a refusal.
func acceptsGzip(header string) bool {
	for part := range strings.SplitSeq(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding != "gzip" && coding != "*" {
			continue
		}
		q := strings.ReplaceAll(strings.ToLower(params), " ", "")
		if q == "q=0" || strings.HasPrefix(q, "q=0.") && strings.Trim(q[4:], "0") == "" {
			return false
		}
		return true
	}
	return false
}

// gzipCache compresses each file of fsys once, at its first request.
type gzipCache struct {
	fsys  fs.FS
	mu    sync.Mutex
	files map[string]*gzipFile
}

type gzipFile struct {
	once sync.Once
	body []byte // nil when compressing does not pay
}

// get returns the gzip-compressed file, or false when it cannot be read or
// does not get smaller.
func (c *gzipCache) get(name string) ([]byte, bool) {
	c.mu.Lock()
	if c.files == nil {
		c.files = map[string]*gzipFile{}
	}
	f := c.files[name]
	if f == nil {
		f = &gzipFile{}
		c.files[name] = f
	}
	c.mu.Unlock()
	f.once.Do(func() {
		raw, err := fs.ReadFile(c.fsys, name)
		if err != nil {
			return
		}
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression) // the level is valid
		_, _ = zw.Write(raw)
		if zw.Close() == nil && buf.Len() < len(raw) {
			f.body = buf.Bytes()
		}
	})
	return f.body, f.body != nil
}
