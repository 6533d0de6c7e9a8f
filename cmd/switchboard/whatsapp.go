package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/emulator"
	"github.com/switchboardhq/switchboard/internal/whatsapp"
	"github.com/switchboardhq/switchboard/internal/worker"
)

// Demo numbers of the built-in emulator's channel.
const (
	emulatorPhoneNumberID = "100000000000001"
	emulatorWABAID        = "200000000000001"
	emulatorDisplayNumber = "+49 30 555 0100"
	emulatorDisplayDigits = "49305550100"
)

// graphClients returns the Graph API client factory. Every Graph request
// (sends, uploads, media, templates, read receipts) goes through a
// transport that refuses loopback, private and link-local addresses at
// dial time, because the Graph URL is set by whoever holds channels.manage
// and each request carries the channel's access token. Two exceptions,
// both decided by the server's operator and never by a role: the built-in
// emulator's own channel while its Graph URL is exactly the address the
// emulator listens on in this process, and every channel when
// SWITCHBOARD_ALLOW_PRIVATE_GRAPH is set (an emulator or proxy on the
// local network).
func (a *App) graphClients() func(ch *switchboard.Channel) *whatsapp.Client {
	guarded := &http.Client{Timeout: 60 * time.Second, Transport: whatsapp.RequireHTTPS(whatsapp.NewGuardedTransport())}
	open := &http.Client{Timeout: 60 * time.Second}
	return func(ch *switchboard.Channel) *whatsapp.Client {
		c := &whatsapp.Client{BaseURL: ch.GraphURL, Version: a.Config.GraphVersion, HTTPClient: guarded, UserAgent: "Switchboard/" + Version()}
		if a.Config.AllowPrivateGraph || a.builtinEmulatorChannel(ch) {
			c.AllowPrivate = true
			c.HTTPClient = open
		}
		return c
	}
}

// builtinEmulatorChannel reports whether ch is the built-in emulator's
// channel and still points at the emulator running in this process.
func (a *App) builtinEmulatorChannel(ch *switchboard.Channel) bool {
	return ch.Emulated && a.EmulatorURL != "" && strings.TrimRight(ch.GraphURL, "/") == a.EmulatorURL
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// openWhatsApp starts the emulator when configured, makes sure the
// configured channels exist, and builds the workers.
func (a *App) openWhatsApp(ctx context.Context) error {
	c := a.Config
	clients := a.graphClients()
	if c.WAPhoneNumberID != "" {
		if _, err := a.System.EnsureChannel(ctx, &switchboard.Channel{
			Name: "WhatsApp " + c.WAPhoneNumberID, PhoneNumberID: c.WAPhoneNumberID, WABAID: c.WAWABAID,
			GraphURL: c.WAGraphURL, AccessToken: c.WAAccessToken, AppSecret: c.WAAppSecret, VerifyToken: c.WAVerifyToken,
		}); err != nil {
			return fmt.Errorf("configure channel from the environment: %w", err)
		}
	}
	on, err := a.emulatorWanted(ctx)
	if err != nil {
		return err
	}
	if on {
		if err := a.openEmulator(ctx); err != nil {
			return err
		}
	}

	a.Ingest = &worker.Ingest{Queue: a.Store, Channels: a.Store, Receiver: a.System, Health: a.Store, Logger: a.Logger.With("worker", "ingest")}
	a.Sender = &worker.Sender{Store: a.Store, Results: a.System, Media: a.System, Client: clients, Rate: c.SendRate, Logger: a.Logger.With("worker", "sender")}
	sends := promauto.With(a.Metrics).NewCounterVec(prometheus.CounterOpts{
		Name: "switchboard_send_outcomes_total",
		Help: "Outbound send attempts by outcome: sent (accepted by Meta), failed (permanently), unknown (may have gone out; flagged, not resent), retry (temporary failure, rescheduled).",
	}, []string{"outcome"})
	a.Sender.Outcome = func(outcome string) { sends.WithLabelValues(outcome).Inc() }
	if c.Postgres() {
		// Several instances may share the database: they pace each
		// channel together, through it (docs/deploy.md, "Several instances").
		a.Sender.Slots = a.Store
	}
	if a.SenderOptions != nil {
		a.SenderOptions(a.Sender)
	}
	a.Fetcher = &worker.MediaFetcher{Store: a.Store, Writer: a.System, Results: a.System, Client: clients, Logger: a.Logger.With("worker", "media")}
	a.Templates = &worker.TemplateSync{Store: a.Store, Client: clients, Logger: a.Logger.With("worker", "templates")}
	a.Service.Webhooks = notifyAll{a.Ingest, a.Fetcher}
	a.Service.Outbox = a.Sender
	a.Service.Receipts = a.Sender
	a.Service.TypingSender = a.Sender
	a.Service.Blocker = &worker.Blocks{Client: clients}
	a.Service.Templates = a.Templates
	return nil
}

// emulatorWanted decides whether the emulator runs. "auto" means: only on
// an installation that talks to no real WhatsApp number, neither from the
// environment nor added in the web app, so a production instance never gets
// a demo channel and fake customers in its database.
func (a *App) emulatorWanted(ctx context.Context) (bool, error) {
	if a.Config.Emulator != "auto" {
		return a.Config.EmulatorOn(), nil
	}
	if a.Config.WAPhoneNumberID != "" {
		return false, nil
	}
	return a.System.NoRealChannels(ctx)
}

// notifyAll wakes several workers: a webhook can carry both messages (with
// media to fetch) and statuses.
type notifyAll []interface{ Notify() }

func (n notifyAll) Notify() {
	for _, w := range n {
		w.Notify()
	}
}

// openEmulator starts Meta's stand-in on its own address and wires a demo
// channel to it, with fresh credentials each start.
func (a *App) openEmulator(ctx context.Context) error {
	c := a.Config
	token, secret, verify := randomHex(24), randomHex(16), randomHex(12)
	ln, err := net.Listen("tcp", c.EmulatorAddr)
	if err != nil {
		return fmt.Errorf("listen for the emulator on %s: %w", c.EmulatorAddr, err)
	}
	base := "http://" + ln.Addr().String()
	cfg := emulator.Config{
		PhoneNumbers: []emulator.Number{{PhoneNumberID: emulatorPhoneNumberID, DisplayPhoneNumber: emulatorDisplayDigits, WABAID: emulatorWABAID}},
		AccessToken:  token, AppSecret: secret,
		WebhookURL: "http://" + a.listener.Addr().String() + "/webhooks/whatsapp",
		BaseURL:    base,
		Logger:     a.Logger.With("component", "emulator"),
		// Its customers and their service windows outlive a restart, so a
		// reply to a chat from before it is not refused with 131047.
		StateFile: filepath.Join(c.DataDir, "emulator-state.json"),
	}
	if a.EmulatorOptions != nil {
		a.EmulatorOptions(&cfg)
	}
	em, err := emulator.New(cfg)
	if err != nil {
		ln.Close()
		return fmt.Errorf("start emulator: %w", err)
	}
	if _, err := a.System.EnsureChannel(ctx, &switchboard.Channel{
		Name: "Demo (emulator)", PhoneNumberID: emulatorPhoneNumberID, WABAID: emulatorWABAID,
		DisplayPhoneNumber: emulatorDisplayNumber, GraphURL: base, AccessToken: token, AppSecret: secret,
		VerifyToken: verify, Emulated: true,
	}); err != nil {
		ln.Close()
		return fmt.Errorf("configure the emulator's channel: %w", err)
	}
	a.Emulator, a.EmulatorURL = em, base
	a.emulatorListener = ln
	a.emulatorServer = &http.Server{Handler: em.Handler(), ReadHeaderTimeout: 10 * time.Second}
	return nil
}

// runWhatsApp runs the workers and the emulator until ctx ends.
func (a *App) runWhatsApp(ctx context.Context) []func() error {
	jobs := []func() error{
		func() error { return a.Ingest.Run(ctx) },
		func() error { return a.Sender.Run(ctx) },
		func() error { return a.Fetcher.Run(ctx) },
		func() error { return a.Templates.RunRequests(ctx) },
		func() error { return a.WebhooksOut.Run(ctx) },
	}
	if a.Emulator != nil {
		jobs = append(jobs,
			func() error { return a.Emulator.Run(ctx) },
			func() error {
				err := a.emulatorServer.Serve(a.emulatorListener)
				if errors.Is(err, http.ErrServerClosed) {
					return nil
				}
				return err
			},
			func() error {
				<-ctx.Done()
				sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				_ = a.Emulator.Close()
				return a.emulatorServer.Shutdown(sctx)
			},
		)
		if rate := a.Config.EmulatorCustomers; rate > 0 {
			if err := a.Emulator.StartCustomers(rate, 8); err != nil {
				a.Logger.Warn("start virtual customers", "err", err)
			}
		}
	}
	return jobs
}
