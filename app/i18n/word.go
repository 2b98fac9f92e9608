package i18n

// Word is a message argument that is itself a text key, rendered in the
// reader's language (a state, a kind): "order ABC is placed" reads
// "bestelling ABC is geplaatst" in Dutch.
type Word string

// Localizer is a message argument that renders itself in a language (an
// *Error, a list of problems).
type Localizer interface {
	Localize(l Lang) string
}

// localizeArgs renders the Word and Localizer arguments in language l.
func localizeArgs(l Lang, args []any) []any {
	var out []any
	for i, a := range args {
		var s string
		switch w := a.(type) {
		case Word:
			s = T(l, string(w))
		case Localizer:
			s = w.Localize(l)
		default:
			continue
		}
		if out == nil {
			out = append([]any(nil), args...)
		}
		out[i] = s
	}
	if out == nil {
		return args
	}
	return out
}
