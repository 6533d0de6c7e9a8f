package worker_test

import (
	"context"
	"errors"
	"testing"

	"github.com/switchboardhq/switchboard/internal/worker"
)

// handLease is a lease the test hands out and takes back.
type handLease struct {
	grant    chan struct{}
	lose     chan context.CancelFunc
	released chan struct{}
}

func (l *handLease) Acquire(ctx context.Context) (context.Context, func(), error) {
	select {
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	case <-l.grant:
	}
	held, cancel := context.WithCancel(ctx)
	l.lose <- cancel
	return held, func() { cancel(); l.released <- struct{}{} }, nil
}

// TestSingletonsStopTheirJobsBeforeGivingTheLeaseBack: jobs start when
// the lease is held, stop when it is lost, and only then is it released;
// held again, they start again.
func TestSingletonsStopTheirJobsBeforeGivingTheLeaseBack(t *testing.T) {
	lease := &handLease{grant: make(chan struct{}), lose: make(chan context.CancelFunc, 1), released: make(chan struct{}, 1)}
	started, stopped := make(chan struct{}, 2), make(chan struct{}, 2)
	s := &worker.Singletons{Lease: lease, Jobs: []worker.Job{{Name: "recorded", Run: func(ctx context.Context) error {
		started <- struct{}{}
		<-ctx.Done()
		stopped <- struct{}{}
		return errors.New("stopped") // an error after the loss is not logged as a failure
	}}}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()

	for round := range 2 {
		lease.grant <- struct{}{}
		lose := <-lease.lose
		<-started
		if !s.Leader() {
			t.Fatalf("round %d: a running job but not leader", round)
		}
		lose()
		<-lease.released
		select {
		case <-stopped:
		default:
			t.Fatalf("round %d: the lease was released while the job still ran", round)
		}
		if s.Leader() {
			t.Fatalf("round %d: still leader after the loss", round)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
