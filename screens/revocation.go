package screens

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/data/binding"
	"fyne.io/fyne/v2/widget"

	"pkiodesk/app/i18n"
	"pkiodesk/app/trust"
)

// revocationRefresh is the check of every certificate with its CA, which
// runs at start and on demand in the background; the top bar of every
// screen shows its progress. Its fields are used on the UI thread only.
type revocationRefresh struct {
	running  bool
	progress binding.Float
	text     binding.String
	report   trust.RefreshReport
	// show updates the top bar on screen (set by revocationBar).
	show func()
	// after runs when a refresh ends (the visible overview re-reads).
	after func()
}

func newRevocationRefresh() *revocationRefresh {
	return &revocationRefresh{progress: binding.NewFloat(), text: binding.NewString()}
}

// startRevocationRefresh checks every certificate's revocation in the
// background; a refresh already running is not started twice.
func (u *ui) startRevocationRefresh(ctx context.Context) {
	r := u.rev
	if r.running {
		return
	}
	r.running = true
	r.progress.Set(0)
	r.text.Set(i18n.T(u.lang, "rev.progress", 0, u.core.Inventory.Len()))
	if r.show != nil {
		r.show()
	}
	go func() {
		type count struct{ done, total int }
		progress := newLatest(fyne.Do, func(c count) {
			if c.total > 0 {
				r.progress.Set(float64(c.done) / float64(c.total))
			}
			r.text.Set(i18n.T(u.lang, "rev.progress", c.done, c.total))
		})
		rep, err := u.core.RefreshRevocation(ctx, func(done, total int) {
			progress.set(count{done, total})
		})
		if ctx.Err() != nil {
			return // the window is ending
		}
		fyne.Do(func() {
			if r.after != nil {
				r.after()
			}
			r.report = rep
			r.progress.Set(1)
			if err != nil {
				r.text.Set(i18n.T(u.lang, "rev.failed") + ": " + i18n.Localize(u.lang, err))
			} else {
				r.text.Set(i18n.T(u.lang, "rev.done", time.Now().Format("15:04"), rep.Unknown, rep.Revoked))
			}
			r.running = false
			if r.show != nil {
				r.show()
			}
		})
	}()
}

// revocationBar is the top bar's part for revocation: the refresh's
// progress and state, and the button to refresh now.
func (u *ui) revocationBar() fyne.CanvasObject {
	r := u.rev
	r.after = nil // the screen being built sets its own
	status := widget.NewLabelWithData(r.text)
	status.Truncation = fyne.TextTruncateEllipsis
	bar := widget.NewProgressBarWithData(r.progress)
	bar.TextFormatter = func() string { return fmt.Sprintf("%.0f%%", bar.Value*100) }
	barBox := container.NewGridWrap(fyne.NewSize(120, bar.MinSize().Height), bar)
	button := widget.NewButton(i18n.T(u.lang, "rev.refresh"), func() { u.startRevocationRefresh(u.lifeContext()) })
	r.show = func() {
		if r.running {
			barBox.Show()
			button.Disable()
		} else {
			barBox.Hide()
			button.Enable()
		}
	}
	r.show()
	return container.NewBorder(nil, nil, nil, container.NewHBox(barBox, button), status)
}

// loginWarningBar is the line at the foot of every screen that says the
// login certificate's revocation state is not known; nil when it is.
func (u *ui) loginWarningBar() fyne.CanvasObject {
	if u.loginWarning == "" {
		return nil
	}
	warning := widget.NewLabel(u.loginWarning)
	warning.Importance = widget.WarningImportance
	warning.Wrapping = fyne.TextWrapWord
	return container.NewVBox(widget.NewSeparator(), warning)
}
