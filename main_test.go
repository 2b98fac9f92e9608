package main

import (
	"bytes"
	"image/png"
	"os"
	"regexp"
	"testing"

	"pkiodesk/app"
)

func TestFyneAppTomlMatchesVersion(t *testing.T) {
	data, err := os.ReadFile("FyneApp.toml")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^Version = "([^"]+)"`).FindSubmatch(data)
	if m == nil || string(m[1]) != app.Version {
		t.Errorf("FyneApp.toml version %q, app.Version %q", m, app.Version)
	}
	if !regexp.MustCompile(`(?m)^ID = "nl\.pkiodesk\.app"`).Match(data) {
		t.Error("app id is not nl.pkiodesk.app")
	}
}

// The window's metadata comes from the embedded FyneApp.toml and icon.
func TestEmbeddedMetadata(t *testing.T) {
	f, err := parseFyneApp(fyneAppToml)
	if err != nil {
		t.Fatal(err)
	}
	if f.Details.ID != "nl.pkiodesk.app" || f.Details.Name != "pkiodesk" || f.Details.Version != app.Version || f.Details.Build < 1 {
		t.Errorf("FyneApp.toml details: %+v", f.Details)
	}
	img, err := png.Decode(bytes.NewReader(iconPNG))
	if err != nil {
		t.Fatal(err)
	}
	// Windows wants 256x256 for its largest icon; Fyne scales down.
	if b := img.Bounds(); b.Dx() != b.Dy() || b.Dx() < 256 {
		t.Errorf("icon is %v, want a square of at least 256 pixels", b)
	}
}
