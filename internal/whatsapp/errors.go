package whatsapp

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"time"
)

// Sentinel errors of the client; match them with errors.Is.
var (
	// ErrInvalid marks requests rejected before anything was sent:
	// missing arguments, a malformed message, media or template
	// parameters that break Meta's rules. Resending cannot help.
	ErrInvalid = errors.New("whatsapp: invalid request")
	// ErrMediaURLRefused marks media URLs outside the download policy
	// (scheme, host allow-list, redirects to other hosts).
	ErrMediaURLRefused = errors.New("whatsapp: media url refused")
	// ErrForbiddenAddress marks a media download whose host resolved to a
	// loopback, private, link-local or otherwise non-public address.
	ErrForbiddenAddress = errors.New("whatsapp: address not allowed")
	// ErrMediaTooLarge marks a media download larger than its limit.
	ErrMediaTooLarge = errors.New("whatsapp: media too large")
	// ErrResponseTooLarge marks a Graph API response above the read cap.
	ErrResponseTooLarge = errors.New("whatsapp: response too large")
)

// PublicMessage is the text of err that may be shown to users and stored
// in a channel's health: Meta's own error message for a Graph API error
// answer, and otherwise one generic sentence. Transport details (addresses,
// "connection refused", TLS or decoding failures) stay in the server log:
// they would tell whoever set the Graph URL what listens where.
func PublicMessage(err error) string {
	var ae *APIError
	if errors.As(err, &ae) && ae.meta {
		msg := ae.Message
		if ae.Details != "" && ae.Details != msg {
			msg += ": " + ae.Details
		}
		return fmt.Sprintf("Meta answered with error %d: %s", ae.Code, msg)
	}
	return GenericFailure
}

// GenericFailure is the user-facing text for a Graph API request that got
// no answer from Meta that Switchboard understands.
const GenericFailure = "The WhatsApp Graph API could not be reached or gave no valid answer."

// Meta error codes that callers branch on.
const (
	CodeReengagement    = 131047 // outside the 24-hour window: send a template
	CodePairRateLimit   = 131056 // too many messages to the same user
	CodeThroughputLimit = 130429 // per-number messages-per-second exceeded
	CodeUndeliverable   = 131026
	CodeUnsupportedType = 131051
	// CodeBSUIDUnsupported: business-scoped user id recipients are not
	// supported for this message (authentication templates, for one).
	CodeBSUIDUnsupported = 131062
	CodeTokenExpired     = 190
)

// APIError is an error response of the Graph API. Meta recommends handling
// errors by Code and Details; Message embeds a title that Meta says will be
// deprecated. Subcode is not returned by v16.0+ and kept for old versions.
type APIError struct {
	HTTPStatus int
	Code       int
	Subcode    int
	Type       string
	Message    string
	Details    string
	FBTraceID  string

	// meta records that the body held Meta's error object, which makes a
	// zero Code meaningful (code 0 is AuthException).
	meta bool
}

// Error returns a one-line description with the code and HTTP status.
func (e *APIError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.HTTPStatus)
	}
	if e.Details != "" && e.Details != msg {
		msg += ": " + e.Details
	}
	return fmt.Sprintf("whatsapp: graph api error %d (http %d): %s", e.Code, e.HTTPStatus, msg)
}

// Retryable reports whether the same request may succeed later unchanged:
// rate limits, throughput limits and Meta's "temporarily unavailable" codes,
// and any 5xx. Authentication, permission, parameter, template and recipient
// errors are permanent.
func (e *APIError) Retryable() bool {
	if e.Code == 0 && !e.meta {
		// No Meta error object: only the HTTP status can tell.
		return e.HTTPStatus >= 500 || e.HTTPStatus == http.StatusTooManyRequests || e.HTTPStatus == http.StatusRequestTimeout
	}
	if slices.Contains(RetryableCodes(), e.Code) {
		return true
	}
	if permanentCode(e.Code) {
		return false
	}
	// A code we do not know: trust the HTTP status class.
	return e.HTTPStatus >= 500
}

// RetryableCodes are Meta's error codes after which the same request may
// succeed later unchanged; [APIError.Retryable] decides by them, and the web
// app offers "Send again" only after them.
func RetryableCodes() []int {
	return []int{
		1, 2, // API unknown, API service: temporary downtime or overload
		4,      // application call rate limit
		80007,  // WABA rate limit
		80008,  // WABA management endpoint rate limit (templates)
		130429, // throughput exceeded
		131000, // something went wrong
		131016, // service unavailable
		131056, // pair rate limit
		131057, // account in maintenance (throughput upgrade)
	}
}

// Temporary is [APIError.Retryable] under the name net.Error made familiar.
func (e *APIError) Temporary() bool { return e.Retryable() }

func permanentCode(code int) bool {
	switch {
	case code >= 200 && code <= 299: // API permission
		return true
	case code >= 132000 && code <= 132999: // template errors
		return true
	}
	switch code {
	case 0, 3, 10, 33, 100, 190, 368,
		131008, 131009, 131021, 131026, 131031, 131042, 131045,
		131047, 131048, 131049, 131050, 131051, 131053, 131062,
		133010:
		return true
	}
	return false
}

// Explain returns a clear reason for the Meta error codes whose own
// message does not tell an agent what to do, or "" for the others.
func Explain(code int) string {
	switch code {
	case CodeBSUIDUnsupported:
		return "WhatsApp does not deliver this kind of message to a customer known only by username (business-scoped user id); it needs their phone number."
	}
	return ""
}

// PairRateLimited reports whether err is Meta's pair rate limit (131056):
// too many messages to one user. Only that recipient must wait; sends to
// other users can continue.
func PairRateLimited(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Code == CodePairRateLimit
}

// RequestError is a failure to complete an HTTP exchange with Meta: a dial
// error, a timeout, a reset connection, or an unreadable success response.
// Written tells whether the whole request had been written to the connection
// when it failed; if so, Meta may have acted on it.
type RequestError struct {
	Method  string
	URL     string
	Written bool
	Err     error
}

// Error describes the failed exchange.
func (e *RequestError) Error() string {
	state := "before the request was sent"
	if e.Written {
		state = "after the request was sent"
	}
	return fmt.Sprintf("whatsapp: %s %s failed %s: %v", e.Method, e.URL, state, e.Err)
}

// Unwrap returns the underlying error.
func (e *RequestError) Unwrap() error { return e.Err }

// Outcome is what a caller should do after a request.
type Outcome int

// Outcomes returned by [Classify].
const (
	// OK means the request succeeded.
	OK Outcome = iota
	// Retry means the request certainly did not take effect, or Meta asked
	// for a later retry: send again after a backoff.
	Retry
	// Permanent means sending the same request again will fail the same
	// way: surface the error.
	Permanent
	// Unknown means the request may or may not have taken effect (for
	// example a timeout after it was written). For sends, do not resend
	// silently: wait for a status webhook or ask a human, or the customer
	// may receive the message twice.
	Unknown
)

// String returns the outcome's name.
func (o Outcome) String() string {
	switch o {
	case OK:
		return "ok"
	case Retry:
		return "retry"
	case Permanent:
		return "permanent"
	case Unknown:
		return "unknown"
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// Classify maps an error returned by [Client] to an [Outcome]:
//
//   - nil → OK;
//   - validation and policy errors ([ErrInvalid], [ErrMediaURLRefused],
//     [ErrForbiddenAddress], [ErrMediaTooLarge]) → Permanent;
//   - [*APIError] → Retry or Permanent by code ([APIError.Retryable]), so a
//     5xx without Meta's error body is Retry;
//   - [*RequestError] before the request was written (connection refused,
//     DNS failure, TLS handshake, context ended early) → Retry;
//   - [*RequestError] after it was written (timeout, reset, truncated or
//     unreadable response) → Unknown;
//   - anything else → Unknown, because nothing proves it is safe to resend.
//
// For idempotent reads (media, templates) Unknown can be treated as Retry.
func Classify(err error) Outcome {
	if err == nil {
		return OK
	}
	if errors.Is(err, ErrInvalid) || errors.Is(err, ErrMediaURLRefused) ||
		errors.Is(err, ErrForbiddenAddress) || errors.Is(err, ErrMediaTooLarge) {
		return Permanent
	}
	var ae *APIError
	if errors.As(err, &ae) {
		if ae.Retryable() {
			return Retry
		}
		return Permanent
	}
	var re *RequestError
	if errors.As(err, &re) {
		if re.Written {
			return Unknown
		}
		return Retry
	}
	// Errors that did not pass through the client but still prove that no
	// request left this process.
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return Retry
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return Retry
	}
	// Including bare context errors: without RequestError's Written flag
	// nobody knows whether the request had already reached Meta.
	return Unknown
}

// Backoff computes retry delays. The zero value uses a 1 s base, a 5 min
// cap and math/rand/v2 for jitter.
type Backoff struct {
	// Base is the first delay of the exponential schedule.
	Base time.Duration
	// Max caps every delay, including the pair-rate-limit schedule.
	Max time.Duration
	// Jitter returns a number in [0, 1); tests inject a fixed source.
	Jitter func() float64
}

// For returns how long to wait before retry number attempt (0 for the first
// retry) after Meta error code. For 131056 (pair rate limit) it follows the
// 4^attempt seconds schedule (1, 4, 16, 64, 256 s) without jitter, since
// the limit is per recipient and not a thundering herd. Otherwise it is
// Base·2^attempt with "equal jitter" (a random point in the upper half), so
// that workers that failed together do not retry together.
func (b Backoff) For(code, attempt int) time.Duration {
	base, maxDelay := b.Base, b.Max
	if base <= 0 {
		base = time.Second
	}
	if maxDelay <= 0 {
		maxDelay = 5 * time.Minute
	}
	attempt = max(attempt, 0)
	if code == CodePairRateLimit {
		d := time.Second
		for range attempt {
			d *= 4
			if d >= maxDelay {
				return maxDelay
			}
		}
		return min(d, maxDelay)
	}
	d := base
	for range attempt {
		d *= 2
		if d >= maxDelay {
			d = maxDelay
			break
		}
	}
	d = min(d, maxDelay)
	jitter := b.Jitter
	if jitter == nil {
		jitter = rand.Float64
	}
	f := jitter()
	if f < 0 || f >= 1 {
		f = 0
	}
	half := d / 2
	return half + time.Duration(f*float64(d-half))
}

// BackoffFor is [Backoff.For] with the zero-value [Backoff].
func BackoffFor(code, attempt int) time.Duration {
	return Backoff{}.For(code, attempt)
}

// graphErrorBody is Meta's error envelope.
type graphErrorBody struct {
	Error *struct {
		Message      string `json:"message"`
		Type         string `json:"type"`
		Code         int    `json:"code"`
		ErrorSubcode int    `json:"error_subcode"`
		// ErrorData is an object for messaging errors but a plain string
		// for some management (template) errors.
		ErrorData json.RawMessage `json:"error_data"`
		FBTraceID string          `json:"fbtrace_id"`
	} `json:"error"`
}

// parseAPIError builds an APIError from a non-2xx response body. Bodies that
// are not Meta's error object still produce an APIError carrying the HTTP
// status, so that classification can fall back to it.
func parseAPIError(status int, body []byte) *APIError {
	ae := &APIError{HTTPStatus: status}
	var b graphErrorBody
	if json.Unmarshal(body, &b) == nil && b.Error != nil {
		ae.meta = true
		ae.Code = b.Error.Code
		ae.Subcode = b.Error.ErrorSubcode
		ae.Type = b.Error.Type
		ae.Message = b.Error.Message
		ae.FBTraceID = b.Error.FBTraceID
		ae.Details = errorDataDetails(b.Error.ErrorData)
	}
	return ae
}

func errorDataDetails(raw json.RawMessage) string {
	var obj struct {
		Details string `json:"details"`
	}
	if json.Unmarshal(raw, &obj) == nil {
		return obj.Details
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return ""
}
