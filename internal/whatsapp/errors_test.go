package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

func TestAPIErrorRetryable(t *testing.T) {
	retry := []int{1, 2, 4, 80007, 80008, 130429, 131000, 131016, 131056, 131057}
	permanent := []int{0, 3, 10, 33, 100, 190, 200, 250, 299, 368, 131008, 131009, 131021, 131026, 131031,
		131042, 131047, 131048, 131049, 131050, 131051, 131053, 132000, 132001, 132005, 132007, 132012, 132015, 132016, 133010}
	for _, code := range retry {
		if e := (&APIError{HTTPStatus: 400, Code: code, meta: true}); !e.Retryable() {
			t.Errorf("code %d should be retryable", code)
		}
	}
	for _, code := range permanent {
		// Even on a 5xx a known permanent code stays permanent.
		if e := (&APIError{HTTPStatus: 500, Code: code, meta: true}); e.Retryable() {
			t.Errorf("code %d should be permanent", code)
		}
	}
	if !(&APIError{HTTPStatus: 503}).Retryable() {
		t.Error("bare 503 should be retryable")
	}
	if (&APIError{HTTPStatus: 404}).Retryable() {
		t.Error("bare 404 should be permanent")
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want Outcome
	}{
		{"nil", nil, OK},
		{"invalid", fmt.Errorf("send: %w", invalid("x")), Permanent},
		{"media rule", CheckOutboundMedia(KindImage, "image/gif", 10), Permanent},
		{"template params", &TemplateParamsError{Template: "t", Missing: []string{"body.1"}}, Permanent},
		{"refused url", fmt.Errorf("x: %w", ErrMediaURLRefused), Permanent},
		{"meta retry", fmt.Errorf("send: %w", &APIError{HTTPStatus: 400, Code: 131056, meta: true}), Retry},
		{"meta permanent", &APIError{HTTPStatus: 400, Code: 131047, meta: true}, Permanent},
		{"unwritten", &RequestError{Err: io.EOF}, Retry},
		{"written", &RequestError{Written: true, Err: context.DeadlineExceeded}, Unknown},
		{"dns outside client", &net.DNSError{Err: "no such host", Name: "graph.facebook.com"}, Retry},
		{"dial outside client", &net.OpError{Op: "dial", Err: errors.New("connection refused")}, Retry},
		{"read outside client", &net.OpError{Op: "read", Err: errors.New("reset")}, Unknown},
		{"bare deadline", context.DeadlineExceeded, Unknown},
		{"anything else", errors.New("boom"), Unknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Classify(tt.err); got != tt.want {
				t.Errorf("Classify(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
	for o, s := range map[Outcome]string{OK: "ok", Retry: "retry", Permanent: "permanent", Unknown: "unknown", 9: "Outcome(9)"} {
		if o.String() != s {
			t.Errorf("%d.String() = %q", int(o), o.String())
		}
	}
}

func TestBackoff(t *testing.T) {
	fixed := func(f float64) func() float64 { return func() float64 { return f } }
	t.Run("pair rate limit is 4^attempt seconds", func(t *testing.T) {
		b := Backoff{Jitter: fixed(0.99)}
		want := []time.Duration{1 * time.Second, 4 * time.Second, 16 * time.Second, 64 * time.Second, 256 * time.Second, 5 * time.Minute, 5 * time.Minute}
		for attempt, w := range want {
			if got := b.For(CodePairRateLimit, attempt); got != w {
				t.Errorf("attempt %d: %v, want %v", attempt, got, w)
			}
		}
		if got := (Backoff{Max: time.Minute}).For(CodePairRateLimit, 3); got != time.Minute {
			t.Errorf("cap: %v", got)
		}
	})
	t.Run("exponential with equal jitter", func(t *testing.T) {
		low, high := Backoff{Jitter: fixed(0)}, Backoff{Jitter: fixed(0.5)}
		for attempt, full := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second} {
			if got := low.For(130429, attempt); got != full/2 {
				t.Errorf("attempt %d low: %v, want %v", attempt, got, full/2)
			}
			if got := high.For(130429, attempt); got != full/2+full/4 {
				t.Errorf("attempt %d mid: %v, want %v", attempt, got, full/2+full/4)
			}
		}
		if got := low.For(1, 1000); got != 150*time.Second {
			t.Errorf("huge attempt: %v, want half the cap", got)
		}
		if got := low.For(1, -3); got != 500*time.Millisecond {
			t.Errorf("negative attempt: %v", got)
		}
		if got := (Backoff{Jitter: fixed(7)}).For(1, 0); got != 500*time.Millisecond {
			t.Errorf("out-of-range jitter: %v", got)
		}
	})
	t.Run("default source stays in range", func(t *testing.T) {
		for range 100 {
			if d := BackoffFor(131000, 2); d < 2*time.Second || d >= 4*time.Second {
				t.Fatalf("BackoffFor = %v", d)
			}
		}
	})
}

// TestBSUIDErrorsExplained pins that 131062 (a BSUID recipient this
// message cannot go to) is permanent and explained in plain words.
func TestBSUIDErrorsExplained(t *testing.T) {
	e := &APIError{HTTPStatus: 400, Code: CodeBSUIDUnsupported, Message: "Business-scoped User ID recipients are not supported for this message.", meta: true}
	if e.Retryable() || Classify(e) != Permanent {
		t.Errorf("131062 retryable = %v, outcome %v", e.Retryable(), Classify(e))
	}
	if why := Explain(CodeBSUIDUnsupported); !strings.Contains(why, "phone number") {
		t.Errorf("Explain(131062) = %q", why)
	}
	if Explain(CodeReengagement) != "" {
		t.Error("Explain explains a code whose message is clear")
	}
}
