package api

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"

	"github.com/switchboardhq/switchboard"
)

// maxBodyBytes bounds every JSON request body.
const maxBodyBytes = 1 << 20

// statusByCode is the one table that maps domain error codes to HTTP.
var statusByCode = map[string]int{
	switchboard.EInvalid:            http.StatusBadRequest,
	switchboard.ENotFound:           http.StatusNotFound,
	switchboard.EConflict:           http.StatusConflict,
	switchboard.EUnauthorized:       http.StatusUnauthorized,
	switchboard.EForbidden:          http.StatusForbidden,
	switchboard.ETwoFactorEnrolment: http.StatusForbidden,
	switchboard.ERateLimited:        http.StatusTooManyRequests,
	switchboard.ETooLarge:           http.StatusRequestEntityTooLarge,
	switchboard.EWindowClosed:       http.StatusUnprocessableEntity,
	switchboard.EUnprocessable:      http.StatusUnprocessableEntity,
	switchboard.EPasswordPolicy:     http.StatusUnprocessableEntity,
	switchboard.EUnavailable:        http.StatusServiceUnavailable,
	switchboard.EInternal:           http.StatusInternalServerError,
}

// ErrorStatus returns the HTTP status for a domain error code.
func ErrorStatus(code string) int {
	if s, ok := statusByCode[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// writeError answers with {"error":{"code","message"}}. Internal errors are
// logged with their detail and shown as "Internal error." only.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	code := switchboard.ErrorCode(err)
	if code == switchboard.EInternal {
		log.Error("request failed", "method", r.Method, "route", r.Pattern, "err", err)
	}
	var e *switchboard.Error
	if errors.As(err, &e) && e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	var body errorBody
	body.Error.Code, body.Error.Message = code, switchboard.ErrorMessage(err)
	writeJSON(w, ErrorStatus(code), body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// decode reads one JSON object into v: size-limited, unknown fields refused,
// nothing after the object.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return switchboard.Errorf(switchboard.EInvalid, "Send the body as application/json.")
		}
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		var syntax *json.SyntaxError
		var typ *json.UnmarshalTypeError
		var field *switchboard.Error
		switch {
		case errors.As(err, &field): // a field's own decoder explained the problem
			return field
		case errors.As(err, &tooBig):
			return switchboard.Errorf(switchboard.ETooLarge, "The request body is larger than %d bytes.", maxBodyBytes)
		case errors.Is(err, io.EOF):
			return switchboard.Errorf(switchboard.EInvalid, "The request body is empty.")
		case errors.As(err, &syntax):
			return switchboard.Errorf(switchboard.EInvalid, "The request body is not valid JSON (at byte %d).", syntax.Offset)
		case errors.As(err, &typ):
			return switchboard.Errorf(switchboard.EInvalid, "Field %q has the wrong type.", typ.Field)
		default:
			// Unknown fields: encoding/json words it `json: unknown field "x"`.
			return switchboard.Errorf(switchboard.EInvalid, "Invalid request body: %s.", trimJSONPrefix(err.Error()))
		}
	}
	if dec.More() {
		return switchboard.Errorf(switchboard.EInvalid, "The request body must hold one JSON object.")
	}
	return nil
}

func trimJSONPrefix(s string) string {
	const p = "json: "
	if len(s) > len(p) && s[:len(p)] == p {
		s = s[len(p):]
	}
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

// queryLimit parses ?limit= within [1, 200]; absent means def.
func queryLimit(r *http.Request, def int) (int, error) {
	s := r.URL.Query().Get("limit")
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 200 {
		return 0, switchboard.Errorf(switchboard.EInvalid, "limit must be a number from 1 to 200.")
	}
	return n, nil
}

// page is the JSON shape of every list.
type page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}

func newPage[T any](items []T, next string) page[T] {
	if items == nil {
		items = []T{}
	}
	return page[T]{Items: items, NextCursor: next}
}
