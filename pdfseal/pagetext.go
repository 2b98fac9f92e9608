package pdfseal

import (
	"bytes"
	"context"
	"errors"

	"pkiodesk/pdfseal/internal/cos"
)

// Limits for reading page text back.
const (
	maxTextPages   = 64
	maxTextStrings = 100_000
	maxContentSize = 16 << 20
)

// PageStrings returns the string operands of the content streams of every
// page of a PDF's newest revision, in the order they are drawn, unescaped
// but otherwise as the stream has them (for pkiodesk's own documents, drawn
// with gofpdf's UTF-8 fonts: UTF-16BE without a byte order mark). It is not
// a general text extractor: it lets a reader compare what a page shows
// with what the same document drawn again shows, string by string.
func PageStrings(ctx context.Context, data []byte) ([][]byte, error) {
	f, err := openPDF(ctx, data, "pdf.err.encrypted_verify")
	if err != nil {
		return nil, err
	}
	t := f.Table(len(f.Revisions) - 1)
	root, _, err := catalog(t)
	if err != nil {
		return nil, damaged(ctx, err)
	}
	pages, err := pageList(ctx, t, root)
	if err != nil {
		return nil, damaged(ctx, err)
	}
	if len(pages) > maxTextPages {
		return nil, damaged(ctx, errors.New("too many pages"))
	}
	var out [][]byte
	for _, p := range pages {
		v, err := t.Deref(p.dict["Contents"])
		if err != nil {
			return nil, damaged(ctx, err)
		}
		var streams []cos.Object
		switch x := v.(type) {
		case *cos.Stream:
			streams = append(streams, x)
		case cos.Array:
			streams = x
		case nil:
		default:
			return nil, damaged(ctx, errors.New("page contents are not a stream"))
		}
		for _, s := range streams {
			sv, err := t.Deref(s)
			if err != nil {
				return nil, damaged(ctx, err)
			}
			st, ok := sv.(*cos.Stream)
			if !ok {
				return nil, damaged(ctx, errors.New("page contents are not a stream"))
			}
			content, err := cos.Decode(st, maxContentSize)
			if err != nil {
				return nil, damaged(ctx, err)
			}
			if out, err = contentStrings(content, out); err != nil {
				return nil, damaged(ctx, err)
			}
		}
	}
	return out, nil
}

// contentStrings appends the literal and hex strings of a content stream.
// Everything else (operators, numbers, names) is skipped; strings inside
// inline images are not expected in pkiodesk's documents.
func contentStrings(b []byte, out [][]byte) ([][]byte, error) {
	for i := 0; i < len(b); {
		switch b[i] {
		case '%':
			for i < len(b) && b[i] != '\n' && b[i] != '\r' {
				i++
			}
		case '(':
			s, n, err := literal(b[i:])
			if err != nil {
				return nil, err
			}
			out = append(out, s)
			i += n
		case '<':
			if i+1 < len(b) && b[i+1] == '<' {
				i += 2
				continue
			}
			end := bytes.IndexByte(b[i:], '>')
			if end < 0 {
				return nil, errors.New("unterminated hex string")
			}
			out = append(out, unhex(b[i+1:i+end]))
			i += end + 1
		default:
			i++
		}
		if len(out) > maxTextStrings {
			return nil, errors.New("too many strings")
		}
	}
	return out, nil
}

// literal reads a literal string "(...)" at the start of b: balanced
// parentheses, backslash escapes (PDF 32000-1 7.3.4.2). It returns the
// string and how many bytes it took.
func literal(b []byte) ([]byte, int, error) {
	var s []byte
	depth := 0
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch c {
		case '(':
			if depth > 0 {
				s = append(s, c)
			}
			depth++
		case ')':
			depth--
			if depth == 0 {
				return s, i + 1, nil
			}
			s = append(s, c)
		case '\\':
			i++
			if i >= len(b) {
				return nil, 0, errors.New("unterminated string")
			}
			switch e := b[i]; e {
			case 'n':
				s = append(s, '\n')
			case 'r':
				s = append(s, '\r')
			case 't':
				s = append(s, '\t')
			case 'b':
				s = append(s, '\b')
			case 'f':
				s = append(s, '\f')
			case '\r':
				if i+1 < len(b) && b[i+1] == '\n' {
					i++
				}
			case '\n':
			default:
				if e >= '0' && e <= '7' {
					v := 0
					for k := 0; k < 3 && i < len(b) && b[i] >= '0' && b[i] <= '7'; k++ {
						v = v*8 + int(b[i]-'0')
						i++
					}
					i--
					s = append(s, byte(v))
				} else {
					s = append(s, e)
				}
			}
		default:
			s = append(s, c)
		}
	}
	return nil, 0, errors.New("unterminated string")
}

func unhex(h []byte) []byte {
	var out []byte
	var hi byte
	half := false
	for _, c := range h {
		var v byte
		switch {
		case c >= '0' && c <= '9':
			v = c - '0'
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			v = c - 'A' + 10
		default:
			continue
		}
		if half {
			out = append(out, hi<<4|v)
		} else {
			hi = v
		}
		half = !half
	}
	if half {
		out = append(out, hi<<4)
	}
	return out
}
