package screens

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// focusTheme is Fyne's theme with a focus colour that can be seen: Fyne's
// own is a faint tint of the primary blue, which a keyboard user loses on a
// dark button and which vanishes on a blue one. Amber differs from every
// other colour the window uses (blue primary, red error, green success).
type focusTheme struct{ fyne.Theme }

// focusAmber is strong enough to read at a glance behind white text in the
// dark variant and black text in the light one.
var focusAmber = color.NRGBA{R: 0xff, G: 0xa0, B: 0x00, A: 0xb0}

func newFocusTheme() fyne.Theme { return focusTheme{theme.DefaultTheme()} }

func (t focusTheme) Color(name fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if name == theme.ColorNameFocus {
		return focusAmber
	}
	return t.Theme.Color(name, v)
}

// focusOutline is the colour of the outline drawn around the row a
// keyboard user is on, opaque so that a 2-pixel line is visible.
var focusOutline = color.NRGBA{R: 0xff, G: 0xa0, B: 0x00, A: 0xff}
