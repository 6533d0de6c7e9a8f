package sqlite_test

import (
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
