package screens

import "sync"

// latest hands the newest value of a fast producer to the UI thread with at
// most one call waiting in the UI thread's queue. A background job that
// reported each step with its own fyne.Do (the revocation refresh checks
// 300 certificates in the demo) would queue hundreds of calls, which the UI
// thread works through long after the fact, and which Fyne 2.7.1's
// shutdown cannot drain (see Run).
type latest[T any] struct {
	post func(func()) // fyne.Do
	show func(T)      // runs on the UI thread

	mu      sync.Mutex
	value   T
	waiting bool
}

func newLatest[T any](post func(func()), show func(T)) *latest[T] {
	return &latest[T]{post: post, show: show}
}

// set records v; the UI thread shows the newest value set before its turn.
func (l *latest[T]) set(v T) {
	l.mu.Lock()
	l.value = v
	queued := l.waiting
	l.waiting = true
	l.mu.Unlock()
	if queued {
		return
	}
	l.post(func() {
		l.mu.Lock()
		v := l.value
		l.waiting = false
		l.mu.Unlock()
		l.show(v)
	})
}
