package switchboard

// Queue claims (ClaimWebhooks, ClaimOutbox, ClaimWebhookDeliveries,
// ClaimMediaDownloads) are bounded twice: by a number of rows and by the
// bytes of their payloads, so one claim of large rows cannot take the
// memory of many. The stores select candidates in queue order with the
// size of each payload, ask ClaimTake how many to take, and lease only
// those.

// DefaultClaimBytes is the byte budget of a claim whose caller gives none
// (maxBytes <= 0).
const DefaultClaimBytes int64 = 8 << 20

// ClaimTake returns how many of the candidates, in queue order with the
// payload sizes given, one claim takes under a budget of maxBytes
// (DefaultClaimBytes when maxBytes <= 0): rows are taken in order while
// the sum of their sizes stays within the budget, and the first row
// always, so that a row larger than the budget still progresses, alone.
// The claim stops at the first row that does not fit rather than skipping
// it for smaller ones behind it: queue order is kept.
func ClaimTake(sizes []int64, maxBytes int64) int {
	if maxBytes <= 0 {
		maxBytes = DefaultClaimBytes
	}
	var sum int64
	for i, n := range sizes {
		if i > 0 && sum+n > maxBytes {
			return i
		}
		sum += n
	}
	return len(sizes)
}
