package screens

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pkiodesk/app/org"
	"pkiodesk/internal/idcopytest"
)

// The contact dialog says why a chosen ID copy is refused (too large, not
// readable), not that it is empty; a copy chosen in a dialog that is then
// cancelled is wiped from memory.
func TestContactDialogSaysWhyAFileIsRefusedAndWipesACancelledCopy(t *testing.T) {
	u := newOrgTestUI(t, org.ContactpersoonAlle, true)
	dir := t.TempDir()
	big := filepath.Join(dir, "paspoort.jpg")
	if err := os.WriteFile(big, []byte{0xFF, 0xD8, 0xFF}, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, org.MaxIDCopySize+1); err != nil {
		t.Fatal(err)
	}
	folder := filepath.Join(dir, "map.jpg")
	if err := os.Mkdir(folder, 0o700); err != nil {
		t.Fatal(err)
	}
	photo := filepath.Join(dir, "rijbewijs.jpg")
	if err := os.WriteFile(photo, idcopytest.JPEG(4096), 0o600); err != nil {
		t.Fatal(err)
	}
	fake := &FakeFileChooser{dir: dir}
	u.files = fake
	f, err := u.newChangeForm()
	if err != nil {
		t.Fatal(err)
	}
	u.shell("x", sectionOrganisation, f.build())
	f.checks[org.SectionContacts].SetChecked(true)
	f.contactDialog(-1, org.Person{})
	dlg := u.win.Canvas().Overlays().Top()
	choose := buttonNamed(t, dlg, "Kopie identiteitsbewijs kiezen…")
	for file, want := range map[string]string{
		big:    "De kopie van het identiteitsbewijs is groter dan 10 MiB",
		folder: "Het bestand met de kopie van het identiteitsbewijs kan niet worden gelezen",
	} {
		fake.files = []string{file}
		choose.OnTapped()
		var said string
		for _, l := range orgLabels(dlg) {
			if strings.Contains(l, "identiteitsbewijs") {
				said = l
			}
		}
		if !strings.HasPrefix(said, want) || strings.Contains(said, "leeg") {
			t.Errorf("%s: the dialog says %q, want %q…", filepath.Base(file), said, want)
		}
		if f.d.chosen != nil {
			t.Errorf("%s: a refused file is held", filepath.Base(file))
		}
	}
	fake.files = []string{photo}
	choose.OnTapped()
	held := f.d.chosen
	if len(held) == 0 || !orgHasLabel(dlg, "rijbewijs.jpg") {
		t.Fatalf("the photo was not taken: %v", orgLabels(dlg))
	}
	tapOverlayButton(t, u, "Annuleren")
	if f.d.chosen != nil || len(f.d.copies) != 0 {
		t.Error("a cancelled dialog's ID copy stayed with the form")
	}
	for i, b := range held {
		if b != 0 {
			t.Fatalf("byte %d of the cancelled ID copy was not wiped", i)
		}
	}
}
