package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/api"
	"github.com/switchboardhq/switchboard/internal/auditanchor"
	"github.com/switchboardhq/switchboard/internal/backup"
	"github.com/switchboardhq/switchboard/internal/emulator"
	"github.com/switchboardhq/switchboard/internal/inbox"
	"github.com/switchboardhq/switchboard/internal/masterkey"
	"github.com/switchboardhq/switchboard/internal/mcpserver"
	"github.com/switchboardhq/switchboard/internal/metrics"
	"github.com/switchboardhq/switchboard/internal/password"
	"github.com/switchboardhq/switchboard/internal/postgres"
	"github.com/switchboardhq/switchboard/internal/realtime"
	"github.com/switchboardhq/switchboard/internal/seal"
	"github.com/switchboardhq/switchboard/internal/sqlite"
	"github.com/switchboardhq/switchboard/internal/worker"
	"golang.org/x/sync/errgroup"
)

// App is the running program: the composition root that builds every part
// in order and takes it down in reverse. End-to-end tests start one on
// 127.0.0.1:0 with a temporary data dir.
type App struct {
	Config *Config
	Logger *slog.Logger
	Stdout io.Writer

	Store switchboard.Store
	// Keys is the store's keyring of data keys, shared with the service.
	Keys     *seal.Keyring
	auditKey *auditanchor.Key
	Hub      *realtime.Hub
	// Relay shares the hub's events with the other instances (nil: this
	// instance's events stay in memory).
	Relay   *realtime.Relay
	Service *inbox.Service
	// System is Service's operations that act for no user (webhooks,
	// workers, retention).
	System  *inbox.System
	Metrics *prometheus.Registry

	Ingest    *worker.Ingest
	Sender    *worker.Sender
	Fetcher   *worker.MediaFetcher
	Templates *worker.TemplateSync
	// WebhooksOut posts outgoing webhook deliveries.
	WebhooksOut *worker.WebhookSender
	// Fanout turns event log records into webhook deliveries.
	Fanout *worker.EventFanout
	// Emulator is the built-in Cloud API emulator, when it runs, at
	// EmulatorURL.
	Emulator    *emulator.Emulator
	EmulatorURL string
	// EmulatorOptions, when set, adjusts the emulator's configuration
	// before it starts (tests shorten delays and inject faults).
	EmulatorOptions func(*emulator.Config)
	// SenderOptions, when set, adjusts the sender before it starts.
	SenderOptions    func(*worker.Sender)
	emulatorListener net.Listener
	emulatorServer   *http.Server

	// SetupURL is the one-time link that creates the first administrator;
	// empty once users exist.
	SetupURL string

	// Backups makes the scheduled backups; nil when SWITCHBOARD_BACKUP_TO
	// is empty.
	Backups *backup.Scheduler

	// Singletons runs the jobs that run on one instance only, while this
	// one holds the leader lease (docs/deploy.md, "Leader and singleton
	// jobs").
	Singletons *worker.Singletons
	// SingletonOptions, when set, adjusts the singleton jobs before they
	// start (tests record their runs).
	SingletonOptions func(*worker.Singletons)
	// unlock releases the SQLite instance lock; nil on PostgreSQL.
	unlock func() error

	retention *retentionMetrics

	// BodyTimeout and UploadTimeout override api.DefaultBodyTimeout and
	// api.DefaultUploadTimeout (tests); zero keeps the defaults.
	BodyTimeout, UploadTimeout time.Duration
	// MinFreeDisk is the free space on the data directory's file system
	// below which /readyz is not ready; 0 means DefaultMinFreeDisk.
	MinFreeDisk uint64

	metricsListener net.Listener
	metricsServer   *http.Server

	listener net.Listener
	server   *http.Server
}

func newLogger(c *Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// openStore loads (or on first start creates) the master key and opens the
// configured database, applying migrations when migrate is set.
func openStore(ctx context.Context, c *Config, log *slog.Logger, migrate bool) (switchboard.Store, *seal.Keyring, error) {
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("create data dir: %w", err)
	}
	// Existing directories are not changed (they may be shared on
	// purpose, e.g. a volume mount point), but a loose one is worth a
	// warning: the database, media and key files live here.
	if fi, err := os.Stat(c.DataDir); err == nil && fi.Mode().Perm()&0o077 != 0 {
		log.Warn("the data directory is accessible to group or others; make it private with chmod 700",
			"dir", c.DataDir, "mode", fmt.Sprintf("%o", fi.Mode().Perm()))
	}
	mk, created, err := seal.LoadOrCreateMasterKey(c.MasterKeyFile)
	if err != nil {
		return nil, nil, fmt.Errorf("master key: %w", err)
	}
	if created {
		log.Warn("created a new master key; back it up separately from the database: without it the data cannot be read",
			"file", c.MasterKeyFile)
	}
	return openStoreMigrate(ctx, c, mk, migrate)
}

// warnKeysInDataDir logs one warning per key file that lies inside the
// data directory: a snapshot of the data volume, a copied data directory
// or a stolen disk then holds the keys together with the data they
// protect, and the encryption at rest protects nothing (docs/security.md,
// "Key placement"). The backup key counts only when backups are scheduled
// or its file exists.
func warnKeysInDataDir(c *Config, log *slog.Logger) {
	check := func(what, file string) {
		if keyInDir(c.DataDir, file) {
			log.Warn("KEY FILE INSIDE THE DATA DIRECTORY: a copy or snapshot of the data directory holds the key together with the data it protects; move it to a separate directory or mount (docs/deploy.md, Key placement)",
				"key", what, "file", file, "data_dir", c.DataDir)
		}
	}
	check("master", c.MasterKeyFile)
	check("audit", c.AuditKeyFile)
	if c.BackupKeyFile != "" {
		if _, err := os.Stat(c.BackupKeyFile); c.BackupTo != "" || err == nil {
			check("backup", c.BackupKeyFile)
		}
	}
}

// keyInDir reports whether file lies inside dir, after making both absolute
// and resolving symbolic links where they exist.
func keyInDir(dir, file string) bool {
	resolve := func(p string) string {
		if abs, err := filepath.Abs(p); err == nil {
			p = abs
		}
		if r, err := filepath.EvalSymlinks(p); err == nil {
			return r
		}
		// The file may not exist yet: resolve its directory.
		if r, err := filepath.EvalSymlinks(filepath.Dir(p)); err == nil {
			return filepath.Join(r, filepath.Base(p))
		}
		return p
	}
	rel, err := filepath.Rel(resolve(dir), resolve(file))
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// openStoreWith opens the store with the given master key (the key
// commands), without migrating.
func openStoreWith(ctx context.Context, c *Config, log *slog.Logger, mk *seal.MasterKey) (switchboard.Store, *seal.Keyring, error) {
	return openStoreMigrate(ctx, c, mk, false)
}

// openStoreMigrate opens the configured store with mk as the current master
// key, and the retired master keys next to its file (internal/masterkey).
// It returns the store's keyring with it: the service reads media under
// the same data keys, and is given the keyring explicitly.
func openStoreMigrate(ctx context.Context, c *Config, mk *seal.MasterKey, migrate bool) (switchboard.Store, *seal.Keyring, error) {
	ak, err := loadAuditKey(c)
	if err != nil {
		return nil, nil, err
	}
	var store switchboard.Store
	var keys *seal.Keyring
	if c.Postgres() {
		db, err := postgres.Open(ctx, c.DatabaseURL, postgres.Options{Master: mk, Migrate: migrate, AuditKey: ak.Chain})
		if err != nil {
			return nil, nil, fmt.Errorf("open postgres: %w", err)
		}
		store, keys = db, db.Keys()
	} else {
		db, err := sqlite.Open(ctx, c.SQLitePath(), sqlite.Options{Master: mk, Migrate: migrate, AuditKey: ak.Chain})
		if err != nil {
			return nil, nil, fmt.Errorf("open sqlite: %w", err)
		}
		store, keys = db, db.Keys()
	}
	if err := masterkey.Wire(keys, c.MasterKeyFile, mk); err != nil {
		store.Close()
		return nil, nil, err
	}
	return store, keys, nil
}

// Open builds the app: store, hub, service and HTTP server, and starts
// listening (so Addr is known) without serving yet.
func (a *App) Open(ctx context.Context) error {
	c := a.Config
	if !c.Postgres() {
		// One instance per SQLite file: a second serve is refused here,
		// before it touches the database.
		unlock, err := sqlite.LockInstance(c.SQLitePath())
		if err != nil {
			return err
		}
		a.unlock = unlock
	}
	store, keys, err := openStore(ctx, c, a.Logger, true)
	if err != nil {
		return err
	}
	a.Store, a.Keys = store, keys
	warnKeysInDataDir(c, a.Logger)
	// A user whose last tab closed is offline for routing; the grace
	// covers the web app's reconnects.
	a.Hub = realtime.NewHub(realtime.Options{Logger: a.Logger, IdleGrace: 30 * time.Second,
		OnUserGone: func(id string) {
			if a.System != nil {
				a.System.UserGone(context.WithoutCancel(ctx), id)
			}
		}})
	if log, ok := store.(switchboard.LiveEventLog); ok && c.SharedEvents() {
		// Several instances on one database: the hub's events go
		// through the database's log (docs/architecture.md).
		a.Relay = &realtime.Relay{Hub: a.Hub, Log: log, Logger: a.Logger.With("worker", "events-relay")}
		if err := a.Relay.Start(ctx); err != nil {
			a.Relay = nil
			return fmt.Errorf("live events: %w", err)
		}
	}
	hasher, err := password.NewHasher(password.DefaultParams(), 0)
	if err != nil {
		return err
	}
	allowHosts := splitHosts(c.WebhookAllowHosts)
	a.WebhooksOut = &worker.WebhookSender{Store: store, AllowHosts: allowHosts, Logger: a.Logger.With("worker", "webhooks-out")}
	// Events reach the hub through the webhook publisher, which wakes the
	// fan-out: it turns the event log's records into a delivery row for
	// each subscription that wants the event.
	a.Fanout = &worker.EventFanout{Logger: a.Logger.With("worker", "events-fanout")}
	pub := &inbox.WebhookPublisher{Next: a.Hub, Store: store, Logger: a.Logger, Notify: a.Fanout, Delivered: a.WebhooksOut}
	a.Fanout.Source = pub
	a.Service = inbox.New(store, pub, hasher)
	pub.Render = a.Service.RenderEvent
	a.System = a.Service.System()
	a.Service.WebhookAllowHosts = allowHosts
	a.Service.WebhooksOut = pub
	a.Service.Logger = a.Logger
	a.Service.Throttle.Logger = a.Logger
	a.Service.Live = a.Hub
	a.Service.PublicURL = c.PublicURL
	if a.Service.Passkeys, err = inbox.NewPasskeys(c.PublicURL); err != nil {
		a.Logger.Info("passkeys are off", "reason", err.Error())
		err = nil
	}
	if a.Service.ReportZone, err = time.LoadLocation(c.TimeZone); err != nil {
		return fmt.Errorf("time zone: %w", err)
	}
	if a.Service.Blobs, err = openBlobs(ctx, c); err != nil {
		return err
	}
	a.Service.Keys = keys
	if a.auditKey, err = auditanchor.LoadKey(c.AuditKeyFile); err != nil {
		return fmt.Errorf("audit key: %w", err)
	}
	a.Service.VerifyChain = func(ctx context.Context) (switchboard.AuditVerification, error) {
		return verifyAudit(ctx, c, a.auditKey, store, nil)
	}

	a.Metrics = metrics.NewRegistry() // with the Go and process collectors
	a.Singletons = &worker.Singletons{Lease: leaseOf(store), Logger: a.Logger.With("worker", "leader")}
	a.registerMetrics()
	a.retention = newRetentionMetrics(a.Metrics)
	if c.BackupTo != "" {
		if a.Backups, err = newScheduler(c, a.Logger, store, a.Service.Blobs); err != nil {
			return fmt.Errorf("scheduled backups: %w", err)
		}
		a.Backups.RegisterMetrics(a.Metrics)
	}

	srv := &api.Server{
		Service: a.Service, Hub: a.Hub, Logger: a.Logger, Metrics: a.Metrics,
		PublicURL: c.PublicURL, TrustProxy: c.TrustProxy, TrustedProxies: c.TrustedProxyPrefixes, Assets: webAssets(), MetricsElsewhere: c.MetricsAddr != "",
		Ready: func(ctx context.Context) error {
			if err := a.System.Ready(ctx); err != nil {
				return err
			}
			minFree := a.MinFreeDisk
			if minFree == 0 {
				minFree = DefaultMinFreeDisk
			}
			if free, err := freeDisk(c.DataDir); err != nil || free < minFree {
				if err == nil {
					a.Logger.Warn("not ready: the data directory's disk is almost full", "free_bytes", free, "min_bytes", minFree)
				}
				return switchboard.Errorf(switchboard.EUnavailable, "Disk almost full.")
			}
			return nil
		},
	}
	srv.Ping = store.Ping
	// The MCP server for AI assistants: same service, tokens, limits and
	// audit as the REST API (docs/automation.md).
	srv.Extra = map[string]http.Handler{
		mcpserver.Path: (&mcpserver.Server{Service: a.Service, Logger: a.Logger, Version: Version(), TrustProxy: c.TrustProxy}).Handler(),
	}
	if a.Backups != nil {
		a.Service.Backups = a.Backups.Status
	}
	a.Service.Register = newRegister(c, store, a.Service.Blobs, a.Logger)
	srv.BodyTimeout, srv.UploadTimeout = a.BodyTimeout, a.UploadTimeout
	a.server = &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		// No ReadTimeout: the handler sets the body's read deadline by
		// route, short for login, webhooks and the JSON API
		// (api.DefaultBodyTimeout), long only for uploads
		// (api.DefaultUploadTimeout).
		IdleTimeout:    120 * time.Second,
		MaxHeaderBytes: 64 << 10,
		ErrorLog:       slog.NewLogLogger(a.Logger.Handler(), slog.LevelWarn),
	}
	a.listener, err = net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", c.Addr, err)
	}
	if c.MetricsAddr != "" {
		if a.metricsListener, err = net.Listen("tcp", c.MetricsAddr); err != nil {
			return fmt.Errorf("listen on %s for metrics: %w", c.MetricsAddr, err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", metrics.Handler(a.Metrics, a.Logger))
		a.metricsServer = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second}
	}
	if err := a.openWhatsApp(ctx); err != nil {
		return err
	}
	if token, err := a.System.SetupToken(ctx); err != nil {
		return fmt.Errorf("create setup token: %w", err)
	} else if token != "" {
		a.SetupURL = c.PublicURL + "/setup#token=" + token
	}
	return nil
}

// splitHosts parses a comma-separated host list.
func splitHosts(s string) []string {
	var out []string
	for _, h := range strings.Split(s, ",") {
		if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
			out = append(out, h)
		}
	}
	return out
}

// registerMetrics publishes the hub's, the store's and the queues' figures,
// read at scrape time. Figures that only grow are counters (_total); the
// rest are gauges.
func (a *App) registerMetrics() {
	gauge := func(name, help string, f func() float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, f)
	}
	counter := func(name, help string, f func() float64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, f)
	}
	depth := func(f func(ctx context.Context) (int, error)) func() float64 {
		return func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			n, err := f(ctx)
			if err != nil {
				return -1
			}
			return float64(n)
		}
	}
	a.Metrics.MustRegister(
		// The version as a label on a constant 1, the usual build_info
		// shape, so dashboards can show what runs and join it to alerts.
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "switchboard_build_info", Help: "Always 1; the version label is the running Switchboard version.",
			ConstLabels: prometheus.Labels{"version": Version()},
		}, func() float64 { return 1 }),
		gauge("switchboard_leader", "1 while this instance holds the leader lease and runs the singleton jobs, else 0.", func() float64 {
			if a.Singletons.Leader() {
				return 1
			}
			return 0
		}),
		gauge("switchboard_realtime_subscribers", "Open WebSocket subscriptions.", func() float64 { return float64(a.Hub.Stats().Subscribers) }),
		counter("switchboard_realtime_events_published_total", "Events published to the hub since start.", func() float64 { return float64(a.Hub.Stats().Published) }),
		counter("switchboard_realtime_slow_disconnects_total", "Subscribers disconnected for reading too slowly since start.", func() float64 { return float64(a.Hub.Stats().DroppedSlow) }),
		gauge("switchboard_db_open_connections", "Open database connections.", func() float64 { return float64(a.Store.Stats().OpenConnections) }),
		gauge("switchboard_db_in_use_connections", "Database connections in use.", func() float64 { return float64(a.Store.Stats().InUse) }),
		counter("switchboard_db_wait_count_total", "Waits for a database connection since start.", func() float64 { return float64(a.Store.Stats().WaitCount) }),
		gauge("switchboard_db_write_queue", "Writes waiting for the SQLite writer.", func() float64 { return float64(a.Store.Stats().WriteQueue) }),
		gauge("switchboard_webhook_queue_depth", "Webhooks acknowledged to Meta and not yet processed.", depth(a.Store.WebhookQueueDepth)),
		gauge("switchboard_webhook_dead_letters", "Webhook events that could not be applied, kept for an administrator to replay.", depth(a.Store.DeadLetterCount)),
		gauge("switchboard_outbox_depth", "Messages waiting to be sent.", depth(func(ctx context.Context) (int, error) { return a.Store.OutboxDepth(ctx, "") })),
	)
	if r := a.Relay; r != nil {
		a.Metrics.MustRegister(
			gauge("switchboard_realtime_log_pending", "Live events published here and not yet written to the database's log.", func() float64 { return float64(r.Stats().Pending) }),
			counter("switchboard_realtime_log_dropped_total", "Live events dropped because the queue for the database's log was full.", func() float64 { return float64(r.Stats().Dropped) }),
		)
	}
}

// Addr returns the address the server listens on.
func (a *App) Addr() string { return a.listener.Addr().String() }

// MetricsAddr returns the separate metrics address, or "" when /metrics is
// served on Addr.
func (a *App) MetricsAddr() string {
	if a.metricsListener == nil {
		return ""
	}
	return a.metricsListener.Addr().String()
}

// Run serves until ctx ends, then shuts down gracefully: it stops accepting,
// lets in-flight requests finish within the grace period, closes WebSockets
// and finally the database (which flushes the writer).
func (a *App) Run(ctx context.Context) error {
	if a.SetupURL != "" {
		fmt.Fprintf(a.Stdout, "\nNo users yet. Create the first administrator within the next hour at:\n\n    %s\n\nor from a shell: switchboard user add --login LOGIN --role admin --name NAME\n\n", a.SetupURL)
	}
	a.Logger.Info("listening", "addr", a.Addr(), "public_url", a.Config.PublicURL, "version", Version())
	if a.Emulator != nil {
		a.Logger.Info("WhatsApp emulator running: chat as a customer at its page", "url", a.EmulatorURL)
		fmt.Fprintf(a.Stdout, "WhatsApp Cloud API emulator (no Meta credentials set): chat as a customer at %s\n", a.EmulatorURL)
	}

	a.Singletons.Jobs = append(a.singletonJobs(), a.Singletons.Jobs...)
	if a.SingletonOptions != nil {
		a.SingletonOptions(a.Singletons)
	}
	wctx, stopWorkers := context.WithCancel(context.WithoutCancel(ctx))
	var workers errgroup.Group
	for _, job := range a.runWhatsApp(wctx) {
		workers.Go(job)
	}
	// The audit checkpoint is a file in this instance's data directory,
	// so every instance keeps its own.
	workers.Go(func() error { return a.anchorAudit(wctx, a.Config.AuditCheckpointInterval) })
	workers.Go(func() error { return a.Singletons.Run(wctx) })
	errc := make(chan error, 1)
	go func() { errc <- a.server.Serve(a.listener) }()
	if a.metricsServer != nil {
		go func() {
			if err := a.metricsServer.Serve(a.metricsListener); err != nil && !errors.Is(err, http.ErrServerClosed) {
				a.Logger.Error("metrics server stopped", "err", err)
			}
		}()
		defer a.metricsServer.Close()
	}
	select {
	case err := <-errc:
		stopWorkers()
		_ = workers.Wait()
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	// Stop the HTTP side first so nothing new is queued, then the workers.
	defer func() {
		stopWorkers()
		// A worker that returns the cancellation it was asked to stop with
		// stopped normally; anything else is worth an error.
		if err := workers.Wait(); err != nil && !errors.Is(err, context.Canceled) {
			a.Logger.Error("worker stopped with an error", "err", err)
		}
	}()
	a.Logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), a.Config.ShutdownGrace)
	defer cancel()
	// WebSockets are hijacked connections that http.Server.Shutdown does
	// not track: the hub ends them with "going away" and waits for their
	// close handshakes first.
	if err := a.Hub.Shutdown(sctx); err != nil {
		a.Logger.Warn("websockets still open after the grace period", "err", err)
	}
	err := a.server.Shutdown(sctx)
	if errors.Is(err, context.DeadlineExceeded) {
		a.Logger.Warn("requests still running after the grace period; closing them")
		_ = a.server.Close()
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Close releases everything Open acquired.
func (a *App) Close() error {
	var errs []error
	if a.listener != nil {
		_ = a.listener.Close()
	}
	if a.emulatorListener != nil {
		_ = a.emulatorListener.Close()
	}
	if a.metricsListener != nil {
		_ = a.metricsListener.Close()
	}
	if a.Relay != nil {
		a.Relay.Close()
	}
	if a.Hub != nil {
		a.Hub.Close()
	}
	if a.Store != nil {
		errs = append(errs, a.Store.Close())
	}
	if a.unlock != nil {
		// Last: the next serve on this file may start once the store is
		// closed.
		errs = append(errs, a.unlock())
		a.unlock = nil
	}
	return errors.Join(errs...)
}

// expireSessions deletes ended sessions every interval, so the IP addresses
// and user agents of sessions nobody closed are not kept for ever, and
// forgets login throttle entries whose window has passed and
// Idempotency-Keys older than switchboard.IdempotencyKeyTTL.
func (a *App) expireSessions(ctx context.Context, every time.Duration) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		now := a.Service.Clock.Now()
		n, err := a.Store.DeleteExpiredSessions(ctx, now.Add(-a.Service.SessionIdle), now)
		if err != nil && ctx.Err() == nil {
			a.Logger.Warn("delete expired sessions", "err", err)
		} else if n > 0 {
			a.Logger.Info("deleted expired sessions", "count", n)
		}
		if n, err := a.Store.DeleteThrottles(ctx, now.Add(-a.Service.Throttle.Window()), now); err != nil && ctx.Err() == nil {
			a.Logger.Warn("delete old login throttle entries", "err", err)
		} else if n > 0 {
			a.Logger.Debug("deleted old login throttle entries", "count", n)
		}
		if n, err := a.Store.DeleteAuthChallenges(ctx, now); err != nil && ctx.Err() == nil {
			a.Logger.Warn("delete expired sign-in challenges", "err", err)
		} else if n > 0 {
			a.Logger.Debug("deleted expired sign-in challenges", "count", n)
		}
		n, err = a.Store.DeleteIdempotencyKeys(ctx, now.Add(-switchboard.IdempotencyKeyTTL))
		if err != nil && ctx.Err() == nil {
			a.Logger.Warn("delete old idempotency keys", "err", err)
		} else if n > 0 {
			a.Logger.Debug("deleted old idempotency keys", "count", n)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
