package main

import (
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

func TestIsCLI(t *testing.T) {
	tests := []struct {
		args []string
		want bool
	}{
		{nil, false},
		{[]string{"--demo"}, false},
		{[]string{"--db", "x.db"}, false},
		{[]string{"--db", "list"}, false}, // "list" is the value of --db here
		{[]string{"list"}, true},
		{[]string{"--db", "x.db", "import", "a.pem"}, true},
		{[]string{"--help"}, true},
		{[]string{"version"}, true},
	}
	for _, tt := range tests {
		if got := isCLI(tt.args); got != tt.want {
			t.Errorf("isCLI(%q) = %v, want %v", tt.args, got, tt.want)
		}
	}
}
