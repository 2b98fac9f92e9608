package pdfseal

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"
)

func attachedDocument(t testing.TB) []byte {
	d := Document{Kind: OrderNew, Number: "PKIO-1", Created: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC), Organisation: "Gemeente Zoëterwoude",
		Attachments: []Attachment{
			{Name: "bestelling.json", Description: "bestelling (JSON)", Data: []byte(`{"naam":"Zoë"}`)},
			{Name: "aanvraag.csr", Description: "CSR", Data: bytes.Repeat([]byte("A"), 3000)},
		}}
	pdf, err := Draw(d)
	if err != nil {
		t.Fatal(err)
	}
	return pdf
}

// Attachments come back as drawn, names and all, in order.
func TestAttachmentsRoundTrip(t *testing.T) {
	as, err := Attachments(context.Background(), attachedDocument(t))
	if err != nil || len(as) != 2 {
		t.Fatalf("%v %d", err, len(as))
	}
	if as[0].Name != "bestelling.json" || string(as[0].Data) != `{"naam":"Zoë"}` || as[0].Description != "bestelling (JSON)" ||
		as[1].Name != "aanvraag.csr" || len(as[1].Data) != 3000 {
		t.Errorf("%+v", as)
	}
	plain, _ := Draw(Document{Kind: OrderNew, Number: "X", Created: time.Now()})
	if _, err := Attachments(context.Background(), plain); !errors.Is(err, ErrNoAttachments) {
		t.Errorf("no attachments: %v", err)
	}
}

// FuzzAttachments: any PDF someone sends gives attachments or an error,
// never a panic or an unbounded read.
func FuzzAttachments(f *testing.F) {
	f.Add(attachedDocument(f))
	f.Add([]byte("%PDF-1.4\n1 0 obj << /Type /Catalog /Names << /EmbeddedFiles << /Kids [1 0 R] >> >> >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF"))
	f.Add([]byte("%PDF-1.7\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		as, err := Attachments(context.Background(), data)
		if err != nil {
			return
		}
		for _, a := range as {
			if len(a.Data) > maxAttachmentSize {
				t.Fatalf("attachment of %d bytes", len(a.Data))
			}
		}
	})
}
