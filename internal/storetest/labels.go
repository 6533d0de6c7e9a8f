package storetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

// testLabels pins labels: the domain's validation on every store, names
// unique compared folded, the list by name, at most MaxLabels, a label on
// a conversation once (idempotent, reported), at most
// MaxConversationLabels on one, conversations that carry their labels by
// name wherever they carry assignees, renames seen by every conversation,
// and a deleted label gone from all of them.
func testLabels(t *testing.T, open Opener) {
	s := open(t)
	ch := mustChannel(t, s)
	conv := mustReceive(t, s, inbound(ch.ID, "4915112345678", "Jürgen", "hi", T0)).Conversation
	if len(conv.Labels) != 0 {
		t.Fatalf("new conversation labels = %#v, want none", conv.Labels)
	}

	wantCode(t, s.CreateLabel(ctx(), &switchboard.Label{Name: " ", Color: "#aabbcc"}), switchboard.EInvalid)
	wantCode(t, s.CreateLabel(ctx(), &switchboard.Label{Name: strings.Repeat("x", 41), Color: "#aabbcc"}), switchboard.EInvalid)
	wantCode(t, s.CreateLabel(ctx(), &switchboard.Label{Name: "ok", Color: "red"}), switchboard.EInvalid)
	wantCode(t, s.CreateLabel(ctx(), &switchboard.Label{Name: "a\nb", Color: "#aabbcc"}), switchboard.EInvalid)

	vip := &switchboard.Label{Name: " VIP ", Color: "#AABBCC", CreatedAt: T0}
	must(t, s.CreateLabel(ctx(), vip))
	if !switchboard.ValidID(vip.ID) || vip.Name != "VIP" || vip.Color != "#aabbcc" || !vip.CreatedAt.Equal(T0) || !vip.UpdatedAt.Equal(T0) {
		t.Fatalf("CreateLabel = %+v", vip)
	}
	err := s.CreateLabel(ctx(), &switchboard.Label{Name: "vip", Color: "#000000"})
	wantCode(t, err, switchboard.EConflict)
	if switchboard.ErrorMessage(err) != switchboard.ErrLabelDuplicate.Message {
		t.Errorf("duplicate error = %q", err)
	}
	billing := &switchboard.Label{Name: "Billing", Color: "#1f883d"}
	must(t, s.CreateLabel(ctx(), billing))
	got, err := s.Label(ctx(), vip.ID)
	must(t, err)
	if got.Name != "VIP" || got.Color != "#aabbcc" || got.CreatedAt.Location() != time.UTC {
		t.Errorf("Label = %+v", got)
	}
	_, err = s.Label(ctx(), switchboard.NewID())
	wantCode(t, err, switchboard.ENotFound)
	list, err := s.Labels(ctx())
	must(t, err)
	if names := labelNames(list); !slices.Equal(names, []string{"Billing", "VIP"}) {
		t.Errorf("Labels = %v", names)
	}

	// On and off a conversation.
	c, changed, err := s.SetConversationLabel(ctx(), conv.ID, vip.ID, true, T0)
	must(t, err)
	if !changed || !slices.Equal(refNames(c.Labels), []string{"VIP"}) || c.Labels[0].Color != "#aabbcc" {
		t.Fatalf("SetConversationLabel on = %v %v", changed, c.Labels)
	}
	_, changed, err = s.SetConversationLabel(ctx(), conv.ID, vip.ID, true, T0)
	must(t, err)
	if changed {
		t.Error("a second SetConversationLabel on reported a change")
	}
	_, _, err = s.SetConversationLabel(ctx(), conv.ID, billing.ID, true, T0)
	must(t, err)
	c, err = s.Conversation(ctx(), conv.ID, "")
	must(t, err)
	if !slices.Equal(refNames(c.Labels), []string{"Billing", "VIP"}) {
		t.Errorf("Conversation labels = %v", refNames(c.Labels))
	}
	page, _, err := s.Conversations(ctx(), switchboard.ConversationFilter{})
	must(t, err)
	if len(page) != 1 || !slices.Equal(refNames(page[0].Labels), []string{"Billing", "VIP"}) {
		t.Errorf("listed labels = %v", page)
	}
	_, _, err = s.SetConversationLabel(ctx(), switchboard.NewID(), vip.ID, true, T0)
	wantCode(t, err, switchboard.ENotFound)
	_, _, err = s.SetConversationLabel(ctx(), conv.ID, switchboard.NewID(), true, T0)
	wantCode(t, err, switchboard.ENotFound)

	// A rename shows on the conversation; a duplicate rename is refused.
	vip.Name, vip.Color = "Very important", "#ff0000"
	must(t, s.UpdateLabel(ctx(), vip))
	if vip.Name != "Very important" || !vip.CreatedAt.Equal(T0) {
		t.Errorf("UpdateLabel = %+v", vip)
	}
	wantCode(t, s.UpdateLabel(ctx(), &switchboard.Label{ID: vip.ID, Name: "BILLING", Color: "#000000"}), switchboard.EConflict)
	wantCode(t, s.UpdateLabel(ctx(), &switchboard.Label{ID: switchboard.NewID(), Name: "x", Color: "#000000"}), switchboard.ENotFound)
	wantCode(t, s.UpdateLabel(ctx(), &switchboard.Label{ID: vip.ID, Name: "x", Color: "#00000"}), switchboard.EInvalid)
	c, err = s.Conversation(ctx(), conv.ID, "")
	must(t, err)
	if !slices.Equal(refNames(c.Labels), []string{"Billing", "Very important"}) || c.Labels[1].Color != "#ff0000" {
		t.Errorf("labels after rename = %v", c.Labels)
	}

	c, changed, err = s.SetConversationLabel(ctx(), conv.ID, billing.ID, false, T0)
	must(t, err)
	if !changed || !slices.Equal(refNames(c.Labels), []string{"Very important"}) {
		t.Errorf("SetConversationLabel off = %v %v", changed, refNames(c.Labels))
	}
	_, changed, err = s.SetConversationLabel(ctx(), conv.ID, billing.ID, false, T0)
	must(t, err)
	if changed {
		t.Error("taking off a label the conversation does not carry reported a change")
	}

	// Deleting a label takes it off every conversation.
	must(t, s.DeleteLabel(ctx(), vip.ID))
	wantCode(t, s.DeleteLabel(ctx(), vip.ID), switchboard.ENotFound)
	c, err = s.Conversation(ctx(), conv.ID, "")
	must(t, err)
	if len(c.Labels) != 0 {
		t.Errorf("labels after delete = %v", refNames(c.Labels))
	}

	// At most MaxConversationLabels on one conversation …
	var ids []string
	for i := len(ids); i < switchboard.MaxConversationLabels+1; i++ {
		l := &switchboard.Label{Name: fmt.Sprintf("L%02d", i), Color: "#123456"}
		must(t, s.CreateLabel(ctx(), l))
		ids = append(ids, l.ID)
	}
	for _, id := range ids[:switchboard.MaxConversationLabels] {
		_, _, err := s.SetConversationLabel(ctx(), conv.ID, id, true, T0)
		must(t, err)
	}
	_, _, err = s.SetConversationLabel(ctx(), conv.ID, ids[switchboard.MaxConversationLabels], true, T0)
	wantCode(t, err, switchboard.EInvalid)
	// … a label it carries may be put on again.
	_, _, err = s.SetConversationLabel(ctx(), conv.ID, ids[0], true, T0)
	must(t, err)

	// … and at most MaxLabels in all.
	list, err = s.Labels(ctx())
	must(t, err)
	for i := len(list); i < switchboard.MaxLabels; i++ {
		must(t, s.CreateLabel(ctx(), &switchboard.Label{Name: fmt.Sprintf("M%03d", i), Color: "#123456"}))
	}
	err = s.CreateLabel(ctx(), &switchboard.Label{Name: "one too many", Color: "#123456"})
	wantCode(t, err, switchboard.EInvalid)
	if switchboard.ErrorMessage(err) != switchboard.ErrTooManyLabels.Message {
		t.Errorf("too many error = %q", err)
	}
}

func labelNames(ls []*switchboard.Label) []string {
	out := []string{}
	for _, l := range ls {
		out = append(out, l.Name)
	}
	return out
}

func refNames(ls []switchboard.LabelRef) []string {
	out := []string{}
	for _, l := range ls {
		out = append(out, l.Name)
	}
	return out
}

// testCombinedFilters pins the list filters that combine with status,
// assignment, channel scope and search: a label, a particular assignee,
// unread for the viewer; the "waiting" order (the oldest unanswered
// customer message first, a reply ends the wait, nobody waiting last) with
// its own cursor; and counts under those filters that equal what the
// lists return.
func testCombinedFilters(t *testing.T, open Opener) {
	s := open(t)
	f := newFixture(t, s)
	j, a, z, ah := f.juergen.ID, f.anna.ID, f.zoe.ID, f.ahmed.ID
	vip := &switchboard.Label{Name: "VIP", Color: "#aabbcc"}
	must(t, s.CreateLabel(ctx(), vip))
	other := &switchboard.Label{Name: "Other", Color: "#aabbcc"}
	must(t, s.CreateLabel(ctx(), other))
	for _, id := range []string{j, z, ah} {
		_, _, err := s.SetConversationLabel(ctx(), id, vip.ID, true, T0)
		must(t, err)
	}
	// The operator read Jürgen's conversation; Anna answered Zoë, then
	// Zoë wrote again; Anna's conversation was answered.
	must(t, s.MarkRead(ctx(), j, f.operator.ID))
	reply := func(convID string, at time.Time) {
		t.Helper()
		_, err := s.CreateOutboundMessage(ctx(), &switchboard.Message{ConversationID: convID, Type: switchboard.TypeText,
			Content: switchboard.MessageContent{Text: "answer"}, SenderID: f.operator.ID, Timestamp: at})
		must(t, err)
	}
	reply(z, T0.Add(10*time.Minute))
	mustReceive(t, s, inbound(f.chB.ID, "493055511122", "Zoë Ångström", "again", T0.Add(11*time.Minute)))
	mustReceive(t, s, inbound(f.chB.ID, "493055511122", "Zoë Ångström", "and again", T0.Add(12*time.Minute)))
	reply(a, T0.Add(13*time.Minute))

	op := f.operator.ID
	for _, tt := range []struct {
		name string
		f    switchboard.ConversationFilter
		want []string
	}{
		{"label", switchboard.ConversationFilter{LabelID: vip.ID}, []string{z, ah, j}},
		{"label nobody carries", switchboard.ConversationFilter{LabelID: other.ID}, nil},
		{"label and open", switchboard.ConversationFilter{LabelID: vip.ID, Status: switchboard.StatusOpen}, []string{z, j}},
		{"label, open, unassigned", switchboard.ConversationFilter{LabelID: vip.ID, Status: switchboard.StatusOpen, Assignment: switchboard.AssignmentUnassigned}, []string{z}},
		{"label and channel B", switchboard.ConversationFilter{LabelID: vip.ID, ChannelIDs: []string{f.chB.ID}}, []string{z}},
		{"assignee staff", switchboard.ConversationFilter{AssigneeID: f.staff.ID}, []string{a, j}},
		{"assignee staff with label", switchboard.ConversationFilter{AssigneeID: f.staff.ID, LabelID: vip.ID}, []string{j}},
		{"assignee operator, mine of staff", switchboard.ConversationFilter{AssigneeID: op, Assignment: switchboard.AssignmentMine, ViewerID: f.staff.ID}, []string{a}},
		{"unread for the operator", switchboard.ConversationFilter{Unread: true, ViewerID: op}, []string{a, z, ah}},
		{"unread, label, open", switchboard.ConversationFilter{Unread: true, ViewerID: op, LabelID: vip.ID, Status: switchboard.StatusOpen}, []string{z}},
		{"unread with search", switchboard.ConversationFilter{Unread: true, ViewerID: op, Query: "jürgen"}, nil},
		{"label within own conversations", switchboard.ConversationFilter{LabelID: vip.ID, OnlyAssignedTo: f.staff.ID, ViewerID: f.staff.ID}, []string{j}},
		{"waiting longest first", switchboard.ConversationFilter{Sort: switchboard.SortWaiting}, []string{j, ah, z, a}},
		{"waiting, open, labelled", switchboard.ConversationFilter{Sort: switchboard.SortWaiting, Status: switchboard.StatusOpen, LabelID: vip.ID}, []string{j, z}},
		{"newest, explicitly", switchboard.ConversationFilter{Sort: switchboard.SortNewest, LabelID: vip.ID}, []string{z, ah, j}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, next, err := s.Conversations(ctx(), tt.f)
			must(t, err)
			if !slices.Equal(convIDs(got), tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
				t.Errorf("Conversations = %v, want %v", convIDs(got), tt.want)
			}
			if next != "" {
				t.Errorf("next = %q, want none", next)
			}
			// Page by one: the same conversations in the same order.
			var paged []string
			pf := tt.f
			pf.Limit = 1
			for i := 0; i < 10; i++ {
				page, next, err := s.Conversations(ctx(), pf)
				must(t, err)
				paged = append(paged, convIDs(page)...)
				if next == "" {
					break
				}
				pf.Cursor = next
			}
			if !slices.Equal(paged, tt.want) && !(len(paged) == 0 && len(tt.want) == 0) {
				t.Errorf("paged = %v, want %v", paged, tt.want)
			}
			// The counts of the filter agree with the lists.
			cf := tt.f
			if cf.ViewerID == "" {
				cf.ViewerID = op
			}
			n, err := s.CountConversations(ctx(), cf)
			must(t, err)
			want := countByList(t, s, cf)
			if *n != want {
				t.Errorf("CountConversations = %+v, want %+v (from the lists)", *n, want)
			}
		})
	}
	// A cursor of one order is refused by the other.
	pf := switchboard.ConversationFilter{Limit: 1}
	_, next, err := s.Conversations(ctx(), pf)
	must(t, err)
	_, _, err = s.Conversations(ctx(), switchboard.ConversationFilter{Limit: 1, Sort: switchboard.SortWaiting, Cursor: next})
	wantCode(t, err, switchboard.EInvalid)
	_, _, err = s.Conversations(ctx(), switchboard.ConversationFilter{Sort: "oldest"})
	wantCode(t, err, switchboard.EInvalid)
	_, _, err = s.Conversations(ctx(), switchboard.ConversationFilter{Unread: true})
	wantCode(t, err, switchboard.EInvalid)
}

// countByList computes what CountConversations must return for f from
// the lists themselves: each filter's list, counted.
func countByList(t *testing.T, s switchboard.Store, f switchboard.ConversationFilter) switchboard.ConversationCounts {
	t.Helper()
	count := func(status switchboard.ConversationStatus, assignment string) int {
		g := f
		g.Status, g.Assignment, g.Limit, g.Cursor, g.Sort = status, assignment, 200, "", ""
		list, _, err := s.Conversations(ctx(), g)
		must(t, err)
		return len(list)
	}
	return switchboard.ConversationCounts{
		All:        count(f.Status, switchboard.AssignmentAll),
		Unassigned: count(f.Status, switchboard.AssignmentUnassigned),
		Assigned:   count(f.Status, switchboard.AssignmentAssigned),
		Mine:       count(f.Status, switchboard.AssignmentMine),
		Open:       count(switchboard.StatusOpen, f.Assignment),
		Pending:    count(switchboard.StatusPending, f.Assignment),
		Snoozed:    count(switchboard.StatusSnoozed, f.Assignment),
		Resolved:   count(switchboard.StatusResolved, f.Assignment),
	}
}

// testSavedViews pins saved views: per user, by folded name, a name unique
// per user (another user may use it), the domain's validation, at most
// MaxUserViews, renames and filter changes, ENotFound for unknown ids.
func testSavedViews(t *testing.T, open Opener) {
	s := open(t)
	ana := mustUser(t, s, "ana", "Ana", switchboard.RoleOperator)
	ben := mustUser(t, s, "ben", "Ben", switchboard.RoleEmployee)
	label := switchboard.NewID()

	wantCode(t, s.CreateSavedView(ctx(), &switchboard.SavedView{UserID: ana.ID, Name: " "}), switchboard.EInvalid)
	wantCode(t, s.CreateSavedView(ctx(), &switchboard.SavedView{UserID: ana.ID, Name: strings.Repeat("v", 51)}), switchboard.EInvalid)
	wantCode(t, s.CreateSavedView(ctx(), &switchboard.SavedView{UserID: ana.ID, Name: "x",
		Filter: switchboard.ViewFilter{Status: "maybe"}}), switchboard.EInvalid)
	wantCode(t, s.CreateSavedView(ctx(), &switchboard.SavedView{UserID: ana.ID, Name: "x",
		Filter: switchboard.ViewFilter{Sort: "oldest"}}), switchboard.EInvalid)

	mine := &switchboard.SavedView{UserID: ana.ID, Name: " VIP waiting ", CreatedAt: T0, Filter: switchboard.ViewFilter{
		Status: switchboard.StatusOpen, Assignment: switchboard.AssignmentMine, LabelID: label, Unread: true, Sort: switchboard.SortWaiting}}
	must(t, s.CreateSavedView(ctx(), mine))
	if !switchboard.ValidID(mine.ID) || mine.Name != "VIP waiting" || !mine.CreatedAt.Equal(T0) || !mine.UpdatedAt.Equal(T0) {
		t.Fatalf("CreateSavedView = %+v", mine)
	}
	wantCode(t, s.CreateSavedView(ctx(), &switchboard.SavedView{UserID: ana.ID, Name: "vip WAITING"}), switchboard.EConflict)
	must(t, s.CreateSavedView(ctx(), &switchboard.SavedView{UserID: ben.ID, Name: "VIP waiting"}))
	must(t, s.CreateSavedView(ctx(), &switchboard.SavedView{UserID: ana.ID, Name: "Anything"}))

	got, err := s.SavedView(ctx(), mine.ID)
	must(t, err)
	if got.UserID != ana.ID || got.Name != "VIP waiting" || got.Filter != mine.Filter || got.CreatedAt.Location() != time.UTC {
		t.Errorf("SavedView = %+v", got)
	}
	_, err = s.SavedView(ctx(), switchboard.NewID())
	wantCode(t, err, switchboard.ENotFound)
	views, err := s.SavedViews(ctx(), ana.ID)
	must(t, err)
	if len(views) != 2 || views[0].Name != "Anything" || views[1].ID != mine.ID {
		t.Errorf("SavedViews = %+v", views)
	}

	upd := &switchboard.SavedView{ID: mine.ID, UserID: ana.ID, Name: "Closed ones", Filter: switchboard.ViewFilter{Status: switchboard.StatusResolved}}
	must(t, s.UpdateSavedView(ctx(), upd))
	if upd.Name != "Closed ones" || upd.Filter.Status != switchboard.StatusResolved || upd.Filter.LabelID != "" || !upd.CreatedAt.Equal(T0) {
		t.Errorf("UpdateSavedView = %+v", upd)
	}
	wantCode(t, s.UpdateSavedView(ctx(), &switchboard.SavedView{ID: mine.ID, UserID: ana.ID, Name: "anything"}), switchboard.EConflict)
	wantCode(t, s.UpdateSavedView(ctx(), &switchboard.SavedView{ID: switchboard.NewID(), UserID: ana.ID, Name: "z"}), switchboard.ENotFound)

	must(t, s.DeleteSavedView(ctx(), mine.ID))
	wantCode(t, s.DeleteSavedView(ctx(), mine.ID), switchboard.ENotFound)

	views, err = s.SavedViews(ctx(), ben.ID)
	must(t, err)
	for i := len(views); i < switchboard.MaxUserViews; i++ {
		must(t, s.CreateSavedView(ctx(), &switchboard.SavedView{UserID: ben.ID, Name: fmt.Sprintf("View %02d", i)}))
	}
	wantCode(t, s.CreateSavedView(ctx(), &switchboard.SavedView{UserID: ben.ID, Name: "one more"}), switchboard.EInvalid)
	empty, err := s.SavedViews(ctx(), switchboard.NewID())
	must(t, err)
	if empty == nil || len(empty) != 0 {
		t.Errorf("SavedViews of nobody = %#v", empty)
	}
}

// testReportLabels pins the report's breakdown by label: the labelled
// conversations created within the scope, per label by name, with how
// many of them are open, within the scope's channels.
func testReportLabels(t *testing.T, open Opener) {
	s := open(t)
	f := newFixture(t, s)
	vip := &switchboard.Label{Name: "VIP", Color: "#aabbcc"}
	must(t, s.CreateLabel(ctx(), vip))
	billing := &switchboard.Label{Name: "billing", Color: "#112233"}
	must(t, s.CreateLabel(ctx(), billing))
	unused := &switchboard.Label{Name: "Unused", Color: "#112233"}
	must(t, s.CreateLabel(ctx(), unused))
	for _, l := range []struct{ conv, label string }{
		{f.juergen.ID, vip.ID}, {f.zoe.ID, vip.ID}, {f.ahmed.ID, vip.ID}, {f.anna.ID, billing.ID}, {f.ahmed.ID, billing.ID},
	} {
		_, _, err := s.SetConversationLabel(ctx(), l.conv, l.label, true, T0)
		must(t, err)
	}
	all := switchboard.ReportScope{From: time.Unix(0, 0).UTC(), To: time.Now().Add(24 * time.Hour)}
	got, err := s.ReportLabels(ctx(), all)
	must(t, err)
	want := []switchboard.ReportLabelCount{
		{LabelID: billing.ID, Name: "billing", Color: "#112233", Opened: 2, OpenNow: 1},
		{LabelID: vip.ID, Name: "VIP", Color: "#aabbcc", Opened: 3, OpenNow: 2},
	}
	if !slices.Equal(got, want) {
		t.Errorf("ReportLabels = %+v, want %+v", got, want)
	}
	inA := all
	inA.ChannelIDs = []string{f.chA.ID}
	got, err = s.ReportLabels(ctx(), inA)
	must(t, err)
	want[1].Opened, want[1].OpenNow = 2, 1
	if !slices.Equal(got, want) {
		t.Errorf("ReportLabels in channel A = %+v, want %+v", got, want)
	}
	for _, sc := range []switchboard.ReportScope{
		{From: all.From, To: time.Unix(1, 0).UTC()},
		{From: all.From, To: all.To, ChannelIDs: []string{}},
	} {
		got, err = s.ReportLabels(ctx(), sc)
		must(t, err)
		if got == nil || len(got) != 0 {
			t.Errorf("ReportLabels(%+v) = %#v, want empty", sc, got)
		}
	}
}
