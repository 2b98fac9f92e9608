package i18n

// N renders a text whose wording depends on a count: the key with ".one"
// appended when n is 1 ("1 certificaat"), the key itself otherwise
// ("3 certificaten"). Dutch and English both have just these two forms.
// The arguments are passed as given, so n must be among them where the text
// shows it.
func N(l Lang, key string, n int, args ...any) string {
	if n == 1 {
		if _, ok := catalogue[key+".one"]; ok {
			return T(l, key+".one", args...)
		}
	}
	return T(l, key, args...)
}
