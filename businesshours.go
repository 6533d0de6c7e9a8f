package switchboard

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"slices"
	"time"
)

// BusinessHours is when a channel's team works: opening intervals per
// weekday in a time zone, and whole days off. The reports measure response
// and resolution times both on the clock and within these hours (a
// customer who writes on Friday evening and is answered on Monday morning
// waited minutes of business time, not a weekend).
type BusinessHours struct {
	// TimeZone is an IANA zone such as Europe/Berlin.
	TimeZone string `json:"time_zone"`
	// Week holds the opening intervals of each weekday, Monday first; a day
	// without intervals is closed.
	Week [7][]BusinessInterval `json:"week"`
	// Holidays are closed dates (YYYY-MM-DD, in TimeZone), sorted.
	Holidays []string `json:"holidays"`
}

// BusinessInterval is one opening interval of a day, as "HH:MM" local
// times; Close "24:00" means until midnight.
type BusinessInterval struct {
	Open  string `json:"open"`
	Close string `json:"close"`
}

// MaxHolidays bounds the closed dates a channel keeps.
const MaxHolidays = 366

// maxIntervalsPerDay bounds the opening intervals of one weekday.
const maxIntervalsPerDay = 4

// minutesOf parses "HH:MM" (00:00–24:00) into minutes since midnight.
func minutesOf(s string) (int, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	digit := func(b byte) (int, bool) { return int(b - '0'), b >= '0' && b <= '9' }
	h1, ok1 := digit(s[0])
	h2, ok2 := digit(s[1])
	m1, ok3 := digit(s[3])
	m2, ok4 := digit(s[4])
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return 0, false
	}
	h, m := h1*10+h2, m1*10+m2
	if m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, false
	}
	return h*60 + m, true
}

// Validate checks the hours and returns a clear EInvalid error for the
// first problem: an unknown time zone, a malformed or empty interval,
// overlapping intervals, too many of them, or a malformed holiday.
func (b *BusinessHours) Validate() error {
	if b.TimeZone == "" || b.TimeZone == "Local" {
		return Errorf(EInvalid, "Business hours need a time zone such as Europe/Berlin.")
	}
	if _, err := time.LoadLocation(b.TimeZone); err != nil {
		return Errorf(EInvalid, "Unknown time zone %q: use an IANA name such as Europe/Berlin.", b.TimeZone)
	}
	days := [7]string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
	for d, ivs := range b.Week {
		if len(ivs) > maxIntervalsPerDay {
			return Errorf(EInvalid, "%s has %d opening intervals; at most %d are allowed.", days[d], len(ivs), maxIntervalsPerDay)
		}
		spans := make([][2]int, 0, len(ivs))
		for _, iv := range ivs {
			o, ok1 := minutesOf(iv.Open)
			c, ok2 := minutesOf(iv.Close)
			if !ok1 || !ok2 {
				return Errorf(EInvalid, "%s: opening times must look like 09:00 and 17:30 (00:00 to 24:00).", days[d])
			}
			if c <= o {
				return Errorf(EInvalid, "%s: %s to %s closes before it opens.", days[d], iv.Open, iv.Close)
			}
			spans = append(spans, [2]int{o, c})
		}
		slices.SortFunc(spans, func(x, y [2]int) int { return x[0] - y[0] })
		for i := 1; i < len(spans); i++ {
			if spans[i][0] < spans[i-1][1] {
				return Errorf(EInvalid, "%s: opening intervals overlap.", days[d])
			}
		}
	}
	open := false
	for _, ivs := range b.Week {
		open = open || len(ivs) > 0
	}
	if !open {
		return Errorf(EInvalid, "Business hours need at least one opening interval; remove them instead to count every hour.")
	}
	if len(b.Holidays) > MaxHolidays {
		return Errorf(EInvalid, "At most %d closed days are allowed.", MaxHolidays)
	}
	for _, h := range b.Holidays {
		if _, err := time.Parse("2006-01-02", h); err != nil {
			return Errorf(EInvalid, "Closed day %q must be a date like 2026-12-24.", h)
		}
	}
	return nil
}

// Normalize sorts each day's intervals and the holidays and drops duplicate
// holidays, so that equal hours compare and store alike. Call it after
// Validate.
func (b *BusinessHours) Normalize() {
	for d := range b.Week {
		slices.SortFunc(b.Week[d], func(x, y BusinessInterval) int {
			xo, _ := minutesOf(x.Open)
			yo, _ := minutesOf(y.Open)
			return xo - yo
		})
		if b.Week[d] == nil {
			b.Week[d] = []BusinessInterval{}
		}
	}
	slices.Sort(b.Holidays)
	b.Holidays = slices.Compact(b.Holidays)
	if b.Holidays == nil {
		b.Holidays = []string{}
	}
}

// BusinessClock measures time within business hours. Build it once with
// [BusinessHours.Clock] and reuse it: it holds the parsed schedule.
type BusinessClock struct {
	loc      *time.Location
	week     [7][][2]int // minutes since local midnight, sorted
	holidays map[string]bool
	weekly   time.Duration // open time of a week without holidays
}

// Clock parses b (which must be valid) into a [BusinessClock].
func (b *BusinessHours) Clock() (*BusinessClock, error) {
	if err := b.Validate(); err != nil {
		return nil, err
	}
	loc, _ := time.LoadLocation(b.TimeZone)
	c := &BusinessClock{loc: loc, holidays: make(map[string]bool, len(b.Holidays))}
	for d, ivs := range b.Week {
		for _, iv := range ivs {
			o, _ := minutesOf(iv.Open)
			cl, _ := minutesOf(iv.Close)
			c.week[d] = append(c.week[d], [2]int{o, cl})
			c.weekly += time.Duration(cl-o) * time.Minute
		}
		slices.SortFunc(c.week[d], func(x, y [2]int) int { return x[0] - y[0] })
	}
	for _, h := range b.Holidays {
		c.holidays[h] = true
	}
	return c, nil
}

// Fingerprint identifies the schedule c measures by (time zone, weekly
// intervals, closed days): two clocks with the same fingerprint measure
// alike. A nil clock (every hour counts) has fingerprint 0.
func (c *BusinessClock) Fingerprint() uint64 {
	if c == nil {
		return 0
	}
	h := fnv.New64a()
	fmt.Fprint(h, c.loc.String(), c.week)
	days := make([]string, 0, len(c.holidays))
	for d := range c.holidays {
		days = append(days, d)
	}
	slices.Sort(days)
	fmt.Fprint(h, days)
	return h.Sum64() | 1 // never 0
}

// Between returns the business time within [from, to): the parts of it
// that fall into an opening interval of a day that is not a holiday, on
// local wall clocks (a day that daylight saving time shortens is open by
// its wall-clock intervals). It is 0 when to is not after from.
func (c *BusinessClock) Between(from, to time.Time) time.Duration {
	if !to.After(from) {
		return 0
	}
	var total time.Duration
	lf := from.In(c.loc)
	day := time.Date(lf.Year(), lf.Month(), lf.Day(), 0, 0, 0, 0, c.loc)
	// Whole weeks without holidays in between are counted at once, so a
	// conversation left open for a year costs 52 steps, not 365.
	for day.Before(to) {
		next := time.Date(day.Year(), day.Month(), day.Day()+7, 0, 0, 0, 0, c.loc)
		// A week whose clocks change (not 7×24 h long) is walked
		// day by day: an interval across the change is longer or shorter.
		if day.After(from) && !next.After(to) && next.Sub(day) == 7*24*time.Hour && !c.holidayWithin(day, 7) {
			total += c.weekly
			day = next
			continue
		}
		total += c.day(day, from, to)
		day = time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, c.loc)
	}
	return total
}

func (c *BusinessClock) holidayWithin(day time.Time, n int) bool {
	if len(c.holidays) == 0 {
		return false
	}
	for i := 0; i < n; i++ {
		if c.holidays[time.Date(day.Year(), day.Month(), day.Day()+i, 0, 0, 0, 0, c.loc).Format("2006-01-02")] {
			return true
		}
	}
	return false
}

// day is the business time of the local day starting at day within
// [from, to).
func (c *BusinessClock) day(day, from, to time.Time) time.Duration {
	if len(c.holidays) > 0 && c.holidays[day.Format("2006-01-02")] {
		return 0
	}
	wd := (int(day.Weekday()) + 6) % 7 // Monday = 0
	var total time.Duration
	for _, iv := range c.week[wd] {
		o := time.Date(day.Year(), day.Month(), day.Day(), iv[0]/60, iv[0]%60, 0, 0, c.loc)
		cl := time.Date(day.Year(), day.Month(), day.Day(), iv[1]/60, iv[1]%60, 0, 0, c.loc)
		if o.Before(from) {
			o = from
		}
		if cl.After(to) {
			cl = to
		}
		if cl.After(o) {
			total += cl.Sub(o)
		}
	}
	return total
}

// OptionalBusinessHours is the business-hours field of a channel change:
// Set when the field was given at all, Hours nil to remove them. Its JSON
// is the hours object or null.
type OptionalBusinessHours struct {
	Set   bool
	Hours *BusinessHours
}

// UnmarshalJSON reads the hours object, or null to remove them; unknown
// fields are refused like everywhere in the API.
func (o *OptionalBusinessHours) UnmarshalJSON(b []byte) error {
	o.Set, o.Hours = true, nil
	if string(bytes.TrimSpace(b)) == "null" {
		return nil
	}
	var wire struct {
		TimeZone string               `json:"time_zone"`
		Week     [][]BusinessInterval `json:"week"` // a slice: an array would drop an eighth day
		Holidays []string             `json:"holidays"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&wire); err != nil || len(wire.Week) != 7 {
		return Errorf(EInvalid, "business_hours must be an object with time_zone, week (7 lists of {open, close}, Monday first) and holidays, or null.")
	}
	h := BusinessHours{TimeZone: wire.TimeZone, Holidays: wire.Holidays}
	copy(h.Week[:], wire.Week)
	o.Hours = &h
	return nil
}

// AwayMessageDue reports whether the channel's away message answers the
// inbound message in: the channel has one and business hours, and the
// customer wrote (not an echo of the business app, not the opening of the
// chat, which the welcome message answers) at a time outside them, to a
// conversation people answer (a bot answers its own). Sending it once per
// conversation is the caller's part.
func AwayMessageDue(ch *Channel, c *Conversation, in InboundMessage) bool {
	if ch == nil || c == nil || ch.AwayMessage == "" || ch.BusinessHours == nil || in.Message == nil || in.Echo() {
		return false
	}
	m := in.Message
	if m.Direction == DirectionOut || m.Type == TypeRequestWelcome || m.Type == TypeSystem || m.Type == TypeReaction {
		return false
	}
	if c.Handler == HandlerBot {
		return false
	}
	clock, err := ch.BusinessHours.Clock()
	if err != nil {
		return false
	}
	return !clock.Open(m.Timestamp)
}
