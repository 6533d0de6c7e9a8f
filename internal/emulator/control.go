package emulator

import (
	"embed"
	"encoding/json"
	"io/fs"
	"mime"
	"net/http"
	"time"
)

//go:embed web
var webFiles embed.FS

// registerWeb serves the customer-phone page. Everything is same-origin and
// script-free HTML, so a strict CSP can forbid inline code.
func (e *Emulator) registerWeb(mux *http.ServeMux) {
	static, err := fs.Sub(webFiles, "web")
	if err != nil {
		panic(err) // embedded at build time
	}
	files := http.FileServerFS(static)
	secure := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
			w.Header().Set("X-Content-Type-Options", "nosniff")
			w.Header().Set("Referrer-Policy", "no-referrer")
			h.ServeHTTP(w, r)
		})
	}
	index := secure(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeFileFS(w, r, static, "index.html")
	}))
	mux.Handle("GET /{$}", index)
	mux.Handle("GET /emulator/{$}", index)
	mux.Handle("GET /emulator/static/", secure(http.StripPrefix("/emulator/static/", files)))
}

type faultsJSON struct {
	ErrorRate float64 `json:"error_rate"`
	LatencyMS int64   `json:"latency_ms"`
	DropRate  float64 `json:"drop_rate"`
	FailFirst int     `json:"fail_first"`
}

// guardControl keeps other web sites from driving the control API through
// a visitor's browser (the emulator listens on the developer's loopback,
// which every page the developer opens can address). A write must be JSON
// (415 otherwise): a cross-site page can only send text/plain, form or
// multipart bodies without a CORS preflight, which the emulator never
// grants. And http.CrossOriginProtection refuses (403) requests that the
// browser marks as coming from another origin (Sec-Fetch-Site, Origin).
// Tools without browser headers (tests, curl, the end-to-end harness) pass.
func guardControl(h http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	return cop.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A write without a body and without a Content-Type (stop, read)
		// is left to the origin check; any body must be JSON.
		bodiless := r.Header.Get("Content-Type") == "" && r.ContentLength == 0
		if r.Method != http.MethodGet && r.Method != http.MethodHead && !bodiless {
			if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
				writeControl(w, http.StatusUnsupportedMediaType, map[string]string{"error": "control API writes must be application/json"})
				return
			}
		}
		h.ServeHTTP(w, r)
	}))
}

// registerControl adds the JSON control API used by tests, the demo and the page.
// It is unauthenticated: the emulator is a test tool and must not face the
// internet; guardControl keeps cross-site pages out.
func (e *Emulator) registerControl(mux *http.ServeMux) {
	const p = "/emulator/api/"
	mux.HandleFunc("GET "+p+"stats", func(w http.ResponseWriter, r *http.Request) {
		writeControl(w, http.StatusOK, e.Stats())
	})
	mux.HandleFunc("GET "+p+"numbers", func(w http.ResponseWriter, r *http.Request) {
		writeControl(w, http.StatusOK, e.Numbers())
	})
	mux.HandleFunc("GET "+p+"customers", func(w http.ResponseWriter, r *http.Request) {
		writeControl(w, http.StatusOK, e.Customers())
	})
	mux.HandleFunc("POST "+p+"customers/send", func(w http.ResponseWriter, r *http.Request) {
		var in CustomerMessage
		if !readControl(w, r, &in, 24<<20) {
			return
		}
		id, err := e.CustomerSend(r.Context(), in)
		if err != nil {
			controlError(w, err.Error())
			return
		}
		writeControl(w, http.StatusOK, map[string]string{"id": id})
	})
	mux.HandleFunc("POST "+p+"customers/echo", func(w http.ResponseWriter, r *http.Request) {
		var in BusinessEcho
		if !readControl(w, r, &in, 64<<10) {
			return
		}
		id, err := e.BusinessAppEcho(r.Context(), in)
		if err != nil {
			controlError(w, err.Error())
			return
		}
		writeControl(w, http.StatusOK, map[string]string{"id": id})
	})
	mux.HandleFunc("POST "+p+"customers/history", func(w http.ResponseWriter, r *http.Request) {
		var in HistoryImport
		if !readControl(w, r, &in, 4<<20) {
			return
		}
		ids, err := e.ImportHistory(r.Context(), in)
		if err != nil {
			controlError(w, err.Error())
			return
		}
		if ids == nil {
			ids = []string{}
		}
		writeControl(w, http.StatusOK, map[string][]string{"ids": ids})
	})
	mux.HandleFunc("POST "+p+"customers/start", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Rate float64 `json:"rate"`
			N    int     `json:"n"`
		}
		if !readControl(w, r, &in, 1<<10) {
			return
		}
		if err := e.StartCustomers(in.Rate, in.N); err != nil {
			controlError(w, err.Error())
			return
		}
		writeControl(w, http.StatusOK, map[string]bool{"success": true})
	})
	mux.HandleFunc("POST "+p+"customers/stop", func(w http.ResponseWriter, r *http.Request) {
		e.StopCustomers()
		writeControl(w, http.StatusOK, map[string]bool{"success": true})
	})
	mux.HandleFunc("GET "+p+"phone/{wa_id}", func(w http.ResponseWriter, r *http.Request) {
		msgs := e.Phone(r.PathValue("wa_id"))
		if msgs == nil {
			msgs = []PhoneMessage{}
		}
		writeControl(w, http.StatusOK, msgs)
	})
	mux.HandleFunc("POST "+p+"phone/{wa_id}/read", func(w http.ResponseWriter, r *http.Request) {
		e.ReadAll(r.PathValue("wa_id"))
		writeControl(w, http.StatusOK, map[string]bool{"success": true})
	})
	mux.HandleFunc("GET "+p+"phone/{wa_id}/media/{id}", func(w http.ResponseWriter, r *http.Request) {
		m := e.phoneMediaData(r.PathValue("wa_id"), r.PathValue("id"))
		if m == nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", m.MimeType)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Content-Security-Policy", "sandbox")
		_, _ = w.Write(m.Data)
	})
	mux.HandleFunc("GET "+p+"faults", func(w http.ResponseWriter, r *http.Request) {
		f := e.CurrentFaults()
		writeControl(w, http.StatusOK, faultsJSON{f.ErrorRate, f.Latency.Milliseconds(), f.DropRate, f.FailFirst})
	})
	mux.HandleFunc("PUT "+p+"faults", func(w http.ResponseWriter, r *http.Request) {
		var in faultsJSON
		if !readControl(w, r, &in, 1<<10) {
			return
		}
		if in.ErrorRate < 0 || in.ErrorRate > 1 || in.DropRate < 0 || in.DropRate > 1 || in.LatencyMS < 0 || in.FailFirst < 0 || in.FailFirst > 100 {
			controlError(w, "rates must be within [0,1], latency_ms >= 0 and fail_first within [0,100]")
			return
		}
		e.SetFaults(Faults{ErrorRate: in.ErrorRate, Latency: time.Duration(in.LatencyMS) * time.Millisecond, DropRate: in.DropRate, FailFirst: in.FailFirst})
		writeControl(w, http.StatusOK, in)
	})
	e.registerSurfaceControl(mux, p)
	mux.HandleFunc("GET "+p+"templates", func(w http.ResponseWriter, r *http.Request) {
		writeControl(w, http.StatusOK, e.Templates())
	})
	mux.HandleFunc("POST "+p+"templates", func(w http.ResponseWriter, r *http.Request) {
		var t Template
		if !readControl(w, r, &t, 1<<20) {
			return
		}
		if err := e.AddTemplate(t); err != nil {
			controlError(w, err.Error())
			return
		}
		writeControl(w, http.StatusOK, map[string]bool{"success": true})
	})
}

func readControl(w http.ResponseWriter, r *http.Request, v any, limit int64) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		controlError(w, "invalid JSON body: "+err.Error())
		return false
	}
	return true
}

func controlError(w http.ResponseWriter, msg string) {
	writeControl(w, http.StatusBadRequest, map[string]string{"error": msg})
}

func writeControl(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
