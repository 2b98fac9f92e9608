package main

import (
	_ "embed"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"github.com/BurntSushi/toml"
)

// FyneApp.toml is the one place for the app's name, id, version and icon:
// `fyne package` reads it for the Linux package, scripts/dist.sh for the
// Windows resources, and the window reads it here, so a plain `go build`
// shows the same icon and name as a packaged build.
var (
	//go:embed FyneApp.toml
	fyneAppToml []byte
	//go:embed assets/Icon.png
	iconPNG []byte
)

type fyneAppFile struct {
	Details struct {
		ID, Name, Version string
		Build             int
	}
}

func parseFyneApp(data []byte) (fyneAppFile, error) {
	var f fyneAppFile
	_, err := toml.Decode(string(data), &f)
	return f, err
}

// setMetadata hands FyneApp.toml's details and the icon to Fyne before the
// app starts; the embedded file parses (TestFyneAppTomlMatchesVersion), so
// an error here cannot happen in a built binary.
func setMetadata() {
	f, err := parseFyneApp(fyneAppToml)
	if err != nil {
		fyne.LogError("pkiodesk: FyneApp.toml", err)
		return
	}
	fyneapp.SetMetadata(fyne.AppMetadata{
		ID: f.Details.ID, Name: f.Details.Name, Version: f.Details.Version, Build: f.Details.Build,
		Icon: fyne.NewStaticResource("Icon.png", iconPNG), Release: true,
	})
}
