package inventory

import (
	"encoding/csv"
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
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return i18n.E("err.csv_write", err)
	}
	cw := csv.NewWriter(w)
	cw.Comma = opt.Separator
	header := make([]string, len(Columns))
	for i, c := range Columns {
		header[i] = i18n.T(opt.Lang, "col."+string(c))
	}
	if err := cw.Write(header); err != nil {
		return i18n.E("err.csv_write", err)
	}
	rec := make([]string, len(Columns))
	for _, c := range v.Rows {
		for i, col := range Columns {
			rec[i] = neutralise(Cell(c, col, v, opt.Lang))
		}
		if err := cw.Write(rec); err != nil {
			return i18n.E("err.csv_write", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return i18n.E("err.csv_write", err)
	}
	return nil
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

// neutralise stops a spreadsheet from reading a cell as a formula
// (OWASP "CSV injection"): a leading = + - @ tab or CR gets a quote before it.
func neutralise(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// TableWriter writes any table with the overviews' CSV safety (byte order
// mark, separator, cells that cannot start a formula), for other exports
// such as the audit journal.
type TableWriter struct {
	cw *csv.Writer
}

// NewTableWriter starts a CSV file with its header row.
func NewTableWriter(w io.Writer, opt CSVOptions, header []string) (*TableWriter, error) {
	if opt.Separator == 0 {
		opt.Separator = ';'
	}
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return nil, i18n.E("err.csv_write", err)
	}
	t := &TableWriter{cw: csv.NewWriter(w)}
	t.cw.Comma = opt.Separator
	return t, t.Row(header)
}

// Row writes one row, each cell neutralised.
func (t *TableWriter) Row(cells []string) error {
	rec := make([]string, len(cells))
	for i, c := range cells {
		rec[i] = neutralise(c)
	}
	if err := t.cw.Write(rec); err != nil {
		return i18n.E("err.csv_write", err)
	}
	return nil
}

// Close flushes the rows.
func (t *TableWriter) Close() error {
	t.cw.Flush()
	if err := t.cw.Error(); err != nil {
		return i18n.E("err.csv_write", err)
	}
	return nil
}
