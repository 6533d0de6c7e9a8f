package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"unicode/utf16"
	"unicode/utf8"
)

// metaJSON encodes v the way Meta's servers do: non-ASCII escaped as \uXXXX and
// "/" as "\/". Webhook signatures are computed over exactly these bytes, so
// receivers that re-encode JSON before verifying fail like they would with Meta.
func metaJSON(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("emulator: encoding %T: %v", v, err)) // only our own types are encoded
	}
	raw := bytes.TrimRight(buf.Bytes(), "\n")
	// '/' and bytes >= 0x80 can only occur inside JSON strings, so a plain scan is safe.
	out := make([]byte, 0, len(raw)+len(raw)/8)
	for i := 0; i < len(raw); {
		c := raw[i]
		switch {
		case c == '/':
			out = append(out, '\\', '/')
			i++
		case c < utf8.RuneSelf:
			out = append(out, c)
			i++
		default:
			r, size := utf8.DecodeRune(raw[i:])
			i += size
			if r >= 0x10000 {
				a, b := utf16.EncodeRune(r)
				out = fmt.Appendf(out, `\u%04x\u%04x`, a, b)
			} else {
				out = fmt.Appendf(out, `\u%04x`, r)
			}
		}
	}
	return out
}

// graphError is the body of every Graph API error response.
type graphError struct {
	Message      string     `json:"message"`
	Type         string     `json:"type"`
	Code         int        `json:"code"`
	ErrorData    *errorData `json:"error_data,omitempty"`
	ErrorSubcode int        `json:"error_subcode,omitempty"`
	FBTraceID    string     `json:"fbtrace_id"`

	status  int    // HTTP status
	wwwAuth string // WWW-Authenticate error token, set on OAuth-style failures
}

type errorData struct {
	MessagingProduct string `json:"messaging_product,omitempty"`
	Details          string `json:"details"`
}

// whatsappError builds the usual Cloud API error: "(#code) title" plus details.
func whatsappError(status, code int, title, details string) *graphError {
	return &graphError{
		Message:   fmt.Sprintf("(#%d) %s", code, title),
		Type:      "OAuthException",
		Code:      code,
		ErrorData: &errorData{MessagingProduct: "whatsapp", Details: details},
		status:    status,
	}
}

// invalidParam is code 100 with a precise details string, Meta's answer to a malformed send.
func invalidParam(details string) *graphError {
	return whatsappError(http.StatusBadRequest, 100, "Invalid parameter", details)
}

// errBSUIDUnsupported is Meta's 131062: this message (an authentication
// template) cannot go to a business-scoped user id.
func errBSUIDUnsupported() *graphError {
	return whatsappError(http.StatusBadRequest, 131062, "Business-scoped User ID recipients are not supported for this message.",
		"Authentication templates must be sent to a phone number.")
}

// requiredParam mirrors Meta's "(#100) The parameter X is required." message.
func requiredParam(name string) *graphError {
	g := whatsappError(http.StatusBadRequest, 100, "The parameter "+name+" is required.", "The parameter "+name+" is required.")
	return g
}

// errBadToken is what Graph answers for a missing or unparsable token (code 190).
func errBadToken() *graphError {
	return &graphError{
		Message: "Invalid OAuth access token - Cannot parse access token",
		Type:    "OAuthException",
		Code:    190,
		status:  http.StatusUnauthorized,
		wwwAuth: "invalid_token",
	}
}

// errNoObject is Graph's answer for an id that does not exist or is not reachable.
func errNoObject(method, id string) *graphError {
	verb := map[string]string{http.MethodGet: "get", http.MethodPost: "post", http.MethodDelete: "delete"}[method]
	if verb == "" {
		verb = "get"
	}
	return &graphError{
		Message:      fmt.Sprintf("Unsupported %s request. Object with ID '%s' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api", verb, id),
		Type:         "GraphMethodException",
		Code:         100,
		ErrorSubcode: 33,
		status:       http.StatusBadRequest,
		wwwAuth:      "invalid_request",
	}
}

// errUnknownPath is Graph's answer for an unrecognised version or edge.
func errUnknownPath(path string) *graphError {
	return &graphError{
		Message: "Unknown path components: " + path,
		Type:    "OAuthException",
		Code:    2500,
		status:  http.StatusBadRequest,
		wwwAuth: "invalid_request",
	}
}

func errGeneric() *graphError {
	return whatsappError(http.StatusInternalServerError, 131000, "Generic error", "An unknown error occurred")
}

func errThroughput() *graphError {
	return whatsappError(http.StatusBadRequest, 130429, "Rate limit hit",
		"Message failed to send because there were too many messages sent from this phone number in a short period of time")
}

func errPairRate() *graphError {
	return whatsappError(http.StatusBadRequest, 131056, "(Business Account, Consumer Account) pair rate limit hit",
		"Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.")
}

// webhookError is the error object inside failed statuses and inbound messages.
type webhookError struct {
	Code      int        `json:"code"`
	Title     string     `json:"title"`
	Message   string     `json:"message"`
	ErrorData *errorData `json:"error_data,omitempty"`
	Href      string     `json:"href,omitempty"`
}

const errorCodesHref = "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"

func asyncError(code int, title, details string) webhookError {
	return webhookError{Code: code, Title: title, Message: title, ErrorData: &errorData{Details: details}, Href: errorCodesHref}
}

func errReengagement() webhookError {
	return asyncError(131047, "Re-engagement message",
		"Message failed to send because more than 24 hours have passed since the customer last replied to this number.")
}

func errUndeliverable() webhookError {
	return asyncError(131026, "Message undeliverable", "Message Undeliverable.")
}

func errUnsupportedInbound() webhookError {
	return webhookError{Code: 131051, Title: "Message type unknown", Message: "Message type unknown",
		ErrorData: &errorData{Details: "Message type is currently not supported."}}
}

// writeGraphError writes g with a fresh fbtrace_id and counts it.
func (e *Emulator) writeGraphError(w http.ResponseWriter, g *graphError) {
	e.mu.Lock()
	g.FBTraceID = e.traceIDLocked()
	e.stats.errors[g.Code]++
	e.mu.Unlock()
	if g.wwwAuth != "" {
		w.Header().Set("WWW-Authenticate", fmt.Sprintf("OAuth \"Facebook Platform\" %q %q", g.wwwAuth, g.Message))
	}
	writeJSON(w, g.status, struct {
		Error *graphError `json:"error"`
	}{g})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(metaJSON(v))
}
