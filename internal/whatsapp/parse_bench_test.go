package whatsapp

import (
	"os"
	"path/filepath"
	"testing"
)

func BenchmarkParseNotification(b *testing.B) {
	for _, name := range []string{"text_reply", "batch", "status_delivered_read"} {
		body, err := os.ReadFile(filepath.Join("testdata", "webhooks", name+".json"))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ParseNotification(body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
