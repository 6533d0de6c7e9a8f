package whatsapp

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// LookasideHost is the host Meta serves media downloads from.
const LookasideHost = "lookaside.fbsbx.com"

// maxMediaRedirects bounds same-host redirects during a media download.
const maxMediaRedirects = 3

// DownloadMedia fetches a media URL returned by [Client.GetMedia] with the
// bearer token and copies at most maxBytes bytes to w, returning how many
// bytes were written.
//
// Because the URL comes from a response and the request carries the access
// token, the download is confined by an explicit policy:
//
//   - the scheme must be https (http only with AllowPrivate);
//   - the host name must be the BaseURL host, lookaside.fbsbx.com, or one
//     of MediaHosts, and the URL must carry no userinfo;
//   - redirects are followed only to URLs that pass the same checks on the
//     same host, at most three times;
//   - every connection is checked at dial time, after DNS resolution, and
//     refused if the address is loopback, private, link-local, unspecified,
//     multicast or otherwise reserved, so that DNS tricks cannot point an
//     allowed name inward. Proxies are bypassed because a proxy would hide
//     the real target from this check.
//
// AllowPrivate switches the address checks off (not the host allow-list);
// it exists for the emulator on 127.0.0.1. The address check needs an
// *http.Transport (or none) in HTTPClient; other RoundTrippers are refused
// unless AllowPrivate is set.
//
// A body larger than maxBytes fails with [ErrMediaTooLarge] after maxBytes
// bytes have been written; callers should discard w's contents on error.
func (c *Client) DownloadMedia(ctx context.Context, token, mediaURL string, maxBytes int64, w io.Writer) (n int64, err error) {
	if err := requireArgs("token", token, "media url", mediaURL); err != nil {
		return 0, fmt.Errorf("download media: %w", err)
	}
	if maxBytes <= 0 {
		return 0, fmt.Errorf("download media: %w", invalid("maxBytes must be positive"))
	}
	u, err := url.Parse(mediaURL)
	if err != nil {
		return 0, fmt.Errorf("download media: %w: %v", ErrMediaURLRefused, err)
	}
	if err := c.checkMediaURL(u, ""); err != nil {
		return 0, fmt.Errorf("download media: %w", err)
	}
	hc, closeIdle, err := c.mediaHTTPClient(u.Hostname())
	if err != nil {
		return 0, fmt.Errorf("download media: %w", err)
	}
	defer closeIdle()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return 0, fmt.Errorf("download media: %w", invalid("build request: %v", err))
	}
	c.setHeaders(req, token)
	resp, err := do(hc, req)
	if err != nil {
		return 0, fmt.Errorf("download media: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		body, _ := readCapped(resp.Body, 64<<10)
		return 0, fmt.Errorf("download media: %w", parseAPIError(resp.StatusCode, body))
	}
	if resp.ContentLength > maxBytes {
		return 0, fmt.Errorf("download media: %w: %d bytes, limit %d", ErrMediaTooLarge, resp.ContentLength, maxBytes)
	}
	n, err = io.Copy(w, io.LimitReader(resp.Body, maxBytes))
	if err != nil {
		return n, fmt.Errorf("download media: %w", &RequestError{Method: req.Method, URL: redactURL(req.URL), Written: true, Err: err})
	}
	if n == maxBytes {
		// Probe for one more byte to tell "exactly maxBytes" from "more".
		var one [1]byte
		if m, _ := resp.Body.Read(one[:]); m > 0 {
			return n, fmt.Errorf("download media: %w: limit %d bytes", ErrMediaTooLarge, maxBytes)
		}
	}
	return n, nil
}

// checkMediaURL applies the scheme, userinfo and host rules. When
// sameHost is set (redirects), the host must also equal it.
func (c *Client) checkMediaURL(u *url.URL, sameHost string) error {
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && c.AllowPrivate:
	default:
		return fmt.Errorf("%w: scheme %q", ErrMediaURLRefused, u.Scheme)
	}
	if u.User != nil {
		return fmt.Errorf("%w: url has userinfo", ErrMediaURLRefused)
	}
	host := strings.ToLower(u.Hostname())
	if host == "" {
		return fmt.Errorf("%w: no host", ErrMediaURLRefused)
	}
	if sameHost != "" && host != strings.ToLower(sameHost) {
		return fmt.Errorf("%w: redirect to another host %q", ErrMediaURLRefused, host)
	}
	for _, h := range c.mediaHosts() {
		if host == h {
			return nil
		}
	}
	return fmt.Errorf("%w: host %q is not allowed", ErrMediaURLRefused, host)
}

// mediaHosts is the download allow-list.
func (c *Client) mediaHosts() []string {
	hosts := []string{LookasideHost}
	if u, err := c.baseURL(); err == nil {
		hosts = append(hosts, strings.ToLower(u.Hostname()))
	}
	for _, h := range c.MediaHosts {
		hosts = append(hosts, strings.ToLower(strings.TrimSpace(h)))
	}
	return hosts
}

// mediaHTTPClient derives the download client from HTTPClient: same
// timeout and TLS settings, the redirect policy, and (unless AllowPrivate)
// a transport whose dialer refuses non-public addresses. The transport is
// per call, so the returned func closes its idle connections.
func (c *Client) mediaHTTPClient(host string) (*http.Client, func(), error) {
	base := c.httpClient()
	hc := *base
	hc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) > maxMediaRedirects {
			return fmt.Errorf("%w: more than %d redirects", ErrMediaURLRefused, maxMediaRedirects)
		}
		return c.checkMediaURL(req.URL, host)
	}
	if c.AllowPrivate {
		return &hc, func() {}, nil
	}
	var tr *http.Transport
	switch t := base.Transport.(type) {
	case nil:
		dt, ok := http.DefaultTransport.(*http.Transport)
		if !ok {
			return nil, nil, fmt.Errorf("%w: http.DefaultTransport is not an *http.Transport", ErrInvalid)
		}
		tr = dt.Clone()
	case *http.Transport:
		tr = t.Clone()
	default:
		return nil, nil, fmt.Errorf("%w: cannot enforce the media address policy on a %T", ErrInvalid, t)
	}
	dialer := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, Control: guardDial}
	tr.Proxy = nil
	tr.DialContext = dialer.DialContext
	tr.DialTLSContext = nil // TLS must run over the guarded dialer
	hc.Transport = tr
	return &hc, tr.CloseIdleConnections, nil
}

// NewGuardedTransport returns an HTTP transport for Graph API requests
// whose every connection is checked at dial time, after name resolution,
// like a media download's: loopback, private, link-local and other
// non-public addresses are refused with [ErrForbiddenAddress], so a Graph
// URL set by an administrator cannot carry the access token to an internal
// service or a cloud metadata endpoint. Proxies are bypassed, because a
// proxy would hide the real target from the check.
func NewGuardedTransport() *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	dialer := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, Control: guardDial}
	tr.Proxy = nil
	tr.DialContext = dialer.DialContext
	tr.DialTLSContext = nil
	return tr
}

// guardDial is a net.Dialer Control func: it runs after name resolution,
// once per address tried, and vetoes non-public targets.
func guardDial(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrForbiddenAddress, address, err)
	}
	if !publicAddr(ap.Addr()) {
		return fmt.Errorf("%w: %s", ErrForbiddenAddress, ap.Addr())
	}
	return nil
}

// PublicAddr reports whether a is a globally routable unicast address:
// the rule the dial-time guard of [NewGuardedTransport] applies, for
// callers that check a literal address before dialling.
func PublicAddr(a netip.Addr) bool { return publicAddr(a) }

// publicAddr reports whether a is a globally routable unicast address.
func publicAddr(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() || !a.IsGlobalUnicast() || a.IsPrivate() ||
		a.IsLoopback() || a.IsLinkLocalUnicast() || a.IsUnspecified() || a.IsMulticast() {
		return false
	}
	for _, p := range reservedPrefixes() {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// reservedPrefixes lists special-purpose ranges that IsGlobalUnicast and
// IsPrivate let through but that must not be reachable from a download:
// shared CGNAT space, benchmarking and documentation nets, reserved space,
// and IPv6 translation prefixes that can embed a private IPv4 address.
func reservedPrefixes() []netip.Prefix {
	return []netip.Prefix{
		netip.MustParsePrefix("0.0.0.0/8"),
		netip.MustParsePrefix("100.64.0.0/10"),
		netip.MustParsePrefix("192.0.0.0/24"),
		netip.MustParsePrefix("192.0.2.0/24"),
		netip.MustParsePrefix("198.18.0.0/15"),
		netip.MustParsePrefix("198.51.100.0/24"),
		netip.MustParsePrefix("203.0.113.0/24"),
		netip.MustParsePrefix("240.0.0.0/4"),
		netip.MustParsePrefix("64:ff9b::/96"),
		netip.MustParsePrefix("64:ff9b:1::/48"),
		netip.MustParsePrefix("100::/64"),
		netip.MustParsePrefix("2001:db8::/32"),
		netip.MustParsePrefix("2002::/16"),
	}
}
