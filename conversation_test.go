package switchboard_test

import (
	"encoding/json"
	"github.com/switchboardhq/switchboard"
	"strings"
	"testing"
	"time"
)

func TestConversationJSON(t *testing.T) {
	c := &switchboard.Conversation{ID: "x", Assignees: []switchboard.UserRef{}, LastInboundAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"window_closes_at":"2026-01-03T03:04:05Z"`) || strings.Count(string(b), "last_inbound_at") != 1 {
		t.Fatal(string(b))
	}
	b, _ = json.Marshal(&switchboard.Conversation{})
	if !strings.Contains(string(b), `"window_closes_at":null`) || !strings.Contains(string(b), `"last_inbound_at":null`) {
		t.Fatal(string(b))
	}
}
