package screens

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"pkiodesk/app"
	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/org"
	"pkiodesk/app/store"
)

// BenchmarkOverviewKeystroke100k: one keystroke in the server overview's
// text filter with 100,000 certificates in the inventory (the query, the
// columns measured again and the visible rows redrawn, in Fyne's test
// driver, at the window's own size). It should stay well under a frame
// budget of 16 ms.
func BenchmarkOverviewKeystroke100k(b *testing.B) {
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "db")
	st, err := store.OpenBolt(path, store.BoltOptions{})
	if err != nil {
		b.Fatal(err)
	}
	// Records without real DER are enough for the overview.
	entries := make([]store.Entry, 100000)
	kinds := cert.OwnKinds
	now := time.Now()
	for i := range entries {
		c := cert.Certificate{
			SHA256: fmt.Sprintf("%064x", i), Kind: kinds[i%len(kinds)], CommonName: fmt.Sprintf("host%d.voorbeeldstad.nl", i),
			Organization: "Gemeente Voorbeeldstad", OIN: "00000099123456789000", IssuerCN: "Demo CA",
			NotBefore: now.AddDate(-1, 0, 0), NotAfter: now.Add(time.Duration(i%900-200) * 24 * time.Hour),
		}
		c.DNSNames = []string{c.CommonName}
		entries[i] = store.Entry{Cert: c, DER: []byte{byte(i)}}
	}
	if _, _, err := st.AddCertificates(ctx, entries); err != nil {
		b.Fatal(err)
	}
	st.Close()
	core, err := app.Open(ctx, app.Config{DBPath: path, Now: time.Now})
	if err != nil {
		b.Fatal(err)
	}
	defer core.Close()
	u := newUI(test.NewTempApp(b), core, app.Database{}, i18n.NL, nil)
	u.person = org.Person{Name: "Bench", Role: org.BevoegdVertegenwoordiger, Active: true}
	o := newOverview(u, string(cert.KindServer))
	w := test.NewWindow(o.content)
	defer w.Close()
	w.Resize(fyne.NewSize(1180, 760)) // the window's own size: about 15 rows drawn
	texts := []string{"host1", "host12", "host123", "host12", "host1", ""}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		o.filter.SetText(texts[i%len(texts)])
	}
	b.StopTimer()
	if len(o.view.Rows) == 0 {
		b.Fatal("empty view")
	}
}
