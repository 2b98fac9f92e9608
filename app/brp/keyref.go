package brp

import (
	"net/url"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
)

// KeyRef says where a certificate's private key lives: on a token (a
// PKCS#11 URI, RFC 7512, as gateways such as nginx and HAProxy take it) or
// in a key file.
type KeyRef struct {
	// Token and Object are the token label and the key label; Serial picks
	// one of several tokens with the same label.
	Token, Object, Serial string
	// Module is the PKCS#11 module path (the URI's module-path query).
	Module string
	// File is a PEM key file, for a key that is not on a token.
	File string
}

// OnToken reports whether the key is on a PKCS#11 token.
func (k KeyRef) OnToken() bool { return k.File == "" }

// ParseKeyRef reads "pkcs11:token=...;object=...[?module-path=...]", or a
// file path ("file:" prefix optional).
func ParseKeyRef(s string) (KeyRef, error) {
	if len(s) > 4096 || !utf8.ValidString(s) || strings.ContainsAny(s, "\x00\n\r") {
		return KeyRef{}, i18n.E("brp.err.key_ref", nil, cert.Printable(trim(s, 80)))
	}
	rest, ok := strings.CutPrefix(s, "pkcs11:")
	if !ok {
		file := strings.TrimPrefix(s, "file:")
		if file == "" {
			return KeyRef{}, i18n.E("brp.err.key_ref", nil, cert.Printable(s))
		}
		return KeyRef{File: filepath.Clean(file)}, nil
	}
	var k KeyRef
	path, query, _ := strings.Cut(rest, "?")
	for attr := range strings.SplitSeq(path, ";") {
		if attr == "" {
			continue
		}
		name, raw, ok := strings.Cut(attr, "=")
		if !ok {
			return KeyRef{}, i18n.E("brp.err.pkcs11_attr", nil, cert.Printable(trim(attr, 40)))
		}
		v, err := url.PathUnescape(raw)
		if err != nil || !utf8.ValidString(v) {
			return KeyRef{}, i18n.E("brp.err.pkcs11_value", nil, cert.Printable(name))
		}
		var dst *string
		switch name {
		case "token":
			dst = &k.Token
		case "object":
			dst = &k.Object
		case "serial":
			dst = &k.Serial
		case "type":
			if v != "private" && v != "cert" {
				return KeyRef{}, i18n.E("brp.err.pkcs11_type", nil, cert.Printable(v))
			}
			continue
		default:
			return KeyRef{}, i18n.E("brp.err.pkcs11_attr", nil, cert.Printable(trim(name, 40)))
		}
		if *dst != "" {
			return KeyRef{}, i18n.E("brp.err.pkcs11_twice", nil, name)
		}
		*dst = v
	}
	for q := range strings.SplitSeq(query, "&") {
		if q == "" {
			continue
		}
		name, raw, _ := strings.Cut(q, "=")
		if name != "module-path" {
			// pin-value would put a PIN in a configuration file: refused
			// with the rest of what we do not know.
			return KeyRef{}, i18n.E("brp.err.pkcs11_attr", nil, cert.Printable(trim(name, 40)))
		}
		v, err := url.PathUnescape(raw)
		if err != nil || v == "" || !utf8.ValidString(v) {
			return KeyRef{}, i18n.E("brp.err.pkcs11_value", nil, name)
		}
		if k.Module != "" {
			return KeyRef{}, i18n.E("brp.err.pkcs11_twice", nil, name)
		}
		k.Module = v
	}
	if k.Token == "" && k.Serial == "" {
		return KeyRef{}, i18n.E("brp.err.pkcs11_no_token", nil)
	}
	return k, nil
}

// String is the reference in the form ParseKeyRef reads: a PKCS#11 URI
// for a token key, else the file path.
func (k KeyRef) String() string {
	if k.File != "" {
		if strings.HasPrefix(k.File, "file:") || strings.HasPrefix(k.File, "pkcs11:") {
			return "file:" + k.File
		}
		return k.File
	}
	var b strings.Builder
	b.WriteString("pkcs11:")
	sep := ""
	for _, a := range [][2]string{{"token", k.Token}, {"serial", k.Serial}, {"object", k.Object}} {
		if a[1] == "" {
			continue
		}
		b.WriteString(sep + a[0] + "=" + escapeP11(a[1]))
		sep = ";"
	}
	if k.Object != "" {
		b.WriteString(";type=private")
	}
	if k.Module != "" {
		b.WriteString("?module-path=" + escapeP11(k.Module))
	}
	return b.String()
}

// escapeP11 percent-encodes everything outside RFC 7512's unreserved
// characters, so ';', '?', '&', '=' and '%' in a label survive.
func escapeP11(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~/", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteString("%" + strings.ToUpper(string("0123456789abcdef"[c>>4])+string("0123456789abcdef"[c&15])))
	}
	return b.String()
}

func trim(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
