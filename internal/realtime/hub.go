package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/switchboardhq/switchboard"
)

// Defaults for [Options]. A queue holds pointers, 8 bytes a slot, so a
// large one costs little; it must take a whole ingest batch published at
// once (two events for each of up to 2 × 128 messages) with room to spare,
// or healthy sockets are dropped as slow consumers at every burst.
const (
	DefaultHistory      = 10000
	DefaultHistoryBytes = 64 << 20
	DefaultQueueSize    = 1024
	// DefaultMaxPerUser and DefaultMaxSubscribers cap live subscriptions
	// (one per open WebSocket): enough for many tabs and devices, far
	// below what exhausts memory (4,000 sockets took 400 MB).
	DefaultMaxPerUser     = 20
	DefaultMaxSubscribers = 2000
)

// Reasons a [Subscription] ended, as returned by [Subscription.Err].
var (
	// ErrSlowConsumer means the subscriber's queue was full when an event
	// arrived. The client should reconnect with its last event id.
	ErrSlowConsumer = errors.New("realtime: slow consumer")
	// ErrRevoked means the user's access was withdrawn (deactivation,
	// password change) and the client must authenticate again.
	ErrRevoked = errors.New("realtime: access revoked")
	// ErrHubClosed means the hub shut down, usually with the process.
	ErrHubClosed = errors.New("realtime: hub closed")
	// ErrClosed means the subscription's owner called [Subscription.Close].
	ErrClosed = errors.New("realtime: subscription closed")
	// ErrTooManyForUser refuses a subscription when the user already has
	// MaxPerUser of them.
	ErrTooManyForUser = errors.New("realtime: too many connections for this user")
	// ErrTooManySubscribers refuses a subscription when the hub already
	// has MaxSubscribers.
	ErrTooManySubscribers = errors.New("realtime: too many connections")
)

// Interface guard: the inbox use cases publish through the domain interface.
var _ switchboard.EventPublisher = (*Hub)(nil)

// Options configures a [Hub]. The zero value is usable.
type Options struct {
	// History is how many recent events the hub keeps for replay after a
	// reconnect; DefaultHistory if zero or negative.
	History int
	// HistoryBytes bounds the approximate memory of the kept events (their
	// texts and payloads); the oldest are dropped first. DefaultHistoryBytes
	// if zero or negative.
	HistoryBytes int
	// MaxPerUser and MaxSubscribers cap live subscriptions per user and in
	// total; DefaultMaxPerUser and DefaultMaxSubscribers if zero or negative.
	MaxPerUser     int
	MaxSubscribers int
	// QueueSize bounds each subscriber's queue of undelivered live events;
	// DefaultQueueSize if zero or negative.
	QueueSize int
	// Now stamps events that arrive without a time and seeds the ids;
	// time.Now if nil.
	Now func() time.Time
	// Logger receives disconnects of slow consumers; discarded if nil.
	Logger *slog.Logger
	// OnUserGone, if set, is called (on a timer's goroutine) when a
	// user's last subscription was closed by its owner and none opened
	// within IdleGrace: the user closed their last tab (routing sets them
	// offline). A subscription ended by the hub (revoked, slow) whose
	// client reconnects within IdleGrace does not count.
	OnUserGone func(userID string)
	IdleGrace  time.Duration
}

// Stats is a snapshot of a [Hub]'s counters, for /metrics.
type Stats struct {
	Subscribers  int    // live subscriptions
	Published    uint64 // events published since the hub was created
	DroppedSlow  uint64 // subscriptions ended with ErrSlowConsumer
	Revoked      uint64 // subscriptions ended by DisconnectUser
	History      int    // events currently kept for replay
	HistoryBytes int    // their approximate size
	LatestID     int64  // id of the newest event, or the seed minus one before any
}

// Hub fans out published events to subscribers whose filter allows them. It
// is safe for concurrent use.
//
// One mutex guards the ring, the id counter and the subscriber list. Holding
// it while delivering is what makes replay and live delivery meet without a
// gap or a duplicate, and it is cheap because delivery is a non-blocking
// channel send per subscriber.
type Hub struct {
	now       func() time.Time
	log       *slog.Logger
	queueSize int
	maxUser   int
	maxSubs   int

	mu     sync.Mutex
	ring   ring
	latest int64 // id of the newest event published
	// evicted is the id of the newest event no longer in the ring (the seed
	// minus one before any eviction): a client whose last id is below it has
	// missed events that cannot be replayed.
	evicted int64
	subs    []*Subscription
	nextSub uint64
	closed  bool
	// owned counts subscriptions whose owner has not called Close yet, so
	// Shutdown can wait for sockets to finish their close handshake.
	owned   int
	drained chan struct{} // closed when closed && owned == 0

	published, droppedSlow, revoked uint64

	// relay, when set, makes the hub one of several instances sharing a
	// log of events ([Relay]): Publish hands events to it, ids are the
	// log's positions, and replay reads the log for what the ring lacks.
	relay     *Relay
	onGone    func(string)
	idleGrace time.Duration
	// perUser counts each user's subscriptions not yet closed by their
	// owner, for OnUserGone.
	perUser map[string]int
}

// NewHub returns a hub ready for use. Its first event id is opts.Now() in
// Unix microseconds; see the package documentation for why.
func NewHub(opts Options) *Hub {
	if opts.History <= 0 {
		opts.History = DefaultHistory
	}
	if opts.QueueSize <= 0 {
		opts.QueueSize = DefaultQueueSize
	}
	if opts.HistoryBytes <= 0 {
		opts.HistoryBytes = DefaultHistoryBytes
	}
	if opts.MaxPerUser <= 0 {
		opts.MaxPerUser = DefaultMaxPerUser
	}
	if opts.MaxSubscribers <= 0 {
		opts.MaxSubscribers = DefaultMaxSubscribers
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	seed := opts.Now().UnixMicro()
	return &Hub{
		now:       opts.Now,
		log:       opts.Logger,
		queueSize: opts.QueueSize,
		maxUser:   opts.MaxPerUser,
		maxSubs:   opts.MaxSubscribers,
		ring: ring{buf: make([]*Entry, opts.History), size: make([]int, opts.History),
			maxBytes: opts.HistoryBytes},
		latest:    seed - 1,
		evicted:   seed - 1,
		drained:   make(chan struct{}),
		onGone:    opts.OnUserGone,
		idleGrace: opts.IdleGrace,
		perUser:   map[string]int{},
	}
}

// Publish assigns e the next id, stamps it with the current time if e.At is
// zero, keeps it for replay and queues it for every subscriber whose filter
// allows it. It never blocks on subscribers: one whose queue is full is ended
// with [ErrSlowConsumer]. Events published after [Hub.Close] are dropped.
//
// The hub keeps e and hands it to many readers: callers must not modify
// e.Data after publishing. With a [Relay] attached, the event goes to the
// shared log instead and comes back to this hub (and every other instance's)
// from there, with its position as id.
func (h *Hub) Publish(ctx context.Context, e switchboard.Event) {
	if e.At.IsZero() {
		e.At = h.now()
	}
	// Filters read these during replay long after the caller returned, so
	// the hub takes its own copies.
	e.Assignees = slices.Clone(e.Assignees)
	e.Mentioned = slices.Clone(e.Mentioned)
	e.Also = slices.Clone(e.Also)
	if h.relay != nil {
		h.relay.Publish(ctx, e)
		return
	}
	h.fanOut(&Entry{Event: e}, false)
}

// deliver fans out an event read from the shared log, whose id is its
// position; one at or below the newest id is a repeat and dropped.
func (h *Hub) deliver(e switchboard.Event) {
	h.fanOut(&Entry{Event: e}, true)
}

// fanOut keeps en and queues it for every subscriber that may see it; with
// keepID its id is the log's, otherwise the hub assigns the next.
func (h *Hub) fanOut(en *Entry, keepID bool) {
	var slow []*Subscription
	h.mu.Lock()
	if h.closed || (keepID && en.Event.ID <= h.latest) {
		h.mu.Unlock()
		return
	}
	if keepID {
		h.latest = en.Event.ID
	} else {
		h.latest++
		en.Event.ID = h.latest
	}
	if en.Event.Type == "" {
		// A log row that could not be opened: its position is used up.
		h.mu.Unlock()
		return
	}
	if id, ok := h.ring.push(en, eventSize(&en.Event)); ok {
		h.evicted = id
	}
	h.published++
	// Iterate backwards so ending a subscriber, which moves the last one into
	// its slot, does not skip anyone.
	for i := len(h.subs) - 1; i >= 0; i-- {
		s := h.subs[i]
		if en.Event.ID <= s.after || !s.allow(&en.Event) {
			continue
		}
		select {
		case s.events <- en:
		default:
			h.endLocked(s, ErrSlowConsumer)
			h.droppedSlow++
			slow = append(slow, s)
		}
	}
	h.mu.Unlock()

	// Logged outside the lock: a slow log handler must not stall publishing.
	for _, s := range slow {
		h.log.Warn("realtime: disconnecting slow consumer",
			"user_id", s.userID, "subscription", s.id, "queue_size", cap(s.events))
	}
}

// Subscribe registers a subscriber for userID. allow decides, at publish time
// and during replay, whether the user may see an event; it runs under the
// hub's lock, so it must be fast and must not call the hub. A typical filter
// is switchboard.CanSeeEvent with the actor read from an atomic pointer, so
// role changes apply to the next event.
//
// With lastID 0 the subscription receives live events only. Otherwise it
// first receives every kept event with an id above lastID that allow passes,
// then live events, with no gap and no duplicate between the two. If events
// after lastID are no longer kept, or lastID is above the newest id (it came
// from another process), the first event is a [switchboard.EventResync]
// carrying the newest id, and nothing is replayed.
//
// Subscribe fails with [ErrHubClosed] after [Hub.Close], and with
// [ErrTooManyForUser] or [ErrTooManySubscribers] over the caps.
func (h *Hub) Subscribe(userID string, allow func(*switchboard.Event) bool, lastID int64) (*Subscription, error) {
	if allow == nil {
		return nil, errors.New("realtime: subscribe: nil filter")
	}
	var back backlog
	if h.relay != nil && lastID != 0 {
		back = h.readBacklog(lastID)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, ErrHubClosed
	}
	if len(h.subs) >= h.maxSubs {
		return nil, ErrTooManySubscribers
	}
	mine := 0
	for _, s := range h.subs {
		if s.userID == userID {
			mine++
		}
	}
	if mine >= h.maxUser {
		return nil, ErrTooManyForUser
	}

	var (
		replay []*Entry
		resync bool
		after  int64
	)
	switch {
	case lastID == 0:
	case h.relay != nil && (back.resync || max(lastID, back.floor) < h.evicted):
		// Too old for the log, or the ring dropped events while the log
		// was read (far behind either way).
		resync = true
	case h.relay != nil && lastID > h.latest:
		// The client saw newer events on another instance: this one's
		// relay catches up and skips what the client has.
		after = lastID
	case h.relay == nil && (lastID < h.evicted || lastID > h.latest):
		resync = true
	default:
		list := back.events
		for i := h.ring.after(max(lastID, back.floor)); i < h.ring.len(); i++ {
			list = append(list, h.ring.at(i))
		}
		// A conversation's newest kept event carries its current
		// assignees and channel: every change publishes one.
		current := map[string]*switchboard.Event{}
		for i := len(list) - 1; i >= 0; i-- {
			if e := list[i]; e.Event.ConversationID != "" && current[e.Event.ConversationID] == nil {
				current[e.Event.ConversationID] = &e.Event
			}
		}
		for _, e := range list {
			if replayable(userID, allow, &e.Event, current[e.Event.ConversationID]) {
				replay = append(replay, e)
			}
		}
	}

	// The queue grows by the replay so that a reconnect after a burst is not
	// immediately a slow consumer again; it is still bounded by History.
	size := h.queueSize + len(replay)
	if resync {
		size++
	}
	h.nextSub++
	s := &Subscription{
		hub:    h,
		id:     h.nextSub,
		userID: userID,
		allow:  allow,
		events: make(chan *Entry, size),
		done:   make(chan struct{}),
		idx:    len(h.subs),
		after:  after,
	}
	if resync {
		s.events <- &Entry{Event: switchboard.Event{ID: h.latest, Type: switchboard.EventResync, At: h.now()}}
	}
	for _, e := range replay {
		s.events <- e
	}
	h.subs = append(h.subs, s)
	h.owned++
	h.perUser[userID]++
	return s, nil
}

// backlog is what [Hub.readBacklog] found in the shared log: the events
// after a client's last id up to floor, where the ring began when it
// looked (the ring replays the rest), or that the client must resync.
type backlog struct {
	events []*Entry
	floor  int64
	resync bool
}

// backlogTimeout bounds the log reads of one reconnect.
const backlogTimeout = 10 * time.Second

// readBacklog reads, without the hub's lock, the events after lastID that
// the ring no longer (or never) kept. A failed read asks for a resync.
func (h *Hub) readBacklog(lastID int64) backlog {
	h.mu.Lock()
	floor, latest := h.evicted, h.latest
	h.mu.Unlock()
	if lastID >= floor && lastID <= latest {
		return backlog{floor: floor}
	}
	ctx, cancel := context.WithTimeout(context.Background(), backlogTimeout)
	defer cancel()
	log := h.relay.Log
	oldest, newest, err := log.LiveEventBounds(ctx)
	switch {
	case err != nil:
		h.log.Warn("realtime: reading the event log's bounds", "err", err)
		return backlog{resync: true}
	case lastID > latest:
		// Ahead of this instance: fine if the log has it (another
		// instance showed it), not if it came from elsewhere.
		return backlog{floor: floor, resync: lastID > newest}
	case lastID < oldest-1:
		// Older than the log's retention.
		return backlog{resync: true}
	}
	var out []*Entry
	for cur := lastID; cur < floor; {
		es, err := log.LiveEventsAfter(ctx, cur, backlogPage)
		if err != nil {
			h.log.Warn("realtime: reading the event log", "err", err)
			return backlog{resync: true}
		}
		for _, e := range es {
			if e.ID > floor {
				break
			}
			cur = e.ID
			if e.Type != "" {
				out = append(out, &Entry{Event: e})
			}
		}
		if len(out) > len(h.ring.buf) {
			// More than a ring's worth behind: the replay would not fit
			// the queue it is made for.
			return backlog{resync: true}
		}
		if len(es) < backlogPage || es[len(es)-1].ID > floor {
			break
		}
	}
	return backlog{events: out, floor: floor}
}

const backlogPage = 1000

// replayable reports whether a kept event is replayed to userID: allow must
// pass it both as it was published and with its conversation's current
// assignees and channel (cur, the conversation's newest kept event), so
// that an employee unassigned since does not receive, on a reconnect with
// an old last_id, the messages of the time they were assigned. An event
// that names the user in Also (e.g. their own unassignment) is replayed as
// published.
func replayable(userID string, allow func(*switchboard.Event) bool, e, cur *switchboard.Event) bool {
	if !allow(e) {
		return false
	}
	if cur == nil || cur == e || slices.Contains(e.Also, userID) {
		return true
	}
	probe := *e
	probe.ChannelID, probe.Assignees, probe.Mentioned, probe.Also = cur.ChannelID, cur.Assignees, cur.Mentioned, nil
	return allow(&probe)
}

// DisconnectUser ends every subscription of userID with [ErrRevoked]. Call
// it when the user is deactivated or their password or role changes in a way
// that must end open sessions.
func (h *Hub) DisconnectUser(userID string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := len(h.subs) - 1; i >= 0; i-- {
		if s := h.subs[i]; s.userID == userID {
			h.endLocked(s, ErrRevoked)
			h.revoked++
		}
	}
}

// Stats returns a snapshot of the hub's counters.
func (h *Hub) Stats() Stats {
	h.mu.Lock()
	defer h.mu.Unlock()
	return Stats{
		Subscribers:  len(h.subs),
		Published:    h.published,
		DroppedSlow:  h.droppedSlow,
		Revoked:      h.revoked,
		History:      h.ring.len(),
		HistoryBytes: h.ring.bytes,
		LatestID:     h.latest,
	}
}

// Close ends every subscription with [ErrHubClosed]; later calls to Subscribe
// fail and later events are dropped. [Serve] answers by closing its socket
// with status 1001 (going away). Close is idempotent.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	h.closed = true
	for i := len(h.subs) - 1; i >= 0; i-- {
		h.endLocked(h.subs[i], ErrHubClosed)
	}
	if h.owned == 0 {
		close(h.drained)
	}
}

// Shutdown closes the hub and waits until the owner of every subscription
// has called [Subscription.Close] (for [Serve], once the socket's close
// handshake is over) or ctx ends. http.Server.Shutdown does not wait for
// hijacked connections, so the composition root calls this first.
func (h *Hub) Shutdown(ctx context.Context) error {
	h.Close()
	select {
	case <-h.drained:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// endLocked removes s from the subscriber list and ends it with err. h.mu
// must be held; sends happen only under it too, so closing the channel here
// cannot race with a send.
func (h *Hub) endLocked(s *Subscription, err error) {
	last := len(h.subs) - 1
	h.subs[s.idx] = h.subs[last]
	h.subs[s.idx].idx = s.idx
	h.subs[last] = nil
	h.subs = h.subs[:last]
	s.idx = -1
	s.err = err
	close(s.done)
	close(s.events)
}

// Subscription is one subscriber's stream of events. Its owner reads
// [Subscription.Events] until [Subscription.Done] is closed, and calls
// [Subscription.Close] when finished.
type Subscription struct {
	hub    *Hub
	id     uint64 // for logs only
	userID string
	allow  func(*switchboard.Event) bool
	events chan *Entry
	done   chan struct{}

	// Guarded by hub.mu.
	idx      int // position in hub.subs, -1 once ended
	err      error
	released bool
	// after: live events up to this id reached the client before it came
	// to this instance (shared log only); they are not sent again.
	after int64
}

// Events returns the subscription's events in id order. The channel is closed
// when the subscription ends; events still buffered may be read, but an owner
// that must stop at once (a slow or revoked client) watches
// [Subscription.Done] first.
func (s *Subscription) Events() <-chan *Entry { return s.events }

// Entry is a published event as the hub keeps it and hands it to every
// subscriber that may see it: one shared value, so that its JSON is
// encoded once however many sockets send it. Readers must not modify it.
type Entry struct {
	Event switchboard.Event

	once sync.Once
	json []byte
	err  error
}

// JSON returns the event's JSON encoding, made by the first caller and
// shared with every later one.
func (e *Entry) JSON() ([]byte, error) {
	e.once.Do(func() { e.json, e.err = json.Marshal(&e.Event) })
	return e.json, e.err
}

// Done returns a channel that is closed when the subscription ends.
func (s *Subscription) Done() <-chan struct{} { return s.done }

// Err returns why the subscription ended: [ErrSlowConsumer], [ErrRevoked],
// [ErrHubClosed] or [ErrClosed]; nil while it is open.
func (s *Subscription) Err() error {
	s.hub.mu.Lock()
	defer s.hub.mu.Unlock()
	return s.err
}

// Close ends the subscription, if the hub has not already, and releases it
// for [Hub.Shutdown]. It is idempotent.
func (s *Subscription) Close() {
	h := s.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	if s.idx >= 0 {
		h.endLocked(s, ErrClosed)
	}
	if s.released {
		return
	}
	s.released = true
	h.owned--
	if h.closed && h.owned == 0 {
		close(h.drained)
	}
	if h.perUser[s.userID]--; h.perUser[s.userID] <= 0 {
		delete(h.perUser, s.userID)
		if h.onGone != nil && !h.closed {
			id := s.userID
			time.AfterFunc(h.idleGrace, func() { h.userGone(id) })
		}
	}
}

// userGone calls OnUserGone for userID unless a subscription of theirs
// opened within the grace time.
func (h *Hub) userGone(userID string) {
	h.mu.Lock()
	back := h.perUser[userID] > 0
	h.mu.Unlock()
	if !back {
		h.onGone(userID)
	}
}

// ring is a circular buffer of events in id order, bounded by a count (the
// buffer's length) and by the approximate bytes of the events it keeps.
type ring struct {
	buf      []*Entry
	size     []int // eventSize of buf[i]
	head, n  int   // index of the oldest event, number kept
	bytes    int   // sum of size over the kept events
	maxBytes int
}

func (r *ring) len() int { return r.n }

// at returns the i-th oldest event.
func (r *ring) at(i int) *Entry {
	return r.buf[(r.head+i)%len(r.buf)]
}

// push appends e of approximate size sz, dropping the oldest events while
// the ring is full or over its byte budget (it always keeps e itself), and
// returns the id of the newest event it dropped.
func (r *ring) push(e *Entry, sz int) (evicted int64, ok bool) {
	for r.n > 0 && (r.n == len(r.buf) || r.bytes+sz > r.maxBytes) {
		evicted, ok = r.buf[r.head].Event.ID, true
		r.bytes -= r.size[r.head]
		r.buf[r.head], r.size[r.head] = nil, 0
		r.head = (r.head + 1) % len(r.buf)
		r.n--
	}
	i := (r.head + r.n) % len(r.buf)
	r.buf[i], r.size[i] = e, sz
	r.n++
	r.bytes += sz
	return evicted, ok
}

// eventSize estimates the memory an event holds: a fixed overhead plus the
// variable-length texts and payloads of its data.
func eventSize(e *switchboard.Event) int {
	n := 256 + 40*(len(e.Assignees)+len(e.Mentioned)+len(e.Also))
	switch d := e.Data.(type) {
	case *switchboard.Message:
		c := &d.Content
		n += 512 + len(c.Text) + len(c.Contacts) + len(c.Referral) + len(c.Raw)
		if c.Location != nil {
			n += len(c.Location.Name) + len(c.Location.Address) + len(c.Location.URL)
		}
		if c.Media != nil {
			n += len(c.Media.Filename)
		}
		if d.Error != nil {
			n += len(d.Error.Title) + len(d.Error.Details)
		}
	case json.RawMessage: // read from the shared log
		n += len(d)
	case *switchboard.Conversation:
		n += 1024
		if d.LastMessage != nil {
			n += len(d.LastMessage.Text)
		}
	default:
		n += 512
	}
	return n
}

// after returns the index of the oldest event with an id above id.
func (r *ring) after(id int64) int {
	return sort.Search(r.len(), func(i int) bool { return r.at(i).Event.ID > id })
}
