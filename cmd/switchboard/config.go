package main

import (
	"flag"
	"fmt"
	"io"
	"net/netip"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/switchboardhq/switchboard/internal/backup"
	"github.com/switchboardhq/switchboard/internal/s3client"
	"github.com/switchboardhq/switchboard/internal/whatsapp"
)

// graphVersionRE is the shape of a Graph API version as Meta names them
// (v27.0); anything else would only fail later, at the first Graph call.
var graphVersionRE = regexp.MustCompile(`^v[1-9][0-9]*\.[0-9]+$`)

// Config is every setting of the binary. Each is a flag with an environment
// twin; flags win over the environment, the environment over defaults.
type Config struct {
	Addr          string
	DataDir       string
	DatabaseURL   string
	PublicURL     string
	MasterKeyFile string
	// AuditKeyFile keys the audit chain; AuditCheckpointInterval is how
	// often serve anchors the chain's head in the checkpoint file.
	AuditKeyFile            string
	AuditCheckpointInterval time.Duration
	LogLevel                string
	LogFormat               string
	TrustProxy              bool
	// TrustedProxies (SWITCHBOARD_TRUSTED_PROXIES, comma-separated
	// addresses or CIDRs) are the proxies X-Forwarded-For is believed
	// from; parsed into TrustedProxyPrefixes.
	TrustedProxies       string
	TrustedProxyPrefixes []netip.Prefix
	ShutdownGrace        time.Duration

	// The first WhatsApp channel, from the environment.
	WAPhoneNumberID string
	WAWABAID        string
	WAAccessToken   string
	WAAppSecret     string
	WAVerifyToken   string
	WAGraphURL      string
	GraphVersion    string
	SendRate        float64
	// AllowPrivateGraph lets Graph API requests reach loopback and private
	// addresses (docs/security.md); off, only the built-in emulator may.
	AllowPrivateGraph bool

	// Emulator is "auto" (on when no Meta credentials are set), "on" or "off".
	Emulator          string
	EmulatorAddr      string
	EmulatorCustomers float64

	// Backups (docs/backup.md). BackupTo empty turns scheduled backups off.
	BackupTo         string
	BackupInterval   time.Duration
	BackupKeep       int
	BackupKeyFile    string
	BackupS3Endpoint string
	BackupS3Region   string
	BackupS3KeyID    string
	BackupS3Secret   string
	BackupS3Path     bool

	// Media files (docs/deploy.md): MediaStore empty keeps them in
	// <data-dir>/media; s3://bucket/prefix puts them in an S3-compatible
	// bucket that several instances share.
	MediaStore      string
	MediaS3Endpoint string
	MediaS3Region   string
	MediaS3KeyID    string
	MediaS3Secret   string
	MediaS3Path     bool

	// MetricsAddr, when set, serves /metrics there instead of on Addr.
	MetricsAddr string

	// RetentionInterval is how often the retention job runs (docs/gdpr.md);
	// the periods themselves are set per channel.
	RetentionInterval time.Duration

	// TimeZone is the installation's IANA time zone: reports count days in
	// it unless a request asks for another (docs/reports.md).
	TimeZone string
	// WebhookAllowHosts are host names outgoing webhooks may reach at
	// private addresses and over plain http (comma-separated).
	WebhookAllowHosts string
	// Events is how live events reach WebSockets: "auto" (the default:
	// "postgres" on PostgreSQL, "memory" on SQLite), "postgres" (through
	// the database, so that several instances serve one stream) or
	// "memory" (this process only: one instance).
	Events string
}

// SharedEvents reports whether live events go through the database's log
// (docs/architecture.md, "Events across instances").
func (c *Config) SharedEvents() bool {
	return c.Events == "postgres" || (c.Events == "auto" && c.Postgres())
}

// EmulatorOn reports whether the built-in Cloud API emulator runs.
func (c *Config) EmulatorOn() bool {
	return c.Emulator == "on" || (c.Emulator == "auto" && c.WAPhoneNumberID == "")
}

// setting describes one flag and its environment variable, for --help.
type setting struct {
	flag, env, def, help string
	group                settingGroup
}

// settingGroup names a group of settings; each command registers as flags
// only the groups it reads, so its --help lists nothing it ignores.
type settingGroup uint

const (
	groupLog         settingGroup = 1 << iota // log level and format
	groupDatabase                             // data dir, database, master key
	groupServer                               // listen address, public URL, metrics, timeouts, retention schedule
	groupWhatsApp                             // the first channel, Graph version, send rate
	groupEmulator                             // the built-in Cloud API emulator
	groupBackupKey                            // the backup key file
	groupBackupPlace                          // where backups are: directory or S3 and its credentials
	groupBackupPlan                           // interval and number kept, for scheduled backups
	groupMedia                                // where media files are: data dir or S3 and its credentials

	// groupAll is what serve reads.
	groupAll = groupLog | groupDatabase | groupServer | groupWhatsApp | groupEmulator | groupBackupKey | groupBackupPlace | groupBackupPlan | groupMedia
	// groupStore is what a command that opens the database reads.
	groupStore = groupLog | groupDatabase
)

func settings(c *Config) ([]setting, map[string]any) {
	s := []setting{
		{"addr", "SWITCHBOARD_ADDR", "127.0.0.1:8080", "address to listen on", groupServer},
		{"data-dir", "SWITCHBOARD_DATA_DIR", "./data", "directory for the SQLite database, media files and the master key (and the default place of the backup key)", groupDatabase | groupBackupKey},
		{"database-url", "SWITCHBOARD_DATABASE_URL", "", "database: empty for SQLite in the data dir, a file path or sqlite:// URL for SQLite, postgres://… for PostgreSQL", groupDatabase},
		{"public-url", "SWITCHBOARD_PUBLIC_URL", "", "URL users reach Switchboard at (https:// makes cookies Secure); default http://<addr>", groupServer},
		{"master-key-file", "SWITCHBOARD_MASTER_KEY_FILE", "", "file holding the master encryption key; default <data-dir>/master.key, created with mode 0600 if absent", groupDatabase},
		{"metrics-addr", "SWITCHBOARD_METRICS_ADDR", "", "serve /metrics on this separate address (e.g. 127.0.0.1:9090) instead of the main one", groupServer},
		{"log-level", "SWITCHBOARD_LOG_LEVEL", "info", "debug, info, warn or error", groupLog},
		{"log-format", "SWITCHBOARD_LOG_FORMAT", "text", "text or json", groupLog},
		{"audit-key-file", "SWITCHBOARD_AUDIT_KEY_FILE", "", "file holding the key of the audit log's MAC chain; default audit.key beside the master key file, created with mode 0600 if absent", groupDatabase},
		{"audit-checkpoint-interval", "SWITCHBOARD_AUDIT_CHECKPOINT_INTERVAL", "1m", "how often serve records the audit chain's head in <data-dir>/audit-checkpoint.json", groupServer},
		{"trust-proxy", "SWITCHBOARD_TRUST_PROXY", "false", "take client addresses from X-Forwarded-For (only behind a reverse proxy)", groupServer},
		{"trusted-proxies", "SWITCHBOARD_TRUSTED_PROXIES", "", "with trust-proxy, the proxies' addresses or CIDRs (comma-separated) whose X-Forwarded-For is believed; empty: loopback and private ranges", groupServer},
		{"shutdown-grace", "SWITCHBOARD_SHUTDOWN_GRACE", "20s", "how long in-flight requests may take to finish on SIGTERM", groupServer},
		{"wa-phone-number-id", "SWITCHBOARD_WA_PHONE_NUMBER_ID", "", "first WhatsApp channel: Meta's phone number id", groupWhatsApp},
		{"wa-waba-id", "SWITCHBOARD_WA_WABA_ID", "", "first WhatsApp channel: WhatsApp Business Account id (for templates)", groupWhatsApp},
		{"wa-access-token", "SWITCHBOARD_WA_ACCESS_TOKEN", "", "first WhatsApp channel: permanent access token (prefer the environment over the flag)", groupWhatsApp},
		{"wa-app-secret", "SWITCHBOARD_WA_APP_SECRET", "", "first WhatsApp channel: app secret that signs webhooks", groupWhatsApp},
		{"wa-verify-token", "SWITCHBOARD_WA_VERIFY_TOKEN", "", "first WhatsApp channel: webhook verify token you enter at Meta", groupWhatsApp},
		{"wa-graph-url", "SWITCHBOARD_WA_GRAPH_URL", "", "first WhatsApp channel: Graph API base URL; empty for https://graph.facebook.com", groupWhatsApp},
		{"graph-version", "SWITCHBOARD_GRAPH_VERSION", whatsapp.DefaultVersion, "Graph API version, e.g. v25.0 (older versions work until Meta retires them)", groupWhatsApp},
		{"allow-private-graph", "SWITCHBOARD_ALLOW_PRIVATE_GRAPH", "false", "let channels' Graph URLs reach loopback and private addresses (an emulator or proxy on your network); the built-in emulator needs no such permission", groupWhatsApp},
		{"send-rate", "SWITCHBOARD_SEND_RATE", "80", "messages per second per channel (Meta's default 80, up to 1000)", groupWhatsApp},
		{"emulator", "SWITCHBOARD_EMULATOR", "auto", "built-in WhatsApp Cloud API emulator: auto (on without Meta credentials), on or off", groupEmulator},
		{"emulator-addr", "SWITCHBOARD_EMULATOR_ADDR", "127.0.0.1:8081", "address of the emulator (its customer chat page and Graph API)", groupEmulator},
		{"emulator-customers", "SWITCHBOARD_EMULATOR_CUSTOMERS", "0.2", "messages per second the emulator's virtual customers write in (0 for none)", groupEmulator},
		{"backup-to", "SWITCHBOARD_BACKUP_TO", "", "where backups go: a directory or s3://bucket/prefix; set, serve makes scheduled backups", groupBackupPlace},
		{"backup-interval", "SWITCHBOARD_BACKUP_INTERVAL", "1h", "time between scheduled backups", groupBackupPlan},
		{"backup-keep", "SWITCHBOARD_BACKUP_KEEP", "48", "how many backups to keep; older ones are deleted after a successful backup", groupBackupPlan},
		{"backup-key-file", "SWITCHBOARD_BACKUP_KEY_FILE", "", "file holding the backup encryption key; default <data-dir>/backup.key, created with mode 0600 if absent (keep a copy off the server)", groupBackupKey},
		{"backup-s3-endpoint", "SWITCHBOARD_BACKUP_S3_ENDPOINT", "", "S3-compatible endpoint, host[:port] or URL (http:// disables TLS); empty for AWS", groupBackupPlace},
		{"backup-s3-region", "SWITCHBOARD_BACKUP_S3_REGION", "", "S3 region", groupBackupPlace},
		{"backup-s3-access-key-id", "SWITCHBOARD_BACKUP_S3_ACCESS_KEY_ID", "", "S3 access key id", groupBackupPlace},
		{"backup-s3-secret-access-key", "SWITCHBOARD_BACKUP_S3_SECRET_ACCESS_KEY", "", "S3 secret access key (prefer the environment over the flag)", groupBackupPlace},
		{"backup-s3-path-style", "SWITCHBOARD_BACKUP_S3_PATH_STYLE", "false", "address buckets as endpoint/bucket (most self-hosted S3 services need this)", groupBackupPlace},
		{"retention-interval", "SWITCHBOARD_RETENTION_INTERVAL", "1h", "how often to delete messages older than their channel's retention period (set per channel; off by default)", groupServer},
		{"media-store", "SWITCHBOARD_MEDIA_STORE", "", "where media files are kept: empty for <data-dir>/media, or s3://bucket/prefix (encrypted as on disk) for several instances", groupMedia},
		{"media-s3-endpoint", "SWITCHBOARD_MEDIA_S3_ENDPOINT", "", "media S3-compatible endpoint, host[:port] or URL (http:// disables TLS); empty for AWS", groupMedia},
		{"media-s3-region", "SWITCHBOARD_MEDIA_S3_REGION", "", "media S3 region", groupMedia},
		{"media-s3-access-key-id", "SWITCHBOARD_MEDIA_S3_ACCESS_KEY_ID", "", "media S3 access key id", groupMedia},
		{"media-s3-secret-access-key", "SWITCHBOARD_MEDIA_S3_SECRET_ACCESS_KEY", "", "media S3 secret access key (prefer the environment over the flag)", groupMedia},
		{"media-s3-path-style", "SWITCHBOARD_MEDIA_S3_PATH_STYLE", "false", "address the media bucket as endpoint/bucket (most self-hosted S3 services need this)", groupMedia},
		{"webhook-allow-hosts", "SWITCHBOARD_WEBHOOK_ALLOW_HOSTS", "", "comma-separated host names that outgoing webhooks may reach although they resolve to loopback or private addresses, and over plain http", groupServer},
		{"events", "SWITCHBOARD_EVENTS", "auto", "how live events reach WebSockets: auto (postgres on PostgreSQL, memory on SQLite), postgres (through the database, for several instances) or memory (this instance only)", groupServer},
		{"timezone", "SWITCHBOARD_TIMEZONE", "Europe/Berlin", "the installation's IANA time zone; reports count days in it unless a request asks for another", groupServer},
	}
	dst := map[string]any{
		"addr": &c.Addr, "data-dir": &c.DataDir, "database-url": &c.DatabaseURL,
		"public-url": &c.PublicURL, "master-key-file": &c.MasterKeyFile,
		"audit-key-file": &c.AuditKeyFile, "audit-checkpoint-interval": &c.AuditCheckpointInterval,
		"metrics-addr": &c.MetricsAddr,
		"log-level":    &c.LogLevel, "log-format": &c.LogFormat, "trust-proxy": &c.TrustProxy, "trusted-proxies": &c.TrustedProxies,
		"shutdown-grace":     &c.ShutdownGrace,
		"wa-phone-number-id": &c.WAPhoneNumberID, "wa-waba-id": &c.WAWABAID, "wa-access-token": &c.WAAccessToken,
		"wa-app-secret": &c.WAAppSecret, "wa-verify-token": &c.WAVerifyToken, "wa-graph-url": &c.WAGraphURL,
		"graph-version": &c.GraphVersion, "send-rate": &c.SendRate, "allow-private-graph": &c.AllowPrivateGraph,
		"emulator": &c.Emulator, "emulator-addr": &c.EmulatorAddr, "emulator-customers": &c.EmulatorCustomers,
		"backup-to": &c.BackupTo, "backup-interval": &c.BackupInterval, "backup-keep": &c.BackupKeep,
		"backup-key-file": &c.BackupKeyFile, "backup-s3-endpoint": &c.BackupS3Endpoint, "backup-s3-region": &c.BackupS3Region,
		"backup-s3-access-key-id": &c.BackupS3KeyID, "backup-s3-secret-access-key": &c.BackupS3Secret, "backup-s3-path-style": &c.BackupS3Path,
		"retention-interval": &c.RetentionInterval, "timezone": &c.TimeZone,
		"webhook-allow-hosts": &c.WebhookAllowHosts, "events": &c.Events,
		"media-store": &c.MediaStore, "media-s3-endpoint": &c.MediaS3Endpoint, "media-s3-region": &c.MediaS3Region,
		"media-s3-access-key-id": &c.MediaS3KeyID, "media-s3-secret-access-key": &c.MediaS3Secret, "media-s3-path-style": &c.MediaS3Path,
	}
	return s, dst
}

// parseConfig fills a Config from args and the environment. Only the
// settings in groups become flags of the command; the others keep their
// defaults (or environment values) so that the Config stays complete.
func parseConfig(name string, groups settingGroup, args []string, getenv func(string) string, extra func(*flag.FlagSet), out io.Writer) (*Config, *flag.FlagSet, error) {
	c := &Config{}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	if out != nil {
		fs.SetOutput(out)
	}
	// Settings a command does not read are parsed on a flag set of their
	// own that never sees the arguments.
	unlisted := flag.NewFlagSet(name, flag.ContinueOnError)
	list, dst := settings(c)
	if err := registerSettings(fs, unlisted, groups, list, dst, getenv); err != nil {
		return nil, nil, err
	}
	if extra != nil {
		extra(fs)
	}
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: switchboard %s [flags]\n\nFlags (each also read from its environment variable):\n", name)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, nil, err
	}
	if err := c.finish(); err != nil {
		return nil, nil, err
	}
	return c, fs, nil
}

// registerSettings defines a flag for each setting, its default taken from
// the environment variable when that is set. Settings outside groups go
// onto unlisted, which never sees the arguments.
func registerSettings(fs, unlisted *flag.FlagSet, groups settingGroup, list []setting, dst map[string]any, getenv func(string) string) error {
	for _, s := range list {
		def := s.def
		if v := getenv(s.env); v != "" {
			def = v
		}
		help := fmt.Sprintf("%s (env %s)", s.help, s.env)
		target := fs
		if s.group&groups == 0 {
			target = unlisted
		}
		switch p := dst[s.flag].(type) {
		case *string:
			target.StringVar(p, s.flag, def, help)
		case *bool:
			b, err := strconv.ParseBool(def)
			if err != nil {
				return fmt.Errorf("%s: %q is not true or false", s.env, def)
			}
			target.BoolVar(p, s.flag, b, help)
		case *float64:
			f, err := strconv.ParseFloat(def, 64)
			if err != nil {
				return fmt.Errorf("%s: %q is not a number", s.env, def)
			}
			target.Float64Var(p, s.flag, f, help)
		case *int:
			n, err := strconv.Atoi(def)
			if err != nil {
				return fmt.Errorf("%s: %q is not a whole number", s.env, def)
			}
			target.IntVar(p, s.flag, n, help)
		case *time.Duration:
			d, err := time.ParseDuration(def)
			if err != nil {
				return fmt.Errorf("%s: %q is not a duration such as 20s", s.env, def)
			}
			target.DurationVar(p, s.flag, d, help)
		default:
			panic("setting " + s.flag + " has no destination")
		}
	}
	return nil
}

// finish derives defaults that depend on other settings and checks values.
func (c *Config) finish() error {
	if c.DataDir == "" {
		return fmt.Errorf("data dir must not be empty")
	}
	if c.MasterKeyFile == "" {
		c.MasterKeyFile = filepath.Join(c.DataDir, "master.key")
	}
	for _, f := range strings.Split(c.TrustedProxies, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f)
			if aerr != nil {
				return fmt.Errorf("trusted proxy %q must be an IP address or a CIDR such as 10.0.0.0/8", f)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		c.TrustedProxyPrefixes = append(c.TrustedProxyPrefixes, p.Masked())
	}
	if c.AuditKeyFile == "" {
		c.AuditKeyFile = filepath.Join(filepath.Dir(c.MasterKeyFile), "audit.key")
	}
	if c.AuditCheckpointInterval < time.Second {
		return fmt.Errorf("audit checkpoint interval %v must be at least 1s", c.AuditCheckpointInterval)
	}
	if c.PublicURL == "" {
		c.PublicURL = "http://" + c.Addr
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	if !strings.HasPrefix(c.PublicURL, "http://") && !strings.HasPrefix(c.PublicURL, "https://") {
		return fmt.Errorf("public URL %q must start with http:// or https://", c.PublicURL)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("log level %q must be debug, info, warn or error", c.LogLevel)
	}
	switch c.Emulator {
	case "auto", "on", "off":
	default:
		return fmt.Errorf("emulator %q must be auto, on or off", c.Emulator)
	}
	switch {
	case c.Events != "auto" && c.Events != "postgres" && c.Events != "memory":
		return fmt.Errorf("events %q must be auto, postgres or memory", c.Events)
	case c.Events == "postgres" && !c.Postgres():
		return fmt.Errorf("events %q needs a PostgreSQL database URL", c.Events)
	}
	if !graphVersionRE.MatchString(c.GraphVersion) {
		return fmt.Errorf("graph API version %q must look like %s (a \"v\", major and minor number)", c.GraphVersion, whatsapp.DefaultVersion)
	}
	if c.SendRate <= 0 || c.SendRate > 1000 {
		return fmt.Errorf("send rate %v must be between 0 and 1000 messages per second", c.SendRate)
	}
	if c.EmulatorCustomers < 0 || c.EmulatorCustomers > 10000 {
		return fmt.Errorf("emulator customers %v must be between 0 and 10000 messages per second", c.EmulatorCustomers)
	}
	if c.WAPhoneNumberID != "" && (c.WAAccessToken == "" || c.WAAppSecret == "" || c.WAVerifyToken == "") {
		return fmt.Errorf("SWITCHBOARD_WA_PHONE_NUMBER_ID needs SWITCHBOARD_WA_ACCESS_TOKEN, SWITCHBOARD_WA_APP_SECRET and SWITCHBOARD_WA_VERIFY_TOKEN too")
	}
	if c.BackupKeyFile == "" {
		c.BackupKeyFile = filepath.Join(c.DataDir, "backup.key")
	}
	if c.BackupInterval < time.Minute {
		return fmt.Errorf("backup interval %v must be at least 1m", c.BackupInterval)
	}
	if c.RetentionInterval < time.Second {
		return fmt.Errorf("retention interval %v must be at least 1s", c.RetentionInterval)
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil || c.TimeZone == "" || c.TimeZone == "Local" {
		return fmt.Errorf("time zone %q must be an IANA time zone such as Europe/Berlin", c.TimeZone)
	}
	if c.BackupKeep < 1 {
		return fmt.Errorf("backup keep %d must be at least 1", c.BackupKeep)
	}
	if c.MediaStore != "" && !strings.HasPrefix(c.MediaStore, "s3://") {
		return fmt.Errorf("media store %q must be empty (files in <data-dir>/media) or s3://bucket/prefix", c.MediaStore)
	}
	if c.MediaStore == "" && (c.MediaS3Endpoint != "" || c.MediaS3KeyID != "" || c.MediaS3Secret != "") {
		return fmt.Errorf("media S3 settings are set but SWITCHBOARD_MEDIA_STORE is not: set it to s3://bucket/prefix, or remove them to keep media in <data-dir>/media")
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		return fmt.Errorf("log format %q must be text or json", c.LogFormat)
	}
	return nil
}

// Postgres reports whether the database URL selects PostgreSQL.
func (c *Config) Postgres() bool {
	return strings.HasPrefix(c.DatabaseURL, "postgres://") || strings.HasPrefix(c.DatabaseURL, "postgresql://")
}

// SQLitePath returns the SQLite database file.
func (c *Config) SQLitePath() string {
	switch {
	case c.DatabaseURL == "":
		return filepath.Join(c.DataDir, "switchboard.db")
	case strings.HasPrefix(c.DatabaseURL, "sqlite://"):
		return strings.TrimPrefix(c.DatabaseURL, "sqlite://")
	}
	return c.DatabaseURL
}

// MediaS3 returns the S3 settings for the media store.
func (c *Config) MediaS3() s3client.Config {
	return s3client.Config{Endpoint: c.MediaS3Endpoint, Region: c.MediaS3Region,
		AccessKeyID: c.MediaS3KeyID, SecretAccessKey: c.MediaS3Secret, PathStyle: c.MediaS3Path}
}

// BackupS3 returns the S3 settings for backup locations.
func (c *Config) BackupS3() backup.S3Config {
	return backup.S3Config{Endpoint: c.BackupS3Endpoint, Region: c.BackupS3Region,
		AccessKeyID: c.BackupS3KeyID, SecretAccessKey: c.BackupS3Secret, PathStyle: c.BackupS3Path}
}
