package api

import (
	"net/netip"
	"testing"
)

// TestForwardedFor: X-Forwarded-For is believed only from trusted proxies,
// so a client that reaches the server directly cannot pick the address the
// login throttle counts (issue 14, Low 16).
func TestForwardedFor(t *testing.T) {
	custom := []netip.Prefix{netip.MustParsePrefix("203.0.113.0/24")}
	for _, tt := range []struct {
		name    string
		trusted []netip.Prefix
		remote  string
		xff     []string
		want    string
	}{
		{"direct client rotating the header", nil, "198.51.100.7", []string{"10.9.9.9"}, "198.51.100.7"},
		{"proxy on loopback", nil, "127.0.0.1", []string{"198.51.100.7"}, "198.51.100.7"},
		{"client-sent entries left of the proxy's", nil, "127.0.0.1", []string{"1.2.3.4, 198.51.100.7"}, "198.51.100.7"},
		{"chain of trusted proxies", nil, "10.0.0.2", []string{"198.51.100.7, 10.0.0.1"}, "198.51.100.7"},
		{"several header lines", nil, "10.0.0.2", []string{"1.2.3.4", "198.51.100.7"}, "198.51.100.7"},
		{"garbage stops the walk", nil, "127.0.0.1", []string{"198.51.100.7, nonsense"}, "127.0.0.1"},
		{"configured proxies only", custom, "127.0.0.1", []string{"198.51.100.7"}, "127.0.0.1"},
		{"configured proxy", custom, "203.0.113.5", []string{"198.51.100.7"}, "198.51.100.7"},
		{"IPv4-mapped proxy address", nil, "::ffff:127.0.0.1", []string{"198.51.100.7"}, "198.51.100.7"},
		{"no header", nil, "127.0.0.1", nil, "127.0.0.1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := &Server{TrustProxy: true, TrustedProxies: tt.trusted}
			if got := s.forwardedFor(tt.remote, tt.xff); got != tt.want {
				t.Errorf("forwardedFor(%q, %q) = %q, want %q", tt.remote, tt.xff, got, tt.want)
			}
		})
	}
}
