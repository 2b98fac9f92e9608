package screens

import (
	"sync"
	"testing"
)

// A burst of progress from a background job queues one call for the UI
// thread, which shows the newest value; the next value queues the next call.
func TestLatestQueuesOneCallForABurst(t *testing.T) {
	var queue []func()
	var shown []int
	l := newLatest(func(f func()) { queue = append(queue, f) }, func(v int) { shown = append(shown, v) })
	for i := 1; i <= 300; i++ {
		l.set(i)
	}
	if len(queue) != 1 {
		t.Fatalf("300 steps queued %d calls for the UI thread", len(queue))
	}
	queue[0]()
	if len(shown) != 1 || shown[0] != 300 {
		t.Fatalf("the UI thread showed %v, want [300]", shown)
	}
	l.set(301)
	if len(queue) != 2 {
		t.Fatalf("a step after the UI thread's turn queued %d calls in all", len(queue))
	}
	queue[1]()
	if shown[len(shown)-1] != 301 {
		t.Errorf("the UI thread showed %v last, want 301", shown[len(shown)-1])
	}
}

// Producers on several goroutines and a UI thread taking its turns: no
// step is shown after a newer one, the last step is shown, and no more
// than one call ever waits.
func TestLatestFromManyGoroutines(t *testing.T) {
	queue := make(chan func(), 2)
	var mu sync.Mutex
	var shown []int
	l := newLatest(func(f func()) {
		select {
		case queue <- f:
		default:
			t.Error("a second call was queued while one waited")
		}
	}, func(v int) { mu.Lock(); shown = append(shown, v); mu.Unlock() })
	var wg sync.WaitGroup
	var step sync.Mutex
	next := 0
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 250; i++ {
				// Steps are numbered in the order they are set.
				step.Lock()
				next++
				l.set(next)
				step.Unlock()
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for running := true; running; {
		select {
		case f := <-queue:
			f()
		case <-done:
			running = false
		}
	}
	for len(queue) > 0 {
		(<-queue)()
	}
	for i := 1; i < len(shown); i++ {
		if shown[i] <= shown[i-1] {
			t.Fatalf("step %d shown after step %d", shown[i], shown[i-1])
		}
	}
	if len(shown) == 0 || shown[len(shown)-1] != 1000 {
		t.Errorf("last step shown: %v, want 1000", shown[len(shown)-1:])
	}
}
