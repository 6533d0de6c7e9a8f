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
// the app's own routes survive a reload. Text files go out compressed to
// clients that accept it: Brotli from the copy the web build wrote beside
// the file (name.br, quality 11, too slow to do here), else gzip, each file
// compressed once and kept (the files are embedded and never change while
// the process runs). Brotli sends the initial JavaScript in about
// 16 % fewer bytes than gzip -9.
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
			if accept := r.Header.Get("Accept-Encoding"); r.Header.Get("Range") == "" {
				if accepts(accept, "br") {
					if body, err := fs.ReadFile(s.Assets, p+".br"); err == nil {
						serveEncoded(w, r, p, "br", body)
						return
					}
				}
				if accepts(accept, "gzip") {
					if body, ok := gz.get(p); ok {
						serveEncoded(w, r, p, "gzip", body)
						return
					}
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

// serveEncoded answers with body, the file name compressed with encoding.
func serveEncoded(w http.ResponseWriter, r *http.Request, name, encoding string, body []byte) {
	ctype := mime.TypeByExtension(path.Ext(name))
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Encoding", encoding)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		_, _ = w.Write(body)
	}
}

// accepts reports whether an Accept-Encoding header allows coding: named
// with a non-zero q, or covered by "*" when not named at all ("q=0" is a
// refusal either way).
func accepts(header, coding string) bool {
	star := false
	for part := range strings.SplitSeq(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name != coding && name != "*" {
			continue
		}
		q := strings.ReplaceAll(strings.ToLower(params), " ", "")
		allowed := !(q == "q=0" || strings.HasPrefix(q, "q=0.") && strings.Trim(q[4:], "0") == "")
		if name == coding {
			return allowed
		}
		star = allowed
	}
	return star
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
