package cos

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
)

// MaxDepth bounds the nesting of arrays and dictionaries in one object.
const MaxDepth = 100

// SyntaxError says where and why a file could not be read. Its text never
// quotes more than a few bytes of the file.
type SyntaxError struct {
	Offset int64
	Msg    string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("byte %d: %s", e.Offset, e.Msg) }

func isSpace(c byte) bool {
	return c == 0 || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' '
}

func isDelim(c byte) bool {
	switch c {
	case '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

func isRegular(c byte) bool { return !isSpace(c) && !isDelim(c) }

// lexer reads objects from buf; base is buf's offset in the file (so that
// positions it reports are file offsets) or -1 for decoded data.
type lexer struct {
	buf  []byte
	pos  int
	base int64
}

func (l *lexer) errf(format string, args ...any) error {
	off := int64(l.pos)
	if l.base >= 0 {
		off += l.base
	}
	return &SyntaxError{Offset: off, Msg: fmt.Sprintf(format, args...)}
}

func (l *lexer) fileOffset(p int) int64 {
	if l.base < 0 {
		return -1
	}
	return l.base + int64(p)
}

// skipSpace skips white space and comments.
func (l *lexer) skipSpace() {
	for l.pos < len(l.buf) {
		c := l.buf[l.pos]
		if isSpace(c) {
			l.pos++
			continue
		}
		if c == '%' {
			for l.pos < len(l.buf) && l.buf[l.pos] != '\n' && l.buf[l.pos] != '\r' {
				l.pos++
			}
			continue
		}
		return
	}
}

// word returns the regular characters at the current position.
func (l *lexer) word() []byte {
	start := l.pos
	for l.pos < len(l.buf) && isRegular(l.buf[l.pos]) {
		l.pos++
	}
	return l.buf[start:l.pos]
}

// peekKeyword reports whether kw follows (after white space), without
// consuming it.
func (l *lexer) peekKeyword(kw string) bool {
	save := l.pos
	l.skipSpace()
	w := l.word()
	l.pos = save
	return string(w) == kw
}

// expectKeyword consumes kw.
func (l *lexer) expectKeyword(kw string) error {
	l.skipSpace()
	if w := l.word(); string(w) != kw {
		return l.errf("%q expected", kw)
	}
	return nil
}

// readUint reads a non-negative integer token (for object headers and
// cross-reference tables).
func (l *lexer) readUint() (int64, bool) {
	l.skipSpace()
	save := l.pos
	w := l.word()
	if len(w) == 0 || len(w) > 18 {
		l.pos = save
		return 0, false
	}
	var n int64
	for _, c := range w {
		if c < '0' || c > '9' {
			l.pos = save
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// parse reads one object. Indirect references are recognised; the
// keywords obj, endobj, stream and endstream are errors here.
func (l *lexer) parse(depth int) (Object, error) {
	if depth > MaxDepth {
		return nil, l.errf("objects nested too deeply")
	}
	l.skipSpace()
	if l.pos >= len(l.buf) {
		return nil, l.errf("unexpected end of data")
	}
	switch c := l.buf[l.pos]; c {
	case '/':
		l.pos++
		return Name(decodeName(l.word())), nil
	case '(':
		return l.literalString()
	case '<':
		if l.pos+1 < len(l.buf) && l.buf[l.pos+1] == '<' {
			return l.dict(depth)
		}
		return l.hexString()
	case '[':
		l.pos++
		arr := Array{}
		for {
			l.skipSpace()
			if l.pos >= len(l.buf) {
				return nil, l.errf("array not closed")
			}
			if l.buf[l.pos] == ']' {
				l.pos++
				return arr, nil
			}
			v, err := l.parse(depth + 1)
			if err != nil {
				return nil, err
			}
			arr = append(arr, v)
		}
	case ')', '>', ']', '{', '}':
		return nil, l.errf("unexpected %q", c)
	}
	start := l.pos
	w := l.word()
	switch string(w) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	case "null":
		return nil, nil
	case "":
		return nil, l.errf("unexpected byte 0x%02x", l.buf[l.pos])
	}
	num, isInt, ok := parseNumber(w)
	if !ok {
		l.pos = start
		return nil, l.errf("unexpected keyword %s", printable(w))
	}
	if !isInt {
		return num.(float64), nil
	}
	n := num.(int64)
	// "num gen R"?
	if n >= 0 && n <= math.MaxUint32 {
		save := l.pos
		if gen, ok := l.readUint(); ok && gen <= math.MaxUint16 {
			l.skipSpace()
			if w := l.word(); string(w) == "R" {
				return Ref{Num: uint32(n), Gen: uint16(gen)}, nil
			}
		}
		l.pos = save
	}
	return n, nil
}

func (l *lexer) dict(depth int) (Object, error) {
	l.pos += 2
	d := Dict{}
	for {
		l.skipSpace()
		if l.pos >= len(l.buf) {
			return nil, l.errf("dictionary not closed")
		}
		if l.buf[l.pos] == '>' {
			if l.pos+1 < len(l.buf) && l.buf[l.pos+1] == '>' {
				l.pos += 2
				return d, nil
			}
			return nil, l.errf("dictionary not closed")
		}
		if l.buf[l.pos] != '/' {
			return nil, l.errf("dictionary key is not a name")
		}
		l.pos++
		key := Name(decodeName(l.word()))
		v, err := l.parse(depth + 1)
		if err != nil {
			return nil, err
		}
		if _, dup := d[key]; dup {
			return nil, l.errf("dictionary key /%s appears twice", printable([]byte(key)))
		}
		if v != nil { // a null entry is the same as no entry
			d[key] = v
		}
	}
}

func (l *lexer) literalString() (Object, error) {
	start := l.pos
	l.pos++
	var out []byte
	nest := 1
	for l.pos < len(l.buf) {
		c := l.buf[l.pos]
		l.pos++
		switch c {
		case '(':
			nest++
		case ')':
			nest--
			if nest == 0 {
				return String{Value: out, Start: l.fileOffset(start), End: l.fileOffset(l.pos)}, nil
			}
		case '\r':
			// An end of line in a string is a single newline.
			if l.pos < len(l.buf) && l.buf[l.pos] == '\n' {
				l.pos++
			}
			c = '\n'
		case '\\':
			if l.pos >= len(l.buf) {
				continue
			}
			e := l.buf[l.pos]
			l.pos++
			switch e {
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			case 'b':
				c = '\b'
			case 'f':
				c = '\f'
			case '\r':
				if l.pos < len(l.buf) && l.buf[l.pos] == '\n' {
					l.pos++
				}
				continue
			case '\n':
				continue
			default:
				if e >= '0' && e <= '7' {
					v := int(e - '0')
					for i := 0; i < 2 && l.pos < len(l.buf) && l.buf[l.pos] >= '0' && l.buf[l.pos] <= '7'; i++ {
						v = v*8 + int(l.buf[l.pos]-'0')
						l.pos++
					}
					c = byte(v)
				} else {
					c = e // \( \) \\ and unknown escapes: the character itself
				}
			}
		}
		out = append(out, c)
	}
	l.pos = start
	return nil, l.errf("string not closed")
}

func (l *lexer) hexString() (Object, error) {
	start := l.pos
	l.pos++
	var out []byte
	var hi byte
	half := false
	for l.pos < len(l.buf) {
		c := l.buf[l.pos]
		l.pos++
		var v byte
		switch {
		case c >= '0' && c <= '9':
			v = c - '0'
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			v = c - 'A' + 10
		case isSpace(c):
			continue
		case c == '>':
			if half {
				out = append(out, hi<<4)
			}
			return String{Value: out, Hex: true, Start: l.fileOffset(start), End: l.fileOffset(l.pos)}, nil
		default:
			l.pos--
			return nil, l.errf("invalid byte in hex string")
		}
		if half {
			out = append(out, hi<<4|v)
		} else {
			hi = v
		}
		half = !half
	}
	l.pos = start
	return nil, l.errf("hex string not closed")
}

// parseNumber reads an integer or a real. An integer too large for int64
// becomes a real, as other readers do.
func parseNumber(w []byte) (any, bool, bool) {
	if len(w) == 0 || len(w) > 64 {
		return nil, false, false
	}
	i := 0
	if w[0] == '+' || w[0] == '-' {
		i = 1
	}
	digits, dots := 0, 0
	for _, c := range w[i:] {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '.':
			dots++
		default:
			return nil, false, false
		}
	}
	if digits == 0 || dots > 1 {
		return nil, false, false
	}
	if dots == 0 {
		if n, err := strconv.ParseInt(string(w), 10, 64); err == nil {
			return n, true, true
		}
	}
	f, err := strconv.ParseFloat(string(w), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, false, false
	}
	return f, false, true
}

func decodeName(w []byte) string {
	if bytes.IndexByte(w, '#') < 0 {
		return string(w)
	}
	out := make([]byte, 0, len(w))
	for i := 0; i < len(w); i++ {
		if w[i] == '#' && i+2 < len(w) {
			if v, err := strconv.ParseUint(string(w[i+1:i+3]), 16, 8); err == nil {
				out = append(out, byte(v))
				i += 2
				continue
			}
		}
		out = append(out, w[i])
	}
	return string(out)
}

// printable quotes at most a few bytes of hostile input for an error text.
func printable(b []byte) string {
	if len(b) > 16 {
		b = b[:16]
	}
	out := make([]byte, 0, len(b))
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			c = '?'
		}
		out = append(out, c)
	}
	return string(out)
}
