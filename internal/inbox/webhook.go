package inbox

import (
	"context"
	"net/url"
	"sync"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/whatsapp"
)

// channelCache keeps decrypted channels in memory for the webhook hot path:
// thousands of webhooks a second must not each read and decrypt channel
// secrets. It is refreshed every few seconds and after every change.
type channelCache struct {
	mu      sync.Mutex
	loaded  time.Time
	byPhone map[string]*switchboard.Channel
	all     []*switchboard.Channel
}

const channelCacheTTL = 10 * time.Second

func (s *Service) cachedChannels(ctx context.Context, refresh bool) ([]*switchboard.Channel, map[string]*switchboard.Channel, error) {
	c := &s.channels
	c.mu.Lock()
	defer c.mu.Unlock()
	if !refresh && c.byPhone != nil && s.now().Sub(c.loaded) < channelCacheTTL {
		return c.all, c.byPhone, nil
	}
	all, err := s.Store.Channels(ctx)
	if err != nil {
		return nil, nil, err
	}
	c.all, c.byPhone, c.loaded = all, make(map[string]*switchboard.Channel, len(all)), s.now()
	for _, ch := range all {
		c.byPhone[ch.PhoneNumberID] = ch
	}
	return c.all, c.byPhone, nil
}

// InvalidateChannels drops the channel cache after a change.
func (s *Service) InvalidateChannels() {
	s.channels.mu.Lock()
	s.channels.byPhone = nil
	s.channels.mu.Unlock()
}

// VerifyWebhook answers Meta's subscription handshake: the verify token must
// be one of a channel's verify tokens (compared in constant time).
func (s *Service) VerifyWebhook(ctx context.Context, q url.Values) (string, bool) {
	all, _, err := s.cachedChannels(ctx, false)
	if err != nil {
		return "", false
	}
	for _, ch := range all {
		if challenge, ok := whatsapp.VerifyChallenge(q, ch.VerifyToken); ok {
			return challenge, true
		}
	}
	return "", false
}

// ErrBadSignature is returned for a webhook whose X-Hub-Signature-256 does
// not match any channel's app secret.
var ErrBadSignature = switchboard.Errorf(switchboard.EUnauthorized, "Invalid webhook signature.")

// AcceptWebhook checks a webhook's signature and queues it durably. It
// returns only after the body is committed: the caller may then answer 200,
// and nothing acknowledged is lost. Processing happens in the ingest worker.
func (s *Service) AcceptWebhook(ctx context.Context, body []byte, signature string) error {
	if signature == "" {
		return ErrBadSignature
	}
	n, err := whatsapp.ParseNotification(body)
	if err != nil {
		// Verify before explaining: an unsigned caller learns nothing.
		if !s.signedByAnyChannel(ctx, body, signature) {
			return ErrBadSignature
		}
		return switchboard.Errorf(switchboard.EInvalid, "The webhook body is not a WhatsApp notification.")
	}
	all, byPhone, err := s.cachedChannels(ctx, false)
	if err != nil {
		return err
	}
	var target *switchboard.Channel
	for _, e := range n.Entry {
		for _, c := range e.Changes {
			if c.Value == nil {
				continue
			}
			ch := byPhone[c.Value.Metadata.PhoneNumberID]
			if ch == nil {
				// A channel added a moment ago on another instance.
				if _, fresh, err := s.cachedChannels(ctx, true); err == nil {
					ch = fresh[c.Value.Metadata.PhoneNumberID]
				}
			}
			if ch != nil && target == nil && whatsapp.VerifySignature([]byte(ch.AppSecret), body, signature) {
				target = ch
			}
		}
	}
	if target == nil {
		// Changes without a known number (e.g. template status updates) are
		// accepted if any channel's app signed them, and otherwise refused.
		for _, ch := range all {
			if whatsapp.VerifySignature([]byte(ch.AppSecret), body, signature) {
				target = ch
				break
			}
		}
	}
	if target == nil {
		return ErrBadSignature
	}
	if err := s.Store.EnqueueWebhook(ctx, target.ID, body, s.now()); err != nil {
		return err
	}
	if s.Webhooks != nil {
		s.Webhooks.Notify()
	}
	return nil
}

func (s *Service) signedByAnyChannel(ctx context.Context, body []byte, signature string) bool {
	all, _, err := s.cachedChannels(ctx, false)
	if err != nil {
		return false
	}
	for _, ch := range all {
		if whatsapp.VerifySignature([]byte(ch.AppSecret), body, signature) {
			return true
		}
	}
	return false
}
