package org

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"pkiodesk/app/i18n"
)

// MaxIDCopySize bounds a copy of an ID document: a phone photo or a scan
// fits, a video does not.
const MaxIDCopySize = 10 << 20

// idCopyTypes are what an ID copy may be, recognised by their first bytes
// (the file name says nothing).
var idCopyTypes = []struct {
	magic     []byte
	mediaType string
	ext       string
}{
	{[]byte("%PDF-"), "application/pdf", ".pdf"},
	{[]byte{0xFF, 0xD8, 0xFF}, "image/jpeg", ".jpg"},
	{[]byte("\x89PNG\r\n\x1a\n"), "image/png", ".png"},
}

// ValidateIDCopy checks a digital copy of an ID document for a new
// contact person and describes it. It never returns or logs the content.
func ValidateIDCopy(name string, data []byte) (IDCopyRef, error) {
	if len(data) == 0 {
		return IDCopyRef{}, i18n.E("org.id_copy.empty", nil)
	}
	if len(data) > MaxIDCopySize {
		return IDCopyRef{}, i18n.E("org.id_copy.too_large", nil, MaxIDCopySize>>20)
	}
	for _, t := range idCopyTypes {
		if bytes.HasPrefix(data, t.magic) {
			sum := sha256.Sum256(data)
			return IDCopyRef{FileName: idCopyName(name, t.ext), MediaType: t.mediaType, Size: len(data), SHA256: hex.EncodeToString(sum[:])}, nil
		}
	}
	return IDCopyRef{}, i18n.E("org.id_copy.type", nil)
}

// idCopyName keeps a file name that is safe inside a PDF and on a disk:
// the base name, printable, not too long, with the extension of its type.
func idCopyName(name, ext string) string {
	base := filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	base = strings.TrimSuffix(base, filepath.Ext(base))
	var b strings.Builder
	for _, r := range base {
		switch {
		case r == utf8.RuneError, unicode.IsControl(r), unicode.Is(unicode.Cf, r), strings.ContainsRune(`/\\:*?"<>|`, r):
			b.WriteRune('_')
		default:
			b.WriteRune(r)
		}
		if b.Len() > 80 {
			break
		}
	}
	clean := strings.Trim(b.String(), " ._")
	if clean == "" {
		clean = "kopie-id"
	}
	return clean + ext
}
