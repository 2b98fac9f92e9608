package audit

import (
	"io"
	"strconv"
	"time"

	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
)

// Columns of the journal export, as keys of audit.col.*.
var Columns = []string{"seq", "time", "person", "cert", "os_user", "action", "object", "outcome", "reason", "count", "hash"}

// Cells is one entry as the export and the Logboek show it.
func Cells(e *Entry, l i18n.Lang) []string {
	obj := ""
	if e.Object.Kind != NoObject {
		obj = string(e.Object.Kind)
		if e.Object.ID != "" {
			obj += " " + e.Object.ID
		}
	}
	reason := ""
	if e.Reason != "" {
		reason = i18n.T(l, e.Reason)
	}
	count := ""
	if e.Count > 0 {
		count = strconv.Itoa(e.Count)
	}
	return []string{
		strconv.FormatUint(e.Seq, 10), e.Time.Local().Format(time.RFC3339), e.Who.Name(), e.Who.CertSHA, e.Who.OSUser,
		i18n.T(l, "audit.action."+string(e.Action)), obj, i18n.T(l, "audit.outcome."+string(e.Outcome)), reason, count, e.Hash,
	}
}

// WriteCSV writes entries with the overviews' CSV safety.
func WriteCSV(w io.Writer, entries []Entry, opt inventory.CSVOptions) error {
	header := make([]string, len(Columns))
	for i, c := range Columns {
		header[i] = i18n.T(opt.Lang, "audit.col."+c)
	}
	tw, err := inventory.NewTableWriter(w, opt, header)
	if err != nil {
		return err
	}
	for i := range entries {
		if err := tw.Row(Cells(&entries[i], opt.Lang)); err != nil {
			return err
		}
	}
	return tw.Close()
}
