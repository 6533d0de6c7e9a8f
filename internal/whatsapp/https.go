package whatsapp

import (
	"fmt"
	"net/http"
)

// RequireHTTPS wraps rt so that it sends only https requests: a Graph URL
// set to plain http on a public host would otherwise carry the channel's
// access token in clear text over the internet. Plain http stays possible
// only where the operator allows private targets (the built-in emulator,
// SWITCHBOARD_ALLOW_PRIVATE_GRAPH), which use another client.
func RequireHTTPS(rt http.RoundTripper) http.RoundTripper { return httpsOnly{rt} }

type httpsOnly struct{ rt http.RoundTripper }

func (h httpsOnly) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Scheme != "https" {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, fmt.Errorf("%w: plain http to %s", ErrForbiddenAddress, r.URL.Host)
	}
	return h.rt.RoundTrip(r)
}
