package storekit

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/fold"
)

// LabelKey is the stored unique key of a label name: "VIP" and "vip" are
// the same label.
func LabelKey(name string) string { return fold.String(name) }

// ViewKey is the stored key of a saved view's name, unique per user.
func ViewKey(name string) string { return fold.String(name) }

// waitingCursorPrefix marks a cursor of the "waiting" order, so that a
// cursor of one order is refused by the other.
const waitingCursorPrefix = "w1."

// WaitingCursor is the cursor after a conversation in the "waiting" order:
// its waiting time (zero: nobody waits, the end of the order) and id.
func WaitingCursor(since time.Time, id string) string {
	at := "-"
	if !since.IsZero() {
		at = strconv.FormatInt(since.UTC().Truncate(time.Microsecond).UnixMicro(), 10)
	}
	return base64.RawURLEncoding.EncodeToString([]byte(waitingCursorPrefix + at + "." + id))
}

// DecodeWaitingCursor reverses [WaitingCursor]; waiting is false for the
// part of the order where nobody waits. Anything else is EInvalid
// "Invalid cursor.".
func DecodeWaitingCursor(s string) (since time.Time, waiting bool, id string, err error) {
	invalid := switchboard.Errorf(switchboard.EInvalid, "Invalid cursor.")
	if len(s) > 1024 {
		return time.Time{}, false, "", invalid
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return time.Time{}, false, "", invalid
	}
	rest, ok := strings.CutPrefix(string(b), waitingCursorPrefix)
	if !ok {
		return time.Time{}, false, "", invalid
	}
	at, id, ok := strings.Cut(rest, ".")
	if !ok || id == "" {
		return time.Time{}, false, "", invalid
	}
	if at == "-" {
		return time.Time{}, false, id, nil
	}
	us, err := strconv.ParseInt(at, 10, 64)
	if err != nil {
		return time.Time{}, false, "", invalid
	}
	return time.UnixMicro(us).UTC(), true, id, nil
}
