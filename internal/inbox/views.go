package inbox

import (
	"context"

	"github.com/switchboardhq/switchboard"
)

// SavedViews lists the actor's saved views by name.
func (s *Service) SavedViews(ctx context.Context, a *switchboard.Actor) ([]*switchboard.SavedView, error) {
	return s.Store.SavedViews(ctx, a.User.ID)
}

// ownView loads one of the actor's views; another user's is ENotFound,
// exactly like a missing one.
func (s *Service) ownView(ctx context.Context, a *switchboard.Actor, id string) (*switchboard.SavedView, error) {
	if !switchboard.ValidID(id) {
		return nil, switchboard.NotFound("View")
	}
	v, err := s.Store.SavedView(ctx, id)
	if err != nil {
		return nil, err
	}
	if v.UserID != a.User.ID {
		return nil, switchboard.NotFound("View")
	}
	return v, nil
}

// checkViewFilter checks a view's filter as a list request would
// (visibleFilter), and that its ids have the shape of ids.
func checkViewFilter(a *switchboard.Actor, vf switchboard.ViewFilter) error {
	var f switchboard.ConversationFilter
	vf.Apply(&f)
	_, err := visibleFilter(a, f)
	return err
}

// CreateSavedView saves a named filter for the actor. Not audited: a view
// is the actor's own setting and shows nothing they could not list.
func (s *Service) CreateSavedView(ctx context.Context, a *switchboard.Actor, name string, filter switchboard.ViewFilter) (*switchboard.SavedView, error) {
	if err := checkViewFilter(a, filter); err != nil {
		return nil, err
	}
	v := &switchboard.SavedView{UserID: a.User.ID, Name: name, Filter: filter}
	if err := v.PrepareNew(s.now()); err != nil {
		return nil, err
	}
	if err := s.Store.CreateSavedView(ctx, v); err != nil {
		return nil, err
	}
	return v, nil
}

// UpdateSavedView renames one of the actor's views and, when filter is
// not nil, replaces its filter.
func (s *Service) UpdateSavedView(ctx context.Context, a *switchboard.Actor, id string, name *string, filter *switchboard.ViewFilter) (*switchboard.SavedView, error) {
	v, err := s.ownView(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if name != nil {
		v.Name = *name
	}
	if filter != nil {
		if err := checkViewFilter(a, *filter); err != nil {
			return nil, err
		}
		v.Filter = *filter
	}
	if err := s.Store.UpdateSavedView(ctx, v); err != nil {
		return nil, err
	}
	return v, nil
}

// DeleteSavedView deletes one of the actor's views.
func (s *Service) DeleteSavedView(ctx context.Context, a *switchboard.Actor, id string) error {
	v, err := s.ownView(ctx, a, id)
	if err != nil {
		return err
	}
	return s.Store.DeleteSavedView(ctx, v.ID)
}

// checkListFilters checks the label, assignee, channel, unread and order
// filters of a list request (label.go) and folds the channel into the
// scope, which visibleFilter has set from the actor.
func checkListFilters(f *switchboard.ConversationFilter) error {
	switch f.Sort {
	case "", switchboard.SortNewest, switchboard.SortWaiting:
	default:
		return switchboard.ErrInvalidSort
	}
	for _, c := range []struct{ name, id string }{{"label", f.LabelID}, {"assignee", f.AssigneeID}, {"channel", f.ChannelID}} {
		if c.id != "" && !switchboard.ValidID(c.id) {
			return switchboard.Errorf(switchboard.EInvalid, "%s must be an id.", c.name)
		}
	}
	f.NarrowChannel()
	return nil
}
