package pdfseal

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/jung-kurt/gofpdf"

	"pkiodesk/pdfseal/internal/cos"
)

// Attachment is a file embedded in a document (the PDF's EmbeddedFiles):
// the machine-readable twin of what the page shows, e.g. an order's JSON
// and its CSR. Attachments are written in the document's first revision,
// so a seal over the document covers them.
type Attachment struct {
	Name        string // file name shown by PDF readers
	Description string
	Data        []byte
}

// Limits for reading attachments back from a PDF someone else may have
// written.
const (
	maxAttachments    = 32
	maxAttachmentSize = 16 << 20
)

// attach embeds the attachments and lists them, with their SHA-256, at
// the end of the page so that a printed order says what it carried.
func attach(pdf *gofpdf.Fpdf, w words, list []Attachment) {
	if len(list) == 0 {
		return
	}
	as := make([]gofpdf.Attachment, len(list))
	fields := make([]Field, len(list))
	for i, a := range list {
		as[i] = gofpdf.Attachment{Content: a.Data, Filename: a.Name, Description: a.Description}
		sum := sha256.Sum256(a.Data)
		h := hex.EncodeToString(sum[:])
		fields[i] = Field{a.Name, fmt.Sprintf("%s\nSHA-256 %s\n%s", a.Description, h[:32], h[32:])}
	}
	pdf.SetAttachments(as)
	section(pdf, w.attachments, fields)
}

// ErrNoAttachments is returned for a PDF without embedded files.
var ErrNoAttachments = errors.New("pdfseal: the PDF has no attachments")

// Attachments reads the embedded files of a PDF (the EmbeddedFiles name
// tree of its newest revision). Verify the document before trusting them:
// only a seal covering the whole file says they are the signed ones.
func Attachments(ctx context.Context, data []byte) ([]Attachment, error) {
	f, err := openPDF(ctx, data, "pdf.err.encrypted_verify")
	if err != nil {
		return nil, err
	}
	t := f.Table(len(f.Revisions) - 1)
	root, _, err := catalog(t)
	if err != nil {
		return nil, damaged(ctx, err)
	}
	names, err := dictAt(t, root["Names"])
	if err != nil {
		return nil, damaged(ctx, err)
	}
	tree, err := dictAt(t, names["EmbeddedFiles"])
	if err != nil {
		return nil, damaged(ctx, err)
	}
	if tree == nil {
		return nil, ErrNoAttachments
	}
	var specs []cos.Dict
	if err := collectNames(t, tree, &specs, 0); err != nil {
		return nil, damaged(ctx, err)
	}
	var out []Attachment
	for _, fs := range specs {
		a, err := readFileSpec(t, fs)
		if err != nil {
			return nil, damaged(ctx, err)
		}
		out = append(out, a)
	}
	if len(out) == 0 {
		return nil, ErrNoAttachments
	}
	return out, nil
}

// collectNames walks a name tree (Names pairs, Kids nodes).
func collectNames(t *cos.Table, node cos.Dict, out *[]cos.Dict, depth int) error {
	if depth > 16 {
		return errors.New("attachment name tree too deep")
	}
	names, err := arrayAt(t, node["Names"])
	if err != nil {
		return err
	}
	for i := 1; i < len(names); i += 2 {
		if len(*out) >= maxAttachments {
			return fmt.Errorf("more than %d attachments", maxAttachments)
		}
		spec, err := dictAt(t, names[i])
		if err != nil {
			return err
		}
		if spec != nil {
			*out = append(*out, spec)
		}
	}
	kids, err := arrayAt(t, node["Kids"])
	if err != nil {
		return err
	}
	for _, k := range kids {
		kid, err := dictAt(t, k)
		if err != nil {
			return err
		}
		if kid != nil {
			if err := collectNames(t, kid, out, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

func readFileSpec(t *cos.Table, fs cos.Dict) (Attachment, error) {
	name := stringAt(t, fs["UF"])
	if name == "" {
		name = stringAt(t, fs["F"])
	}
	ef, err := dictAt(t, fs["EF"])
	if err != nil {
		return Attachment{}, err
	}
	v, err := t.Deref(ef["F"])
	if err != nil {
		return Attachment{}, err
	}
	st, ok := v.(*cos.Stream)
	if !ok {
		return Attachment{}, fmt.Errorf("attachment %q has no embedded file", printable(name))
	}
	data, err := cos.Decode(st, maxAttachmentSize)
	if err != nil {
		return Attachment{}, fmt.Errorf("attachment %q: %w", printable(name), err)
	}
	return Attachment{Name: name, Description: stringAt(t, fs["Desc"]), Data: data}, nil
}

// stringAt reads a text string value ("" for anything else).
func stringAt(t *cos.Table, v cos.Object) string {
	x, err := t.Deref(v)
	if err != nil {
		return ""
	}
	s, _ := x.(cos.String)
	return textString(s.Value)
}

// keepTogether starts a new page when a field would not fit on this one,
// so that a label and its value are never split over two pages.
func keepTogether(pdf *gofpdf.Fpdf, f Field) {
	pdf.SetFont("dejavu", "", 9)
	lines := 0
	for _, l := range strings.Split(f.Value, "\n") {
		lines += max(1, len(pdf.SplitText(l, 120)))
	}
	_, pageHeight := pdf.GetPageSize()
	_, _, _, bottom := pdf.GetMargins()
	if need := float64(lines) * 5; need < pageHeight/2 && pdf.GetY()+need > pageHeight-bottom {
		pdf.AddPage()
	}
}
