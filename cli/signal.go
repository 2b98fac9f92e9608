package cli

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"
)

// Interrupted is the cause of a context ended by a signal.
type Interrupted struct{ Signal os.Signal }

func (i Interrupted) Error() string { return "interrupted by " + i.Signal.String() }

// WithSignals returns a context that Ctrl-C (SIGINT) and SIGTERM end, with
// Interrupted as its cause. A second signal after stop has the default
// effect again.
func WithSignals(parent context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(parent)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case s := <-ch:
			cancel(Interrupted{s})
			// Ctrl-C twice ends the process at once.
			signal.Stop(ch)
		case <-ctx.Done():
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		cancel(context.Canceled)
	}
}

// signalStatus is the shell's exit status for the signal that ended ctx:
// 128 + its number (130 for Ctrl-C, 143 for SIGTERM); false when no signal
// ended it.
func signalStatus(ctx context.Context) (int, bool) {
	var in Interrupted
	if errors.As(context.Cause(ctx), &in) {
		if s, ok := in.Signal.(syscall.Signal); ok {
			return 128 + int(s), true
		}
		return 130, true
	}
	return 0, false
}
