package worker

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/whatsapp"
)

// TemplateStore is what the template sync needs from storage.
type TemplateStore interface {
	Channels(ctx context.Context) ([]*switchboard.Channel, error)
	Channel(ctx context.Context, id string) (*switchboard.Channel, error)
	ReplaceTemplates(ctx context.Context, channelID string, ts []*switchboard.Template, at time.Time) error
	UpdateChannelHealth(ctx context.Context, channelID string, u switchboard.HealthUpdate) error
}

// TemplateSync fetches every channel's message templates from Meta at
// start, every Interval, and on demand.
type TemplateSync struct {
	Store    TemplateStore
	Client   func(ch *switchboard.Channel) *whatsapp.Client
	Logger   *slog.Logger
	Now      func() time.Time
	Interval time.Duration // default 1 hour

	once sync.Once
	soon chan string
}

func (t *TemplateSync) init() {
	t.once.Do(func() {
		t.soon = make(chan string, 64)
		if t.Logger == nil {
			t.Logger = slog.New(slog.DiscardHandler)
		}
		if t.Now == nil {
			t.Now = func() time.Time { return time.Now().UTC() }
		}
		if t.Interval <= 0 {
			t.Interval = time.Hour
		}
	})
}

// SyncSoon queues a channel for syncing in the background.
func (t *TemplateSync) SyncSoon(channelID string) {
	t.init()
	select {
	case t.soon <- channelID:
	default:
	}
}

// Run syncs all channels now and then periodically, and the channels
// queued by SyncSoon, until ctx ends: [TemplateSync.RunScheduled] and
// [TemplateSync.RunRequests] together, for a single instance.
func (t *TemplateSync) Run(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = t.RunRequests(ctx)
	}()
	err := t.RunScheduled(ctx)
	<-done
	return err
}

// RunScheduled syncs all channels now and then every Interval until ctx
// ends. It is a singleton job: among several instances only the leader
// runs it.
func (t *TemplateSync) RunScheduled(ctx context.Context) error {
	t.init()
	tick := time.NewTicker(t.Interval)
	defer tick.Stop()
	t.syncAll(ctx)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			t.syncAll(ctx)
		}
	}
}

// RunRequests syncs the channels queued by SyncSoon until ctx ends. Every
// instance runs it: the request came to this one.
func (t *TemplateSync) RunRequests(ctx context.Context) error {
	t.init()
	for {
		select {
		case <-ctx.Done():
			return nil
		case id := <-t.soon:
			if err := t.SyncNow(ctx, id); err != nil {
				t.Logger.Warn("template sync", "channel", id, "err", err)
			}
		}
	}
}

func (t *TemplateSync) syncAll(ctx context.Context) {
	chs, err := t.Store.Channels(ctx)
	if err != nil {
		t.Logger.Error("list channels for template sync", "err", err)
		return
	}
	for _, ch := range chs {
		if err := t.SyncNow(ctx, ch.ID); err != nil && ctx.Err() == nil {
			t.Logger.Warn("template sync", "channel", ch.ID, "err", err)
		}
	}
}

// SyncNow fetches one channel's templates and replaces the stored ones.
func (t *TemplateSync) SyncNow(ctx context.Context, channelID string) error {
	t.init()
	ch, err := t.Store.Channel(ctx, channelID)
	if err != nil {
		return err
	}
	if ch.WABAID == "" {
		return switchboard.Errorf(switchboard.EInvalid, "The channel has no WhatsApp Business Account id to sync templates from.")
	}
	list, err := t.Client(ch).ListTemplates(ctx, ch.AccessToken, ch.WABAID)
	if err != nil {
		t.Logger.Warn("template sync failed", "channel", ch.ID, "err", err)
		msg := whatsapp.PublicMessage(err)
		_ = t.Store.UpdateChannelHealth(ctx, ch.ID, switchboard.HealthUpdate{TemplateSyncError: &msg})
		return switchboard.Errorf(switchboard.EUnavailable, "Meta did not return the templates. %s", msg)
	}
	now := t.Now()
	out := make([]*switchboard.Template, 0, len(list))
	for _, wt := range list {
		comps, err := json.Marshal(wt.Components)
		if err != nil {
			return err
		}
		out = append(out, &switchboard.Template{
			ChannelID: ch.ID, Name: wt.Name, Language: wt.Language, Status: wt.Status, Category: wt.Category,
			Quality: boundWord(wt.Quality()), ParameterFormat: wt.ParameterFormat, Components: comps, SyncedAt: now,
		})
	}
	if err := t.Store.ReplaceTemplates(ctx, ch.ID, out, now); err != nil {
		return err
	}
	empty := ""
	return t.Store.UpdateChannelHealth(ctx, ch.ID, switchboard.HealthUpdate{TemplateSyncError: &empty})
}

// boundWord cuts one of Meta's enum-like values (a quality score, a
// category) to 32 bytes: longer ones come from a broken response.
func boundWord(s string) string {
	if len(s) > 32 {
		return strings.ToValidUTF8(s[:32], "")
	}
	return s
}
