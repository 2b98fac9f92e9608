// Package pdfseal draws pkiodesk's confirmation documents and seals PDFs
// with a PAdES baseline B-B signature, and verifies such seals. It takes
// plain structs and a crypto.Signer; it knows nothing of screens or storage.
package pdfseal

import (
	"bytes"
	_ "embed"
	"fmt"
	"time"

	"github.com/jung-kurt/gofpdf"
)

// DejaVu Sans covers every Latin letter Dutch and English names use
// (é ë ï ü, but also ı and ş); gofpdf embeds only the glyphs a document uses.
var (
	//go:embed fonts/DejaVuSans.ttf
	fontRegular []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	fontBold []byte
)

// DocumentKind selects the title and wording of a document.
type DocumentKind string

const (
	OrderNew    DocumentKind = "order-new"
	OrderRenew  DocumentKind = "order-renew"
	OrderRevoke DocumentKind = "order-revoke"
	ChangeForm  DocumentKind = "change-form"
	// BVForm is the printable form for a new Bevoegd Vertegenwoordiger, to be
	// signed by hand by the current and the new one (seed 7.2).
	BVForm DocumentKind = "bv-form"
)

// Field is one labelled value.
type Field struct{ Label, Value string }

// Section is a heading with its fields.
type Section struct {
	Heading string
	Fields  []Field
}

// LoginCertificate is the certificate the user logged in with; every
// confirmation carries it (seed 3.2).
type LoginCertificate struct {
	Subject, Issuer, Serial, SHA256 string
}

// Document is everything a confirmation shows. app/ fills it.
type Document struct {
	Kind         DocumentKind
	Lang         string // "nl" (default) or "en"
	Number       string // order or change number
	Created      time.Time
	Organisation string
	Subscriber   string // abonneenummer
	OIN          string
	Sections     []Section
	Login        LoginCertificate
	// Signatories are the people who sign a BVForm by hand, e.g. the current
	// and the new Bevoegd Vertegenwoordiger.
	Signatories []string
	// Attachments are embedded in the PDF and listed on it (attach.go).
	Attachments []Attachment
}

type words struct {
	title                       map[DocumentKind]string
	intro                       map[DocumentKind]string
	number, date, org, sub, oin string
	login, subject, issuer      string
	serial, fingerprint, page   string
	signature, name, place      string
	attachments                 string
}

var dutch = words{
	title: map[DocumentKind]string{
		OrderNew: "Bevestiging bestelling nieuw certificaat", OrderRenew: "Bevestiging verlenging certificaat",
		OrderRevoke: "Bevestiging intrekking certificaat", ChangeForm: "Bevestiging wijzigingsformulier",
		BVForm: "Formulier wijziging Bevoegd Vertegenwoordiger",
	},
	intro: map[DocumentKind]string{
		OrderNew:    "Deze bestelling is elektronisch ondertekend en geplaatst. Zij is niet meer te wijzigen.",
		OrderRenew:  "Deze verlenging is elektronisch ondertekend en geplaatst. Zij is niet meer te wijzigen.",
		OrderRevoke: "Dit verzoek tot intrekking is elektronisch ondertekend en ingediend.",
		ChangeForm:  "Dit wijzigingsformulier is elektronisch ondertekend en ingediend.",
		BVForm:      "Bij het opvoeren van een nieuwe Bevoegd Vertegenwoordiger moet dit formulier worden uitgeprint en met de hand ondertekend door de huidige en de nieuwe Bevoegd Vertegenwoordiger.",
	},
	number: "Nummer", date: "Datum en tijd", org: "Organisatie", sub: "Abonneenummer", oin: "OIN",
	login: "Ingelogd met certificaat", subject: "Onderwerp", issuer: "Uitgever", serial: "Serienummer",
	fingerprint: "SHA-256", page: "Pagina %d van {nb}", signature: "Handtekening", name: "Naam", place: "Plaats en datum",
	attachments: "Bijlagen in deze PDF",
}

var english = words{
	title: map[DocumentKind]string{
		OrderNew: "Confirmation of order for a new certificate", OrderRenew: "Confirmation of certificate renewal",
		OrderRevoke: "Confirmation of certificate revocation", ChangeForm: "Confirmation of change form",
		BVForm: "Form for changing the authorised representative",
	},
	intro: map[DocumentKind]string{
		OrderNew:    "This order was signed electronically and placed. It can no longer be changed.",
		OrderRenew:  "This renewal was signed electronically and placed. It can no longer be changed.",
		OrderRevoke: "This revocation request was signed electronically and submitted.",
		ChangeForm:  "This change form was signed electronically and submitted.",
		BVForm:      "When a new authorised representative is registered, this form must be printed and signed by hand by the current and the new authorised representative.",
	},
	number: "Number", date: "Date and time", org: "Organisation", sub: "Subscriber number", oin: "OIN",
	login: "Logged in with certificate", subject: "Subject", issuer: "Issuer", serial: "Serial number",
	fingerprint: "SHA-256", page: "Page %d of {nb}", signature: "Signature", name: "Name", place: "Place and date",
	attachments: "Files attached to this PDF",
}

// Draw renders the document as an A4 PDF.
func Draw(d Document) ([]byte, error) {
	w := dutch
	if d.Lang == "en" {
		w = english
	}
	title, ok := w.title[d.Kind]
	if !ok {
		return nil, fmt.Errorf("pdfseal: unknown document kind %q", d.Kind)
	}
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.SetCompression(true)
	pdf.AddUTF8FontFromBytes("dejavu", "", fontRegular)
	pdf.AddUTF8FontFromBytes("dejavu", "B", fontBold)
	pdf.SetTitle(title, true)
	pdf.SetCreator("pkiodesk", true)
	pdf.SetCreationDate(d.Created)
	pdf.SetModificationDate(d.Created)
	pdf.AliasNbPages("{nb}")
	pdf.SetMargins(20, 25, 20)
	pdf.SetAutoPageBreak(true, 22)
	pdf.SetHeaderFunc(func() {
		pdf.SetFont("dejavu", "B", 9)
		pdf.SetTextColor(21, 66, 115)
		pdf.CellFormat(85, 6, "pkiodesk", "", 0, "L", false, 0, "")
		pdf.SetFont("dejavu", "", 9)
		pdf.CellFormat(0, 6, d.Organisation, "", 1, "R", false, 0, "")
		pdf.SetDrawColor(21, 66, 115)
		pdf.Line(20, 19, 190, 19)
		pdf.SetTextColor(0, 0, 0)
		pdf.Ln(4)
	})
	pdf.SetFooterFunc(func() {
		pdf.SetY(-15)
		pdf.SetFont("dejavu", "", 8)
		pdf.SetTextColor(90, 90, 90)
		pdf.CellFormat(85, 5, d.Number, "", 0, "L", false, 0, "")
		pdf.CellFormat(0, 5, fmt.Sprintf(w.page, pdf.PageNo()), "", 0, "R", false, 0, "")
	})
	pdf.AddPage()

	pdf.SetFont("dejavu", "B", 16)
	pdf.MultiCell(0, 8, title, "", "L", false)
	pdf.Ln(2)
	pdf.SetFont("dejavu", "", 10)
	pdf.MultiCell(0, 5, w.intro[d.Kind], "", "L", false)
	pdf.Ln(3)

	created := d.Created.Local().Format("02-01-2006 15:04:05 MST")
	section(pdf, "", []Field{
		{w.number, d.Number}, {w.date, created}, {w.org, d.Organisation}, {w.sub, d.Subscriber}, {w.oin, d.OIN},
	})
	for _, s := range d.Sections {
		section(pdf, s.Heading, s.Fields)
	}
	section(pdf, w.login, []Field{
		{w.subject, d.Login.Subject}, {w.issuer, d.Login.Issuer}, {w.serial, d.Login.Serial}, {w.fingerprint, d.Login.SHA256},
	})
	attach(pdf, w, d.Attachments)
	if d.Kind == BVForm {
		for _, who := range d.Signatories {
			signatureBlock(pdf, w, who)
		}
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("pdfseal: drawing %s: %w", d.Kind, err)
	}
	return buf.Bytes(), nil
}

func section(pdf *gofpdf.Fpdf, heading string, fields []Field) {
	if heading != "" {
		pdf.Ln(2)
		pdf.SetFont("dejavu", "B", 11)
		pdf.SetFillColor(232, 238, 245)
		pdf.CellFormat(0, 7, heading, "", 1, "L", true, 0, "")
		pdf.Ln(1)
	}
	for _, f := range fields {
		keepTogether(pdf, f)
		pdf.SetFont("dejavu", "B", 9)
		y, page := pdf.GetY(), pdf.PageNo()
		pdf.MultiCell(50, 5, f.Label, "", "L", false)
		after := pdf.GetY()
		pdf.SetXY(70, y)
		pdf.SetFont("dejavu", "", 9)
		pdf.MultiCell(0, 5, f.Value, "", "L", false)
		if pdf.PageNo() == page && pdf.GetY() < after {
			pdf.SetY(after)
		}
	}
}

func signatureBlock(pdf *gofpdf.Fpdf, w words, who string) {
	if pdf.GetY() > 230 {
		pdf.AddPage()
	}
	pdf.Ln(6)
	pdf.SetFont("dejavu", "B", 10)
	pdf.CellFormat(0, 6, who, "", 1, "L", false, 0, "")
	pdf.SetFont("dejavu", "", 9)
	for _, label := range []string{w.name, w.place, w.signature} {
		pdf.CellFormat(50, 10, label, "", 0, "L", false, 0, "")
		x, y := pdf.GetXY()
		pdf.Line(x, y+8, 190, y+8)
		pdf.Ln(10)
	}
	pdf.Ln(4)
}
