// Package emulator imitates Meta's WhatsApp Cloud API (Graph endpoints and
// webhook delivery) so Switchboard runs and is tested without Meta.
//
// The emulator is Meta's side of the wire, written from Meta's documentation
// (see /work/shared/whatsapp-cloud-api.md): it accepts Graph API calls
// (send messages, media upload/retrieval/download, template listing), plays
// virtual customers whose phones receive what the business sends, and pushes
// signed webhook notifications with Meta's batching, duplicates, reordering
// and retry behaviour. It deliberately depends on nothing else in Switchboard.
package emulator

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Number is one business phone number registered in the emulated WABA.
type Number struct {
	// PhoneNumberID is the Graph id used in /{v}/{PhoneNumberID}/messages.
	PhoneNumberID string `json:"phone_number_id"`
	// DisplayPhoneNumber is the number customers see, digits only (metadata.display_phone_number).
	DisplayPhoneNumber string `json:"display_phone_number"`
	// WABAID is the WhatsApp Business Account id, sent as entry[].id in webhooks.
	WABAID string `json:"waba_id"`
}

// StatusDelays says how long after acceptance each status is reached.
type StatusDelays struct {
	// Sent is the delay until the "sent" status (default 100ms).
	Sent time.Duration
	// Delivered is the delay until "delivered" (default 500ms).
	Delivered time.Duration
	// Read is the delay until the customer auto-reads (default 2s); negative means never
	// (the message is then only read through ReadAll).
	Read time.Duration
}

// Faults are injected failures; they can be changed at runtime with SetFaults.
type Faults struct {
	// ErrorRate is the probability that a Graph request fails with HTTP 500, code 131000.
	ErrorRate float64 `json:"error_rate"`
	// Latency is added before every Graph response.
	Latency time.Duration `json:"latency"`
	// DropRate is the probability that an accepted message never produces any status.
	DropRate float64 `json:"drop_rate"`
	// FailFirst makes each distinct send (POST /messages with the same body)
	// fail its first FailFirst attempts with HTTP 500, code 131000, and
	// succeed after that: a deterministic schedule for testing retries,
	// where ErrorRate may by chance fail one message more often than the
	// sender retries.
	FailFirst int `json:"fail_first"`
}

// RetryPolicy controls webhook redelivery, which Meta performs with exponential
// backoff for up to seven days when the receiver does not answer 200 in time.
type RetryPolicy struct {
	// Initial is the first backoff (default 1s).
	Initial time.Duration
	// Factor multiplies the backoff after each failed attempt (default 2).
	Factor float64
	// Max caps the backoff (default 1 minute; Meta's real cap is far longer).
	Max time.Duration
	// MaxAge drops a notification whose first attempt is older than this (default 7 days, like Meta).
	MaxAge time.Duration
	// Timeout bounds one POST to the receiver (default 5s, what BSPs enforce).
	Timeout time.Duration
}

// PairRate limits messages from one business number to one customer. Meta allows
// about one message every 6 s per pair with bursts of up to 45 (dossier §8);
// exceeding it returns error 131056.
type PairRate struct {
	// Burst is the bucket size (default 45); negative disables the limit.
	Burst int
	// Every is the refill interval for one message (default 6s).
	Every time.Duration
}

// Config configures an Emulator. Zero values select Meta-like defaults.
type Config struct {
	// PhoneNumbers are the business numbers; at least one is required.
	PhoneNumbers []Number
	// AccessToken is the bearer token the Graph endpoints accept.
	AccessToken string
	// AppSecret keys the X-Hub-Signature-256 HMAC of every webhook body.
	AppSecret string
	// WebhookURL receives notifications; empty means notifications are only counted.
	WebhookURL string
	// BaseURL is this emulator's absolute base for links (media URLs, paging);
	// empty means it is derived from the Host of incoming requests.
	BaseURL string
	// HTTPClient posts webhooks and fetches media links (default: a plain client).
	// Redirects are never followed, like Meta.
	HTTPClient *http.Client
	// Logger receives operational logs; message contents and tokens are never logged.
	Logger *slog.Logger
	// Now is the clock (default time.Now); tests inject a controllable one.
	Now func() time.Time
	// StatusDelays schedule sent/delivered/read.
	StatusDelays StatusDelays
	// MaxBatch is the most messages/statuses put in one POST (default 1).
	MaxBatch int
	// BatchWindow is how long a ready notification may wait for companions (default 0).
	BatchWindow time.Duration
	// DuplicateRate is the probability a notification is delivered twice.
	DuplicateRate float64
	// ReorderRate is the probability a notification is held back by ReorderDelay,
	// so that later ones overtake it.
	ReorderRate float64
	// ReorderDelay is how long a reordered notification is held (default 1s).
	ReorderDelay time.Duration
	// Throughput is the messages per second per phone number (default 80, Meta's default);
	// negative disables. Exceeding it returns HTTP 400 code 130429.
	Throughput int
	// PairRate is the business→user pair limit (error 131056).
	PairRate PairRate
	// Faults are the initial injected faults.
	Faults Faults
	// Retry is the webhook redelivery policy.
	Retry RetryPolicy
	// MaxPending bounds queued notifications (default 10000); beyond it new ones are dropped and counted.
	MaxPending int
	// Concurrency is the number of parallel webhook POSTs (default 1, which keeps
	// delivery order deterministic when ReorderRate is 0).
	Concurrency int
	// PollInterval is how often the Run loop looks at the clock (default 10ms).
	PollInterval time.Duration
	// NotOnWhatsApp lists wa_ids that are not WhatsApp users; an entry ending in "*"
	// is a prefix. Default {"4900*"}. Messages to them fail asynchronously with 131026.
	NotOnWhatsApp []string
	// Templates replaces the default template set (see DefaultTemplates).
	Templates []Template
	// Seed makes all randomness deterministic; 0 picks a random seed.
	Seed int64
	// StateFile, when set, keeps the virtual customers and their service
	// windows across restarts in this small JSON file (read by New, written
	// by Run about once a second after a change, and by Close), so a reply
	// to a chat from before a restart is delivered as it would be by Meta.
	StateFile string
}

// Emulator is an in-memory imitation of the WhatsApp Cloud API. Create it with New,
// serve Handler, and call Run so that statuses and webhooks flow.
type Emulator struct {
	cfg     Config
	log     *slog.Logger
	now     func() time.Time
	client  *http.Client
	numbers map[string]Number // by phone number id

	// lifetime ends background work (link fetches, virtual customers) on Close.
	lifetime context.Context
	stop     context.CancelFunc
	bg       sync.WaitGroup

	wake chan struct{}

	mu          sync.Mutex
	idRand      *rand.Rand // ids: drawn only on request/customer paths so they stay reproducible
	chaosRand   *rand.Rand // duplicates, reordering, faults
	faults      Faults
	baseURL     string
	templates   []Template
	media       map[string]*mediaObject
	lookaside   map[string]lookasideGrant
	customers   map[string]*customer
	byUserID    map[string]string // BSUID → wa_id
	outbound    map[string]*outMsg
	inbound     map[string]*inMsg
	lastInbound map[pairKey]time.Time
	blocked     map[pairKey]time.Time  // Block Users API: since when
	typing      map[string][]time.Time // typing indicators per wa_id (last 20)
	tput        map[string]*tputWindow
	pairs       map[pairKey]*bucket
	events      eventHeap
	seq         uint64
	pending     []*whItem
	deliveries  []*delivery
	inflight    map[uint64]*delivery
	stats       counters
	customersOn context.CancelFunc
	attempts    map[[32]byte]int // Faults.FailFirst: send attempts seen per request body
	// customersRate and customersN are the last StartCustomers arguments.
	customersRate float64
	customersN    int
	// dirty: customers or windows changed since the last saveState.
	dirty  bool
	saveMu sync.Mutex
}

type pairKey struct{ pnid, waID string }

// New validates cfg, fills defaults and returns an Emulator.
func New(cfg Config) (*Emulator, error) {
	if len(cfg.PhoneNumbers) == 0 {
		return nil, errors.New("emulator: at least one phone number is required")
	}
	if cfg.AccessToken == "" {
		return nil, errors.New("emulator: AccessToken is required")
	}
	if cfg.AppSecret == "" {
		return nil, errors.New("emulator: AppSecret is required")
	}
	nums := make(map[string]Number, len(cfg.PhoneNumbers))
	for _, n := range cfg.PhoneNumbers {
		if n.PhoneNumberID == "" || n.WABAID == "" || !isDigits(n.DisplayPhoneNumber) {
			return nil, fmt.Errorf("emulator: phone number %+v needs PhoneNumberID, WABAID and a digits-only DisplayPhoneNumber", n)
		}
		nums[n.PhoneNumberID] = n
	}
	applyDefaults(&cfg)
	client := *cfg.HTTPClient // copy: we must not change the caller's redirect policy
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	seed := uint64(cfg.Seed)
	if cfg.Seed == 0 {
		seed = rand.Uint64()
	}
	ctx, cancel := context.WithCancel(context.Background())
	e := &Emulator{
		cfg:         cfg,
		log:         cfg.Logger,
		now:         cfg.Now,
		client:      &client,
		numbers:     nums,
		lifetime:    ctx,
		stop:        cancel,
		wake:        make(chan struct{}, 1),
		idRand:      rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)),
		chaosRand:   rand.New(rand.NewPCG(seed^0x5bd1e995, 0xc2b2ae3d27d4eb4f)),
		faults:      cfg.Faults,
		baseURL:     strings.TrimRight(cfg.BaseURL, "/"),
		templates:   append([]Template(nil), cfg.Templates...),
		media:       map[string]*mediaObject{},
		lookaside:   map[string]lookasideGrant{},
		customers:   map[string]*customer{},
		byUserID:    map[string]string{},
		outbound:    map[string]*outMsg{},
		inbound:     map[string]*inMsg{},
		lastInbound: map[pairKey]time.Time{},
		blocked:     map[pairKey]time.Time{},
		typing:      map[string][]time.Time{},
		tput:        map[string]*tputWindow{},
		pairs:       map[pairKey]*bucket{},
		inflight:    map[uint64]*delivery{},
		stats:       newCounters(),
	}
	if e.templates == nil {
		e.templates = DefaultTemplates()
	}
	if cfg.StateFile != "" {
		if err := e.loadState(); err != nil {
			cancel()
			return nil, err
		}
	}
	return e, nil
}

func applyDefaults(c *Config) {
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.StatusDelays == (StatusDelays{}) {
		c.StatusDelays = StatusDelays{Sent: 100 * time.Millisecond, Delivered: 500 * time.Millisecond, Read: 2 * time.Second}
	}
	if c.MaxBatch <= 0 {
		c.MaxBatch = 1
	}
	if c.ReorderDelay <= 0 {
		c.ReorderDelay = time.Second
	}
	if c.Throughput == 0 {
		c.Throughput = 80
	}
	if c.PairRate.Burst == 0 {
		c.PairRate.Burst = 45
	}
	if c.PairRate.Every <= 0 {
		c.PairRate.Every = 6 * time.Second
	}
	r := &c.Retry
	if r.Initial <= 0 {
		r.Initial = time.Second
	}
	if r.Factor < 1 {
		r.Factor = 2
	}
	if r.Max <= 0 {
		r.Max = time.Minute
	}
	if r.MaxAge <= 0 {
		r.MaxAge = 7 * 24 * time.Hour
	}
	if r.Timeout <= 0 {
		r.Timeout = 5 * time.Second
	}
	if c.MaxPending <= 0 {
		c.MaxPending = 10000
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 1
	}
	if c.PollInterval <= 0 {
		c.PollInterval = 10 * time.Millisecond
	}
	if c.NotOnWhatsApp == nil {
		c.NotOnWhatsApp = []string{"4900*"}
	}
}

// Handler returns the single mux serving the Graph endpoints, the lookaside
// media host, the control API under /emulator/api/ and the web page.
func (e *Emulator) Handler() http.Handler {
	mux := http.NewServeMux()
	e.registerWeb(mux)
	control := http.NewServeMux()
	e.registerControl(control)
	mux.Handle("/emulator/api/", guardControl(control))
	mux.HandleFunc("/emulator/lookaside/", e.handleLookaside)
	mux.HandleFunc("/", e.handleGraph)
	return mux
}

// SetFaults replaces the injected faults at runtime; the FailFirst
// attempt counts start again from zero.
func (e *Emulator) SetFaults(f Faults) {
	e.mu.Lock()
	e.faults = f
	e.attempts = nil
	e.mu.Unlock()
}

// CurrentFaults returns the faults in force.
func (e *Emulator) CurrentFaults() Faults {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.faults
}

// Numbers returns the configured business phone numbers.
func (e *Emulator) Numbers() []Number {
	return append([]Number(nil), e.cfg.PhoneNumbers...)
}

// Close stops virtual customers and background fetches and waits for them.
// Run also returns once Close has been called.
func (e *Emulator) Close() error {
	e.stop()
	e.bg.Wait()
	return e.saveState()
}

// Run drives the clock-based machinery: status transitions, batching and webhook
// delivery with retries. It returns when ctx is done or Close is called; nothing
// further is flushed and in-flight POSTs are cancelled.
func (e *Emulator) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-e.lifetime.Done():
			cancel()
		case <-ctx.Done():
		}
	}()

	// Buffered so the next POST is ready the moment a worker frees up; queued
	// deliveries count as in flight and are handed back if Run stops.
	work := make(chan *delivery, e.cfg.Concurrency)
	done := make(chan deliveryResult, e.cfg.Concurrency)
	var workers sync.WaitGroup
	for range e.cfg.Concurrency {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for {
				select {
				case <-ctx.Done():
					return
				case d := <-work:
					res := e.post(ctx, d)
					select {
					case done <- res:
					case <-ctx.Done():
						return
					}
				}
			}
		}()
	}
	defer func() {
		workers.Wait()
		for len(work) > 0 {
			<-work // still recorded in e.inflight, requeued below
		}
		// Attempts cut short by shutdown are not failures: put them back untouched
		// so a later Run resumes them.
		for {
			select {
			case res := <-done:
				e.finish(res)
				continue
			default:
			}
			break
		}
		e.mu.Lock()
		for id, d := range e.inflight {
			delete(e.inflight, id)
			e.deliveries = append(e.deliveries, d)
		}
		e.mu.Unlock()
	}()

	ticker := time.NewTicker(e.cfg.PollInterval)
	defer ticker.Stop()
	var saved time.Time
	defer func() {
		if err := e.saveState(); err != nil {
			e.log.Warn("emulator state not saved", "err", err)
		}
	}()
	for {
		e.step(ctx, work)
		if e.cfg.StateFile != "" && time.Since(saved) >= time.Second {
			saved = time.Now()
			if err := e.saveState(); err != nil {
				e.log.Warn("emulator state not saved", "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ticker.C:
		case <-e.wake:
		case res := <-done:
			e.finish(res)
		}
	}
}

func (e *Emulator) poke() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
