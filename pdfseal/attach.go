package pdfseal

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"

	"github.com/digitorus/pdf"
	"github.com/jung-kurt/gofpdf"
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
func Attachments(data []byte) (out []Attachment, err error) {
	r, err := openPDF(data)
	if err != nil {
		return nil, err
	}
	defer func() {
		if p := recover(); p != nil {
			out, err = nil, fmt.Errorf("pdfseal: PDF structure: %v", p)
		}
	}()
	tree := r.Trailer().Key("Root").Key("Names").Key("EmbeddedFiles")
	if tree.IsNull() {
		return nil, ErrNoAttachments
	}
	var specs []pdf.Value
	if err := collectNames(tree, &specs, 0); err != nil {
		return nil, err
	}
	for _, fs := range specs {
		a, err := readFileSpec(fs)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	if len(out) == 0 {
		return nil, ErrNoAttachments
	}
	return out, nil
}

// collectNames walks a name tree (Names pairs, Kids nodes).
func collectNames(node pdf.Value, out *[]pdf.Value, depth int) error {
	if depth > 16 {
		return errors.New("pdfseal: attachment name tree too deep")
	}
	names := node.Key("Names")
	for i := 1; i < names.Len(); i += 2 {
		if len(*out) >= maxAttachments {
			return fmt.Errorf("pdfseal: more than %d attachments", maxAttachments)
		}
		*out = append(*out, names.Index(i))
	}
	kids := node.Key("Kids")
	for i := 0; i < kids.Len(); i++ {
		if err := collectNames(kids.Index(i), out, depth+1); err != nil {
			return err
		}
	}
	return nil
}

func readFileSpec(fs pdf.Value) (Attachment, error) {
	name := textOf(fs.Key("UF"))
	if name == "" {
		name = textOf(fs.Key("F"))
	}
	stream := fs.Key("EF").Key("F")
	if stream.Kind() != pdf.Stream {
		return Attachment{}, fmt.Errorf("pdfseal: attachment %q has no embedded file", name)
	}
	data, err := io.ReadAll(io.LimitReader(stream.Reader(), maxAttachmentSize+1))
	if err != nil {
		return Attachment{}, fmt.Errorf("pdfseal: attachment %q: %w", name, err)
	}
	if len(data) > maxAttachmentSize {
		return Attachment{}, fmt.Errorf("pdfseal: attachment %q is larger than %d MiB", name, maxAttachmentSize>>20)
	}
	return Attachment{Name: name, Description: textOf(fs.Key("Desc")), Data: data}, nil
}

// textOf decodes a PDF text string: UTF-16BE with a byte order mark, or
// PDFDocEncoding (read as Latin-1, which it equals for letters).
func textOf(v pdf.Value) string {
	raw := v.RawString()
	if len(raw) >= 2 && raw[0] == 0xFE && raw[1] == 0xFF {
		b := []byte(raw[2:])
		u := make([]uint16, len(b)/2)
		for i := range u {
			u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		}
		return string(utf16.Decode(u))
	}
	rs := make([]rune, len(raw))
	for i := 0; i < len(raw); i++ {
		rs[i] = rune(raw[i])
	}
	return string(rs)
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
