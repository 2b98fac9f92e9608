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
	title := reportTitle(u, r) + " — " + p.Name
	id := "report:" + p.ID + ":" + string(r.Kind)
	if r.Managed {
		id += ":managed"
	}
	var rep *reportScreen
	u.open(u.orgPlace(id, title, func() {
		if rep == nil {
			var err error
			if rep, err = u.newReport(p, r); err != nil {
				u.shell(title, sectionOrganisation, container.NewVBox(reasonLabel(i18n.Localize(u.lang, err)), container.NewHBox(u.backButton())))
				return
			}
		}
		rep.overview.refresh(true)
		u.shell(title, sectionOrganisation, rep.content)
	}))
}

// reportScreen is a report's overview and its banner (kept for tests).
type reportScreen struct {
	overview *overview
	banner   *widget.Label
	content  fyne.CanvasObject
}

// newReport makes an overview of its own for the report (the kind's own
// overview keeps its filter and sort), with the selection and all
// statuses: a report shows what the person requested or manages, valid
// or not.
func (u *ui) newReport(p org.Person, r app.PersonReport) (*reportScreen, error) {
	if err := org.Check(u.person, org.RequestPersonalReports); err != nil {
		return nil, err
	}
	person, only, err := u.core.PersonSelection(context.Background(), p.ID, r.Managed)
	if err != nil {
		return nil, err
	}
	o := newOverview(u, string(r.Kind))
	o.query.Only = only
	for i, f := range statusFilters {
		if f == inventory.FilterAll {
			o.status.SetSelectedIndex(i)
		}
	}
	o.query.Status = inventory.FilterAll
	o.refresh(false)
	banner := widget.NewLabel(app.ReportView{Person: person, Report: r}.Banner(u.lang))
	banner.Importance = widget.WarningImportance
	banner.TextStyle = fyne.TextStyle{Bold: true}
	content := container.NewBorder(container.NewVBox(banner, container.NewHBox(u.backButton())), nil, nil, nil, o.content)
	return &reportScreen{overview: o, banner: banner, content: content}, nil
}
