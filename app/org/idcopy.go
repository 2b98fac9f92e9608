package org

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // ID copies: decoded to check them
	_ "image/png"
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

// maxIDCopyPixels bounds an image's size before it is decoded: a scan at
// 600 dpi of an A4 page is about 35 million pixels.
const maxIDCopyPixels = 40_000_000

// ValidateChosenIDCopy checks an ID copy as read from a chosen file: a
// file that could not be read (too large, unreadable, a folder) is said
// to be so, not taken for an empty one.
func ValidateChosenIDCopy(name string, data []byte, readErr error) (IDCopyRef, error) {
	switch {
	case readErr == nil:
		return ValidateIDCopy(name, data)
	case i18n.Is(readErr, "err.file_too_large"):
		return IDCopyRef{}, i18n.E("org.id_copy.too_large", readErr, MaxIDCopySize>>20)
	default:
		return IDCopyRef{}, i18n.E("org.id_copy.unreadable", readErr)
	}
}

// ValidateIDCopy checks a digital copy of an ID document for a new
// contact person and describes it: a JPEG or PNG that decodes, or a PDF
// that ends as a PDF does (startxref, %%EOF). The name it is given is the
// neutral one the caller chooses ("identiteitsbewijs-1.jpg"; a file's own
// name often holds the document number), with the extension of its type.
// It never returns or logs the content.
func ValidateIDCopy(name string, data []byte) (IDCopyRef, error) {
	if len(data) == 0 {
		return IDCopyRef{}, i18n.E("org.id_copy.empty", nil)
	}
	if len(data) > MaxIDCopySize {
		return IDCopyRef{}, i18n.E("org.id_copy.too_large", nil, MaxIDCopySize>>20)
	}
	for _, t := range idCopyTypes {
		if !bytes.HasPrefix(data, t.magic) {
			continue
		}
		if err := wellFormed(t.mediaType, data); err != nil {
			return IDCopyRef{}, i18n.E("org.id_copy.damaged", err)
		}
		sum := sha256.Sum256(data)
		return IDCopyRef{FileName: idCopyName(name, t.ext), MediaType: t.mediaType, Size: len(data), SHA256: hex.EncodeToString(sum[:])}, nil
	}
	return IDCopyRef{}, i18n.E("org.id_copy.type", nil)
}

// wellFormed: an image decodes whole (its size checked first); a PDF has
// its cross-reference pointer and end marker at its end.
func wellFormed(mediaType string, data []byte) error {
	if mediaType == "application/pdf" {
		tail := data[max(0, len(data)-1024):]
		end := bytes.LastIndex(tail, []byte("%%EOF"))
		if end < 0 || len(bytes.TrimSpace(tail[end+5:])) > 0 || !bytes.Contains(tail[:end], []byte("startxref")) {
			return errors.New("no PDF end (startxref, %%EOF)")
		}
		return nil
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return err
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > maxIDCopyPixels {
		return fmt.Errorf("%d×%d pixels", cfg.Width, cfg.Height)
	}
	_, _, err = image.Decode(bytes.NewReader(data))
	return err
}

// idCopyName keeps a file name that is safe inside a PDF and on a disk:
// the base name, printable, not too long, with the extension of its type.
func idCopyName(name, ext string) string {
	base := filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	base = strings.TrimSuffix(base, filepath.Ext(base))
	var b strings.Builder
	for _, r := range base {
		switch {
		case r == utf8.RuneError, unicode.IsControl(r), unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp, unicode.Co, unicode.Cs), strings.ContainsRune(`/\\:*?"<>|`, r):
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
