package screens

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"pkiodesk/app"
	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
	"pkiodesk/app/org"
)

// reportTitle names a report per person (manual 7.4).
func reportTitle(u *ui, r app.PersonReport) string { return r.Title(u.lang) }

// showPersonReport is the regular overview of the report's kind with the
// person's selection applied and a banner that says so.
func (u *ui) showPersonReport(p org.Person, r app.PersonReport) {
	rep, err := u.newReport(p, r)
	if err != nil {
		u.shell(reportTitle(u, r), container.NewVBox(reasonLabel(i18n.Localize(u.lang, err)),
			widget.NewButton(u.tr("Terug naar Organisatiegegevens", "Back to organisation data"), u.showOrganisation)))
		return
	}
	u.shell(reportTitle(u, r)+" — "+p.Name, rep.content)
}

// reportScreen is a report's overview and its banner (kept for tests).
type reportScreen struct {
	overview *overview
	banner   *widget.Label
	content  fyne.CanvasObject
}

func (u *ui) newReport(p org.Person, r app.PersonReport) (*reportScreen, error) {
	if err := org.Check(u.person, org.RequestPersonalReports); err != nil {
		return nil, err
	}
	person, only, err := u.core.PersonSelection(context.Background(), p.ID, r.Managed)
	if err != nil {
		return nil, err
	}
	o := newOverview(u, r.Kind)
	o.query.Only = only
	o.status.SetSelectedIndex(statusIndex(inventory.FilterAll))
	o.refresh()
	banner := widget.NewLabel(app.ReportView{Person: person, Report: r}.Banner(u.lang))
	banner.Importance = widget.WarningImportance
	banner.TextStyle = fyne.TextStyle{Bold: true}
	back := widget.NewButton(u.tr("Terug naar Organisatiegegevens", "Back to organisation data"), u.showOrganisation)
	content := container.NewBorder(container.NewVBox(banner, container.NewHBox(back)), nil, nil, nil, o.build())
	return &reportScreen{overview: o, banner: banner, content: content}, nil
}
