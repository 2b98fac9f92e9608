package screens

import "fyne.io/fyne/v2/widget"

// newSelect is widget.NewSelect with its empty state in the user's
// language: Fyne's own placeholder is English ("(Select one)").
func (u *ui) newSelect(options []string, changed func(string)) *widget.Select {
	s := widget.NewSelect(options, changed)
	s.PlaceHolder = u.tr("(Kies er een)", "(Select one)")
	return s
}
