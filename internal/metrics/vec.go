package metrics

import (
	"encoding/binary"
	"fmt"
	"slices"
	"sync"
)

// vec maps label values to child metrics of type T.
//
// A plain map behind an RWMutex is used rather than sync.Map because the
// lookup key is built in a stack buffer and m[string(buf)] does not allocate,
// whereas boxing the key for sync.Map would allocate on every With.
type vec[T any] struct {
	name       string
	labelNames []string
	newChild   func() *T

	mu       sync.RWMutex
	children map[string]*child[T]
}

type child[T any] struct {
	values []string
	metric *T
}

func newVec[T any](name string, labelNames []string, newChild func() *T) *vec[T] {
	v := &vec[T]{
		name:       name,
		labelNames: labelNames,
		newChild:   newChild,
		children:   make(map[string]*child[T]),
	}
	if len(labelNames) == 0 {
		// An unlabelled metric has exactly one series; create it now so it
		// is exported as zero before first use, like client_golang does.
		v.with(nil)
	}
	return v
}

// with returns the child for values, creating it on first use. It panics if
// the number of values does not match the label names, which is a bug at
// the call site rather than a run-time condition.
func (v *vec[T]) with(values []string) *T {
	if len(values) != len(v.labelNames) {
		panic(fmt.Sprintf("metrics: %s: got %d label values for %d label names %q",
			v.name, len(values), len(v.labelNames), v.labelNames))
	}
	var buf [128]byte
	key := appendKey(buf[:0], values)

	v.mu.RLock()
	c := v.children[string(key)]
	v.mu.RUnlock()
	if c != nil {
		return c.metric
	}

	v.mu.Lock()
	defer v.mu.Unlock()
	if c := v.children[string(key)]; c != nil {
		return c.metric
	}
	c = &child[T]{values: slices.Clone(values), metric: v.newChild()}
	v.children[string(key)] = c
	return c.metric
}

// appendKey encodes values with a length prefix on each, so that no two
// different tuples share a key whatever bytes the values contain (a plain
// separator could appear inside a value).
func appendKey(b []byte, values []string) []byte {
	for _, s := range values {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	return b
}

// snapshot returns the children sorted by label values, for stable output.
func (v *vec[T]) snapshot() []*child[T] {
	v.mu.RLock()
	out := make([]*child[T], 0, len(v.children))
	for _, c := range v.children {
		out = append(out, c)
	}
	v.mu.RUnlock()
	slices.SortFunc(out, func(a, b *child[T]) int { return slices.Compare(a.values, b.values) })
	return out
}
