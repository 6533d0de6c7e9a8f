package switchboard_test

import (
	"testing"

	"github.com/switchboardhq/switchboard"
)

func TestReportsReadIsGrantedToAdminAndOperator(t *testing.T) {
	if !switchboard.ValidPermission(switchboard.PermReportsRead) {
		t.Fatal("reports.read is not in the catalogue")
	}
	want := map[string]bool{switchboard.RoleAdmin: true, switchboard.RoleOperator: true, switchboard.RoleEmployee: false}
	for _, r := range switchboard.BuiltinRoles() {
		if got := r.Has(switchboard.PermReportsRead); got != want[r.ID] {
			t.Errorf("role %s has reports.read = %v, want %v", r.ID, got, want[r.ID])
		}
	}
}

func TestIsReportResponse(t *testing.T) {
	for _, tc := range []struct {
		typ    switchboard.MessageType
		status switchboard.MessageStatus
		want   bool
	}{
		{switchboard.TypeText, switchboard.MessageSent, true},
		{switchboard.TypeTemplate, switchboard.MessagePending, true},
		{switchboard.TypeImage, switchboard.MessageRead, true},
		{switchboard.TypeText, switchboard.MessageFailed, false},
		{switchboard.TypeReaction, switchboard.MessageSent, false},
		{switchboard.TypeSystem, switchboard.MessageSent, false},
	} {
		if got := switchboard.IsReportResponse(tc.typ, tc.status); got != tc.want {
			t.Errorf("IsReportResponse(%s, %s) = %v, want %v", tc.typ, tc.status, got, tc.want)
		}
	}
}
