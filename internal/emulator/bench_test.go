package emulator

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkInboundDelivery measures customer message → signed webhook POST → 200.
func BenchmarkInboundDelivery(b *testing.B) {
	en := newEnv(b, func(c *Config) { c.Concurrency = 4 })
	b.ResetTimer()
	for i := range b.N {
		if _, err := en.e.CustomerSend(context.Background(), CustomerMessage{WaID: fmt.Sprintf("4915%09d", i%1000), Text: "hallo"}); err != nil {
			b.Fatal(err)
		}
	}
	for en.e.Stats().Webhooks.Delivered < b.N {
		time.Sleep(time.Millisecond)
	}
}
