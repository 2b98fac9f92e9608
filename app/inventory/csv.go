package inventory

import (
	"bufio"
	"io"
	"strings"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
)

// CSVOptions tune the export. The zero value writes what Dutch Excel opens
// with a double click: ';' as separator and a UTF-8 byte order mark.
type CSVOptions struct {
	Lang      i18n.Lang
	Separator rune // default ';'
}

// WriteCSV writes exactly the rows of a view, in their order, with a header.
func WriteCSV(w io.Writer, v View, opt CSVOptions) error {
	if opt.Separator == 0 {
		opt.Separator = ';'
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.WriteString("\uFEFF")
	rec := make([]string, len(Columns))
	for i, c := range Columns {
		rec[i] = i18n.T(opt.Lang, "col."+string(c))
	}
	writeCSVRecord(bw, rec, opt.Separator)
	for _, c := range v.Rows {
		for i, col := range Columns {
			rec[i] = neutralise(Cell(c, col, v, opt.Lang))
		}
		writeCSVRecord(bw, rec, opt.Separator)
	}
	if err := bw.Flush(); err != nil {
		return i18n.E("err.csv_write", err)
	}
	return nil
}

// writeCSVRecord writes one line. A cell is quoted when it holds a comma,
// a semicolon, the separator, a quote, a line break or outer spaces: Dutch
// Excel splits on ';', English Excel on ',', and a cell must stay one cell
// for both.
func writeCSVRecord(w *bufio.Writer, rec []string, sep rune) {
	for i, cell := range rec {
		if i > 0 {
			w.WriteRune(sep)
		}
		if !needsQuotes(cell, sep) {
			w.WriteString(cell)
			continue
		}
		w.WriteByte('"')
		w.WriteString(strings.ReplaceAll(cell, `"`, `""`))
		w.WriteByte('"')
	}
	w.WriteByte('\n')
}

func needsQuotes(cell string, sep rune) bool {
	if cell == "" {
		return false
	}
	if strings.ContainsAny(cell, ",;\"\r\n\t|") || strings.ContainsRune(cell, sep) {
		return true
	}
	first, last := cell[0], cell[len(cell)-1]
	return first == ' ' || first == '\t' || last == ' ' || last == '\t'
}

// Cell is the text of one column for one certificate, as the overviews and
// the CSV show it.
func Cell(c *cert.Certificate, col Column, v View, l i18n.Lang) string {
	switch col {
	case ColKind:
		return i18n.T(l, "kind."+string(c.Kind))
	case ColProfile:
		return i18n.T(l, "profile."+string(c.Profile()))
	case ColCN:
		return c.CommonName
	case ColOrg:
		return c.Organization
	case ColOIN:
		return c.OIN
	case ColNames:
		return Names(c)
	case ColIssuer:
		return c.IssuerCN
	case ColSerial:
		return c.Serial
	case ColNotBefore:
		return c.NotBefore.Format("2006-01-02")
	case ColNotAfter:
		return c.NotAfter.Format("2006-01-02")
	case ColStatus:
		if v.statusText != nil {
			return v.statusText(c, v.Now, l)
		}
		return i18n.T(l, "status."+string(c.Status(v.Now)))
	case ColSHA256:
		return c.SHA256
	}
	return ""
}

// IsSeparator tells whether r may separate the cells of a CSV file:
// semicolon (Dutch spreadsheets), comma (English ones), tab or bar. A quote,
// a line break, a letter or a digit would change what the cells hold.
func IsSeparator(r rune) bool { return r == ';' || r == ',' || r == '\t' || r == '|' }

// formulaStart are the first characters that make a spreadsheet read a
// cell as a formula (OWASP "CSV injection"), NUL and line feed included.
const formulaStart = "=+-@\t\r\n\x00"

// neutralise stops a spreadsheet from reading a cell as a formula: a cell
// starting with a formula character gets a quote before it. So does such a
// character right after a comma, semicolon, tab, bar or line break inside
// the cell: a spreadsheet that splits on another separator than the file
// uses (English Excel on ',', Dutch on ';', a text import or a paste on
// tabs) would start a new cell there. Spaces
// before it do not count: a spreadsheet that trims cells would remove them.
func neutralise(s string) string {
	var b strings.Builder
	start := 0
	guard := func(at int) { // a quote before s[at] when a formula starts there
		j := at
		for j < len(s) && s[j] == ' ' {
			j++
		}
		if j < len(s) && strings.IndexByte(formulaStart, s[j]) >= 0 {
			b.WriteString(s[start:j])
			b.WriteByte('\'')
			start = j
		}
	}
	guard(0)
	for i := 0; i+1 < len(s); i++ {
		if strings.IndexByte(",;\r\n\t|", s[i]) >= 0 {
			guard(i + 1)
		}
	}
	if b.Len() == 0 {
		return s
	}
	b.WriteString(s[start:])
	return b.String()
}

// TableWriter writes any table with the overviews' CSV safety (byte order
// mark, separator, quoting, cells that cannot start a formula), for other
// exports such as the audit journal.
type TableWriter struct {
	w   *bufio.Writer
	sep rune
	rec []string
}

// NewTableWriter starts a CSV file with its header row.
func NewTableWriter(w io.Writer, opt CSVOptions, header []string) (*TableWriter, error) {
	if opt.Separator == 0 {
		opt.Separator = ';'
	}
	t := &TableWriter{w: bufio.NewWriterSize(w, 64<<10), sep: opt.Separator}
	t.w.WriteString("\uFEFF")
	return t, t.Row(header)
}

// Row writes one row, each cell neutralised.
func (t *TableWriter) Row(cells []string) error {
	t.rec = t.rec[:0]
	for _, c := range cells {
		t.rec = append(t.rec, neutralise(c))
	}
	writeCSVRecord(t.w, t.rec, t.sep)
	if t.w.Buffered() >= 32<<10 {
		if err := t.w.Flush(); err != nil {
			return i18n.E("err.csv_write", err)
		}
	}
	return nil
}

// Close flushes the rows.
func (t *TableWriter) Close() error {
	if err := t.w.Flush(); err != nil {
		return i18n.E("err.csv_write", err)
	}
	return nil
}
