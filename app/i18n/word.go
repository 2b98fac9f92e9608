package i18n

// Word is a message argument that is itself a text key, rendered in the
// reader's language (a state, a kind): "order ABC is placed" reads
// "bestelling ABC is geplaatst" in Dutch.
type Word string

// localizeArgs renders the Word arguments in language l.
func localizeArgs(l Lang, args []any) []any {
	var out []any
	for i, a := range args {
		if w, ok := a.(Word); ok {
			if out == nil {
				out = append([]any(nil), args...)
			}
			out[i] = T(l, string(w))
		}
	}
	if out == nil {
		return args
	}
	return out
}
