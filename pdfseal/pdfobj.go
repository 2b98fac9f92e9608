package pdfseal

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strconv"

	"github.com/digitorus/pdf"
)

// openPDF reads a PDF with digitorus/pdf, which panics on some damaged
// files: a panic becomes an error.
func openPDF(data []byte) (r *pdf.Reader, err error) {
	defer func() {
		if p := recover(); p != nil {
			r, err = nil, fmt.Errorf("PDF cannot be read: %v", p)
		}
	}()
	r, err = pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("PDF cannot be read: %w", err)
	}
	return r, nil
}

// ref is an indirect object reference.
type ref struct {
	id  uint32
	gen uint16
}

func (r ref) String() string { return fmt.Sprintf("%d %d R", r.id, r.gen) }

// refOf returns the object a value was loaded from. digitorus/pdf keeps the
// containing object's number in every Value; for a value reached through an
// indirect reference that is the referenced object.
func refOf(v pdf.Value) ref {
	p := reflect.ValueOf(v.GetPtr())
	return ref{id: uint32(p.Field(0).Uint()), gen: uint16(p.Field(1).Uint())}
}

// rawRef reports whether raw data (as in Value.RawData) is a reference.
func rawRef(x any) (ref, bool) {
	v := reflect.ValueOf(x)
	if v.Kind() != reflect.Struct || v.Type().Name() != "objptr" {
		return ref{}, false
	}
	return ref{id: uint32(v.Field(0).Uint()), gen: uint16(v.Field(1).Uint())}, true
}

// rawDict is a dictionary as digitorus/pdf holds it: references unresolved,
// so that writing it back keeps every reference as it was.
type rawDict map[string]any

// dictOf copies the raw dictionary of a value.
func dictOf(v pdf.Value) (rawDict, error) {
	rv := reflect.ValueOf(v.RawData())
	if rv.Kind() != reflect.Map {
		return nil, errors.New("not a dictionary")
	}
	d := rawDict{}
	it := rv.MapRange()
	for it.Next() {
		d[it.Key().String()] = it.Value().Interface()
	}
	return d, nil
}

// pdfName is a name we write ourselves.
type pdfName string

// rawArray is an array we build.
type rawArray []any

// literal is PDF syntax written as is.
type literal string

// writeObject writes a value in PDF syntax. Strings are written in hex, so
// that no byte of a hostile string can end it early.
func writeObject(w io.Writer, x any) error {
	if r, ok := x.(ref); ok {
		_, err := io.WriteString(w, r.String())
		return err
	}
	if r, ok := rawRef(x); ok {
		_, err := io.WriteString(w, r.String())
		return err
	}
	switch x := x.(type) {
	case nil:
		_, err := io.WriteString(w, "null")
		return err
	case literal:
		_, err := io.WriteString(w, string(x))
		return err
	case pdfName:
		_, err := io.WriteString(w, "/"+escapeName(string(x)))
		return err
	case rawDict:
		return writeDict(w, x)
	case rawArray:
		return writeArray(w, reflect.ValueOf([]any(x)))
	case string:
		_, err := fmt.Fprintf(w, "<%X>", x)
		return err
	case int:
		_, err := io.WriteString(w, strconv.Itoa(x))
		return err
	}
	v := reflect.ValueOf(x)
	switch v.Kind() {
	case reflect.Bool:
		_, err := io.WriteString(w, strconv.FormatBool(v.Bool()))
		return err
	case reflect.Int64, reflect.Int:
		_, err := io.WriteString(w, strconv.FormatInt(v.Int(), 10))
		return err
	case reflect.Float64:
		_, err := io.WriteString(w, strconv.FormatFloat(v.Float(), 'f', -1, 64))
		return err
	case reflect.String:
		if v.Type().Name() == "name" {
			_, err := io.WriteString(w, "/"+escapeName(v.String()))
			return err
		}
		_, err := fmt.Fprintf(w, "<%X>", v.String())
		return err
	case reflect.Map:
		d := rawDict{}
		it := v.MapRange()
		for it.Next() {
			d[it.Key().String()] = it.Value().Interface()
		}
		return writeDict(w, d)
	case reflect.Slice:
		return writeArray(w, v)
	}
	return fmt.Errorf("cannot write PDF value of type %T", x)
}

func writeDict(w io.Writer, d rawDict) error {
	keys := make([]string, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if _, err := io.WriteString(w, "<<"); err != nil {
		return err
	}
	for _, k := range keys {
		if _, err := io.WriteString(w, " /"+escapeName(k)+" "); err != nil {
			return err
		}
		if err := writeObject(w, d[k]); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, " >>")
	return err
}

func writeArray(w io.Writer, v reflect.Value) error {
	if _, err := io.WriteString(w, "["); err != nil {
		return err
	}
	for i := 0; i < v.Len(); i++ {
		if i > 0 {
			io.WriteString(w, " ")
		}
		if err := writeObject(w, v.Index(i).Interface()); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, "]")
	return err
}

func escapeName(s string) string {
	var b bytes.Buffer
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '!' || c > '~' || bytes.IndexByte([]byte("#()<>[]{}/%"), c) >= 0 {
			fmt.Fprintf(&b, "#%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// arrayItems returns the raw items of an array value.
func arrayItems(raw any) ([]any, bool) {
	v := reflect.ValueOf(raw)
	if v.Kind() != reflect.Slice {
		return nil, false
	}
	out := make([]any, v.Len())
	for i := range out {
		out[i] = v.Index(i).Interface()
	}
	return out, true
}
