package screens

import (
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// saveShot renders a window with the software painter into
// $PKIODESK_DEV_SHOTS (for looking at a screen while building it; the
// documented screenshots come from the real window, window_test.go).
func saveShot(t *testing.T, w fyne.Window, name string) {
	dir := os.Getenv("PKIODESK_DEV_SHOTS")
	if dir == "" {
		return
	}
	img := w.Canvas().Capture()
	f, err := os.Create(filepath.Join(dir, name+".png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	png.Encode(f, img)
}

var _ = test.NewTempApp
