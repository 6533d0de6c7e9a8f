package reports

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"slices"
	"time"

	"github.com/switchboardhq/switchboard"
)

// The rollups keep the first-response and resolution durations packed per
// UTC day, channel, kind and user ([switchboard.ReportDaySet]): a
// yearly report reads a few thousand rows instead of one row per duration,
// which was most of its time (docs/benchmarks.md). Every duration keeps its
// exact time and start, so a set serves any time zone (a local day is cut
// from two UTC days) and the business time is still measured with the
// channel's hours at report time.

// durationSetVersion is the first byte of a set's data.
const durationSetVersion = 2

// errDaySet is a day set whose data does not decode: a bug or a damaged
// row; `switchboard reports rebuild` writes it again.
var errDaySet = errors.New("reports: damaged rollup day set (run switchboard reports rebuild)")

// dayOf is the UTC midnight of t.
func dayOf(t time.Time) time.Time { return t.UTC().Truncate(24 * time.Hour) }

// packDurations groups durs into sets by UTC day of At, channel, kind and
// user, with their business time measured by h. Each set holds the
// fingerprint of its channel's hours, then, in order of time, the time
// since the previous one (from the day's start, in microseconds), the whole
// seconds, the start relative to the time (microseconds) and the business
// seconds, all in varints.
func packDurations(durs []switchboard.ReportDuration, h Hours) []switchboard.ReportDaySet {
	type key struct {
		day            time.Time
		ch, kind, user string
	}
	order, groups := groupBy(durs, func(d switchboard.ReportDuration) key { return key{dayOf(d.At), d.ChannelID, d.Kind, d.UserID} })
	out := make([]switchboard.ReportDaySet, 0, len(order))
	for _, k := range order {
		ds := groups[k]
		slices.SortStableFunc(ds, func(a, b switchboard.ReportDuration) int {
			return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.Seconds, b.Seconds), a.Start.Compare(b.Start))
		})
		data := binary.AppendUvarint([]byte{durationSetVersion}, h[k.ch].Fingerprint())
		prev := k.day.UnixMicro()
		for _, d := range ds {
			at := d.At.UnixMicro()
			data = binary.AppendUvarint(data, uint64(at-prev))
			data = binary.AppendUvarint(data, uint64(max(d.Seconds, 0)))
			data = binary.AppendVarint(data, d.Start.UnixMicro()-at)
			data = binary.AppendUvarint(data, uint64(h.within(k.ch, d.Start, d.Seconds)/time.Second))
			prev = at
		}
		out = append(out, switchboard.ReportDaySet{Day: k.day, ChannelID: k.ch, Kind: k.kind, UserID: k.user, Data: data})
	}
	return out
}

// groupBy groups vs by key, keys in order of first appearance.
func groupBy[K comparable, V any](vs []V, key func(V) K) ([]K, map[K][]V) {
	groups := map[K][]V{}
	var order []K
	for _, v := range vs {
		k := key(v)
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], v)
	}
	return order, groups
}

// unpackDurations appends the durations of set with a time in [from, to)
// to out.
func unpackDurations(out []switchboard.ReportDuration, set switchboard.ReportDaySet, from, to time.Time) ([]switchboard.ReportDuration, error) {
	data := set.Data
	if len(data) == 0 || data[0] != durationSetVersion {
		return out, errDaySet
	}
	hours, n := binary.Uvarint(data[1:])
	if n <= 0 {
		return out, errDaySet
	}
	data = data[1+n:]
	lo, hi := from.UnixMicro(), to.UnixMicro()
	prev := set.Day.UnixMicro()
	for len(data) > 0 {
		delta, n := binary.Uvarint(data)
		if n <= 0 {
			return out, errDaySet
		}
		data = data[n:]
		secs, n := binary.Uvarint(data)
		if n <= 0 {
			return out, errDaySet
		}
		data = data[n:]
		start, n := binary.Varint(data)
		if n <= 0 {
			return out, errDaySet
		}
		data = data[n:]
		business, n := binary.Uvarint(data)
		if n <= 0 {
			return out, errDaySet
		}
		data = data[n:]
		at := prev + int64(delta)
		prev = at
		if at < lo || at >= hi {
			continue
		}
		out = append(out, switchboard.ReportDuration{Kind: set.Kind, At: time.UnixMicro(at).UTC(), ChannelID: set.ChannelID,
			UserID: set.UserID, Seconds: int64(secs), Start: time.UnixMicro(at + start).UTC(), Business: int64(business), Hours: hours})
	}
	return out, nil
}

// durationKinds are the kinds of the duration sets.
var durationKinds = []string{KindFirst, KindResolution}

// ReadDurations returns the rollups' durations within s of kinds (none:
// every kind), from the store's day sets.
func ReadDurations(ctx context.Context, st switchboard.ReportRollupStore, s switchboard.ReportScope, kinds ...string) ([]switchboard.ReportDuration, error) {
	if len(kinds) == 0 {
		kinds = durationKinds
	}
	sets, err := st.ReportDaySets(ctx, s, kinds)
	if err != nil {
		return nil, err
	}
	// Every varint ends with a byte below 0x80 and a duration has four.
	n := 0
	for _, set := range sets {
		for _, b := range set.Data[min(1, len(set.Data)):] {
			if b < 0x80 {
				n++
			}
		}
	}
	out := make([]switchboard.ReportDuration, 0, n/4)
	for _, set := range sets {
		if out, err = unpackDurations(out, set, s.From, s.To); err != nil {
			return nil, err
		}
	}
	return out, nil
}
