package sqlite_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/switchboardhq/switchboard/internal/storetest"
)

func BenchmarkReceiveMessage(b *testing.B) {
	b.Run("serial", func(b *testing.B) { storetest.BenchReceiveMessage(b, mustOpen(b)) })
	b.Run("parallel", func(b *testing.B) { storetest.BenchReceiveMessageParallel(b, mustOpen(b)) })
}

func BenchmarkConversations(b *testing.B) {
	storetest.BenchConversations(b, mustOpen(b))
}

func BenchmarkEnqueueWebhook(b *testing.B) {
	storetest.BenchEnqueueWebhook(b, mustOpen(b))
}

func BenchmarkApplyStatus(b *testing.B) {
	storetest.BenchApplyStatus(b, mustOpen(b))
}

func BenchmarkReceiveBatch(b *testing.B) {
	for _, n := range []int{1, 8, 32, 128} {
		b.Run(fmt.Sprint(n), func(b *testing.B) { storetest.BenchReceiveBatch(b, mustOpen(b), n) })
	}
}

func BenchmarkDeleteExpired(b *testing.B) {
	storetest.BenchDeleteExpired(b, mustOpen(b))
}

func BenchmarkCountConversations(b *testing.B) {
	storetest.BenchCountConversations(b, mustOpen(b))
}

// BenchmarkClaimWebhooks compares a claim bounded by count only (the
// behaviour before the byte budget) with one under 2 MB of bodies.
func BenchmarkClaimWebhooks(b *testing.B) {
	b.Run("count-only", func(b *testing.B) { storetest.BenchClaimWebhooks(b, mustOpen(b), math.MaxInt64) })
	b.Run("2MB", func(b *testing.B) { storetest.BenchClaimWebhooks(b, mustOpen(b), 2<<20) })
}
