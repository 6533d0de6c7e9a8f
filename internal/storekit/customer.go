package storekit

import (
	"strings"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/storecrypt"
)

// CustomerConversationsQuery is the query of the conversations of the same
// customer as c on every channel (switchboard.ContactPanelStore's
// CustomerConversationIDs): c's own, and those of the contacts on the other
// channels whose phone number or BSUID has the same blind index there.
// arg binds a value and returns its placeholder, in the store's own syntax;
// the values are bound in the order they appear in the query.
func CustomerConversationsQuery(codec *storecrypt.Codec, c *switchboard.Contact, channels []string, arg func(any) string) string {
	q := `SELECT id FROM conversations WHERE contact_id = ` + arg(c.ID)
	var same []string
	for _, ch := range channels {
		if c.WaID == "" && c.UserID == "" {
			break
		}
		cond := `(channel_id = ` + arg(ch) + ` AND (`
		var hs []string
		if c.WaID != "" {
			hs = append(hs, `wa_id_hash = `+arg(codec.ContactWaIDHash(ch, c.WaID)))
		}
		if c.UserID != "" {
			hs = append(hs, `wa_id_hash = `+arg(codec.ContactWaIDHash(ch, c.UserID)), `user_id_hash = `+arg(codec.ContactUserIDHash(ch, c.UserID)))
		}
		same = append(same, cond+strings.Join(hs, ` OR `)+`))`)
	}
	if len(same) > 0 {
		q += ` OR contact_id IN (SELECT id FROM contacts WHERE ` + strings.Join(same, ` OR `) + `)`
	}
	return q + ` ORDER BY updated_at DESC, id DESC LIMIT ` + arg(switchboard.MaxContactPanelConvs)
}
