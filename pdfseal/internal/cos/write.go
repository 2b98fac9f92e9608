package cos

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
)

// Write appends v in PDF syntax. Strings are written in hex, so that no byte
// of a hostile string can end one early; a stream gets a direct /Length.
// An int is accepted as a convenience for callers.
func Write(b *bytes.Buffer, v Object) error {
	return write(b, v, 0)
}

func write(b *bytes.Buffer, v Object, depth int) error {
	if depth > MaxDepth {
		return fmt.Errorf("cos: value nested too deeply")
	}
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case int:
		b.WriteString(strconv.Itoa(x))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("cos: %v is not a PDF number", x)
		}
		b.WriteString(strconv.FormatFloat(x, 'f', -1, 64))
	case String:
		fmt.Fprintf(b, "<%X>", x.Value)
	case Name:
		b.WriteString("/" + escapeName(string(x)))
	case Ref:
		b.WriteString(x.String())
	case Array:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(' ')
			}
			if err := write(b, e, depth+1); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case Dict:
		b.WriteString("<<")
		for _, k := range x.Keys() {
			b.WriteString(" /" + escapeName(string(k)) + " ")
			if err := write(b, x[k], depth+1); err != nil {
				return err
			}
		}
		b.WriteString(" >>")
	case *Stream:
		d := x.Dict.Clone()
		d["Length"] = int64(len(x.Raw))
		if err := write(b, d, depth); err != nil {
			return err
		}
		b.WriteString("\nstream\n")
		b.Write(x.Raw)
		b.WriteString("\nendstream")
	default:
		return fmt.Errorf("cos: cannot write a %T", v)
	}
	return nil
}

func escapeName(s string) string {
	var b bytes.Buffer
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '!' || c > '~' || c == '#' || isDelim(c) {
			fmt.Fprintf(&b, "#%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
