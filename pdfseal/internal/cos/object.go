// Package cos reads and writes the object layer of PDF files (the "COS"
// syntax: numbers, strings, names, arrays, dictionaries, streams, indirect
// objects and cross-reference sections) strictly and within limits, so that
// a hostile file cannot make a reader loop, recurse without end or allocate
// without bound. It keeps every revision of a file apart, because a
// signature covers one revision and the verifier compares revisions.
package cos

import (
	"fmt"
	"sort"
)

// Object is one PDF value: nil (null), bool, int64, float64, String, Name,
// Array, Dict, Ref or *Stream.
type Object any

// Name is a PDF name, without the slash, #xx escapes decoded.
type Name string

// String is a PDF string. Start and End give the token's bytes in the file
// (delimiters included) when it was read from one; the verifier needs them to
// compare a signature's byte range with its /Contents.
type String struct {
	Value      []byte
	Hex        bool
	Start, End int64
}

// Array is a PDF array.
type Array []Object

// Dict is a PDF dictionary.
type Dict map[Name]Object

// Ref is an indirect reference "num gen R".
type Ref struct {
	Num uint32
	Gen uint16
}

func (r Ref) String() string { return fmt.Sprintf("%d %d R", r.Num, r.Gen) }

// Stream is a stream object: its dictionary and its raw (still encoded)
// data, a slice of the file.
type Stream struct {
	Dict Dict
	Raw  []byte
	// DataStart is the offset of Raw in the file (-1 for streams built in
	// memory).
	DataStart int64
}

// Object is an indirect object as read from a file: where it lies and what
// it holds. For an object inside an object stream, Start and End are the
// object stream's.
type Indirect struct {
	Ref        Ref
	Value      Object
	Start, End int64
	InStream   bool // stored in an object stream
}

// Keys returns the dictionary's keys in sorted order (for stable output).
func (d Dict) Keys() []Name {
	keys := make([]Name, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	return keys
}

// Clone copies the dictionary's top level.
func (d Dict) Clone() Dict {
	c := make(Dict, len(d))
	for k, v := range d {
		c[k] = v
	}
	return c
}

// NameOf returns v as a name.
func NameOf(v Object) (Name, bool) { n, ok := v.(Name); return n, ok }

// IntOf returns v as an integer; a real with an integral value counts too.
func IntOf(v Object) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case float64:
		if x == float64(int64(x)) {
			return int64(x), true
		}
	}
	return 0, false
}

// NumberOf returns v as a number.
func NumberOf(v Object) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// DictOf returns v as a dictionary; a stream's dictionary does not count.
func DictOf(v Object) (Dict, bool) { d, ok := v.(Dict); return d, ok }

// ArrayOf returns v as an array.
func ArrayOf(v Object) (Array, bool) { a, ok := v.(Array); return a, ok }

// RefOf returns v as a reference.
func RefOf(v Object) (Ref, bool) { r, ok := v.(Ref); return r, ok }

// Equal reports whether two values are the same PDF value: references are
// compared as references (not followed), strings by their bytes, streams by
// dictionary and raw data. depth bounds the recursion; deeper values count
// as different.
func Equal(a, b Object, depth int) bool {
	if depth <= 0 {
		return false
	}
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool, Name, Ref:
		return a == b
	case int64, float64:
		y, ok := NumberOf(b)
		xv, _ := NumberOf(x)
		return ok && xv == y
	case String:
		y, ok := b.(String)
		return ok && string(x.Value) == string(y.Value)
	case Array:
		y, ok := b.(Array)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !Equal(x[i], y[i], depth-1) {
				return false
			}
		}
		return true
	case Dict:
		y, ok := b.(Dict)
		return ok && equalDicts(x, y, depth)
	case *Stream:
		y, ok := b.(*Stream)
		return ok && string(x.Raw) == string(y.Raw) && equalDicts(x.Dict, y.Dict, depth)
	}
	return false
}

func equalDicts(x, y Dict, depth int) bool {
	if len(x) != len(y) {
		return false
	}
	for k, v := range x {
		w, ok := y[k]
		if !ok || !Equal(v, w, depth-1) {
			return false
		}
	}
	return true
}

// Refs calls fn for every reference inside v (not following them). depth
// bounds the recursion.
func Refs(v Object, depth int, fn func(Ref)) {
	if depth <= 0 {
		return
	}
	switch x := v.(type) {
	case Ref:
		fn(x)
	case Array:
		for _, e := range x {
			Refs(e, depth-1, fn)
		}
	case Dict:
		for _, e := range x {
			Refs(e, depth-1, fn)
		}
	case *Stream:
		Refs(x.Dict, depth, fn)
	}
}
