package trust

import (
	"time"

	"pkiodesk/app/i18n"
)

const (
	dateFormat     = "2006-01-02"
	dateTimeFormat = "2006-01-02 15:04"
)

// Text words the state briefly, for a status column. "Unknown" always
// says since when: it is never shown as valid.
func (s Status) Text(l i18n.Lang) string {
	switch s.State {
	case StateGood:
		return i18n.T(l, "trust.state.good")
	case StateRevoked:
		return i18n.T(l, "trust.state.revoked", s.RevokedAt.Local().Format(dateFormat), ReasonText(l, s.Reason.String()))
	case StateUnknown:
		return i18n.T(l, "trust.state.unknown", s.UnknownSince.Local().Format(dateTimeFormat))
	case StateNoSource:
		return i18n.T(l, "trust.state.no_source")
	}
	return i18n.T(l, "trust.state.unchecked")
}

// Detail explains the state in a sentence or two: where the answer came
// from and until when it holds, or why it is unknown.
func (s Status) Detail(l i18n.Lang) string {
	var msg string
	switch {
	case s.State == StateGood:
		msg = i18n.T(l, "trust.detail.good", methodText(l, s.Method), s.Source, local(s.ThisUpdate), local(s.NextUpdate))
	case s.State == StateRevoked && s.Method == "":
		msg = i18n.T(l, "trust.detail.revoked_here", local(s.RevokedAt), ReasonText(l, s.Reason.String()))
	case s.State == StateRevoked:
		msg = i18n.T(l, "trust.detail.revoked", local(s.RevokedAt), ReasonText(l, s.Reason.String()), methodText(l, s.Method), s.Source)
	case s.State == StateUnknown:
		msg = i18n.T(l, "trust.detail.unknown", local(s.UnknownSince))
	case s.State == StateNoSource:
		msg = i18n.T(l, "trust.detail.no_source")
	default:
		msg = i18n.T(l, "trust.detail.unchecked")
	}
	if s.Problem != nil && s.State != StateRevoked {
		msg += "\n" + i18n.T(l, "trust.detail.last_problem", i18n.Localize(l, s.Problem))
	}
	return msg
}

func methodText(l i18n.Lang, m string) string {
	if m == "" {
		return ""
	}
	return i18n.T(l, "trust.method."+m)
}

func local(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.Local().Format(dateTimeFormat)
}

// Text words a chain's verdict: trusted and through what, or why not.
func (c Chain) Text(l i18n.Lang) string {
	if c.Trusted {
		return i18n.T(l, "trust.chain.trusted."+string(c.Source), name(c.Certs[len(c.Certs)-1]))
	}
	return i18n.T(l, "trust.chain.untrusted", i18n.Localize(l, c.Err))
}
