package screens

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"pkiodesk/app/audit"
	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
	"pkiodesk/app/org"
)

// showAudit is "Logboek": the journal for the BV and Contactpersonen with
// all rights (the matrix decides), filtered by person, action and period,
// with its verification and an export.
func (u *ui) showAudit() {
	u.open(place{id: "audit", section: sectionAudit, title: func() string { return u.tr("Logboek", "Audit journal") }, show: u.drawAudit})
}

func (u *ui) drawAudit() {
	ctx := context.Background()
	if err := u.core.Authorise(ctx, org.ViewJournal); err != nil {
		dialog.ShowError(fmt.Errorf("%s", i18n.Localize(u.lang, err)), u.win)
		return
	}
	person := widget.NewEntry()
	person.SetPlaceHolder(u.tr("persoon (ID of —)", "person (ID or —)"))
	actions := []string{u.tr("alle acties", "all actions")}
	for _, a := range audit.Actions {
		actions = append(actions, i18n.T(u.lang, "audit.action."+string(a)))
	}
	action := u.newSelect(actions, nil)
	action.SetSelectedIndex(0)
	from, to := widget.NewEntry(), widget.NewEntry()
	from.SetPlaceHolder(u.tr("van JJJJ-MM-DD", "from YYYY-MM-DD"))
	to.SetPlaceHolder(u.tr("tot en met JJJJ-MM-DD", "to YYYY-MM-DD"))
	status := widget.NewLabel("")
	var rows []audit.Entry
	cols := []int{0, 1, 2, 5, 6, 7, 8}
	table := widget.NewTable(
		func() (int, int) { return len(rows) + 1, len(cols) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(id widget.TableCellID, o fyne.CanvasObject) {
			l := o.(*widget.Label)
			if id.Row == 0 {
				l.TextStyle = fyne.TextStyle{Bold: true}
				l.SetText(i18n.T(u.lang, "audit.col."+audit.Columns[cols[id.Col]]))
				return
			}
			l.TextStyle = fyne.TextStyle{}
			l.SetText(cert.Printable(audit.Cells(&rows[id.Row-1], u.lang)[cols[id.Col]]))
		})
	for i, w := range []float32{60, 190, 150, 200, 260, 90, 260} {
		table.SetColumnWidth(i, w)
	}
	filter := func() (audit.Filter, error) {
		f := audit.Filter{Person: person.Text}
		if i := action.SelectedIndex(); i > 0 {
			f.Action = audit.Actions[i-1]
		}
		for _, d := range []struct {
			e   *widget.Entry
			out *time.Time
			add int
		}{{from, &f.From, 0}, {to, &f.To, 1}} {
			if d.e.Text == "" {
				continue
			}
			t, err := time.ParseInLocation("2006-01-02", d.e.Text, time.Local)
			if err != nil {
				return f, i18n.E("audit.err.date", nil, cert.Printable(d.e.Text))
			}
			*d.out = t.AddDate(0, 0, d.add)
		}
		return f, nil
	}
	show := func() {
		f, err := filter()
		if err == nil {
			rows, err = u.core.Journal.List(ctx, f)
		}
		if err != nil {
			status.SetText(i18n.Localize(u.lang, err))
			return
		}
		msg := fmt.Sprintf(u.tr("%d regels", "%d entries"), len(rows))
		if rep, err := u.core.VerifyJournal(ctx); err != nil {
			msg += " — " + i18n.Localize(u.lang, err)
		} else if !rep.OK() {
			msg += " — " + i18n.Localize(u.lang, rep.Problem.Err())
		} else {
			msg += " — " + i18n.T(u.lang, "audit.verify_ok", rep.Entries, rep.Head.Seq)
		}
		status.SetText(msg)
		table.Refresh()
	}
	apply := widget.NewButton(u.tr("Filteren", "Filter"), show)
	export := widget.NewButton(u.tr("Exporteren (CSV)", "Export (CSV)"), func() {
		f, err := filter()
		if err != nil {
			status.SetText(i18n.Localize(u.lang, err))
			return
		}
		save := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
			if err != nil || w == nil {
				return
			}
			defer w.Close()
			n, err := u.core.ExportJournal(ctx, w, f, inventory.CSVOptions{Lang: u.lang})
			if err != nil {
				dialog.ShowError(fmt.Errorf("%s", i18n.Localize(u.lang, err)), u.win)
				return
			}
			dialog.ShowInformation("CSV", i18n.T(u.lang, "list.csv_saved", n, w.URI().Name()), u.win)
		}, u.win)
		save.SetFileName("logboek.csv")
		save.SetFilter(storage.NewExtensionFileFilter([]string{".csv"}))
		save.Show()
	})
	bar := container.NewGridWithColumns(6, person, action, from, to, apply, export)
	title := widget.NewLabelWithStyle(u.tr("Logboek", "Audit journal"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	u.shell(u.tr("Logboek", "Audit journal"), sectionAudit, container.NewBorder(container.NewVBox(title, bar, status), nil, nil, nil, table))
	show()
}
