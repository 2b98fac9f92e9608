package cos

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
)

// Limits on what one file may make the reader do.
const (
	MaxSections    = 1000      // cross-reference sections in one chain
	MaxObjects     = 4_000_000 // object numbers in one table
	maxParsed      = 8_000_000 // objects parsed per File
	maxDecodeTotal = 512 << 20 // bytes decoded per File
	maxObjStmN     = 1_000_000 // objects in one object stream
)

// ErrEncrypted is returned by Open for encrypted files, whose strings and
// streams cannot be read without the key.
var ErrEncrypted = errors.New("cos: the file is encrypted")

// EntryKind says what a cross-reference entry holds.
type EntryKind uint8

const (
	Missing    EntryKind = iota // not listed at all
	Free                        // listed as free
	InUse                       // at a byte offset
	Compressed                  // inside an object stream
)

// Entry is one cross-reference entry.
type Entry struct {
	Kind   EntryKind
	Gen    uint16
	Offset int64  // InUse: where "num gen obj" starts
	Stream uint32 // Compressed: the object stream's number
	Index  uint32 // Compressed: the index in it
}

// Section is one cross-reference section (a table with its trailer, or a
// cross-reference stream).
type Section struct {
	Offset, End int64
	IsStream    bool
	StreamRef   Ref // the cross-reference stream's own object (IsStream)
	Trailer     Dict
	Entries     map[uint32]Entry
	// HybridOffset is the offset of the stream named by /XRefStm in a
	// hybrid-reference file (its entries are merged into Entries), or -1.
	HybridOffset int64
}

// Revision is what a reader saw after one save: the sections up to one
// "startxref ... %%EOF", and the bytes before that.
type Revision struct {
	Index    int
	Sections []*Section // newest first
	// EOFEnd is the offset right after "%%EOF"; End also takes the end of
	// line after it.
	EOFEnd, End int64
	Trailer     Dict // the newest section's trailer
}

// File is a parsed PDF file. It is not safe for concurrent use.
type File struct {
	Data      []byte
	Revisions []*Revision // oldest first
	ctx       context.Context

	cache         map[cacheKey]*Indirect
	objStreams    map[int64]*objStream
	parsed        int
	decodedBudget int64
}

type cacheKey struct {
	off int64
	idx int64 // -1 for a top-level object
	num uint32
}

type marker struct {
	pos, xref, eofEnd, end int64
}

// ErrNotPDF is the error for data without a PDF header.
var ErrNotPDF = errors.New("not a PDF file (no %PDF- header)")

// Open parses the cross-reference structure of a PDF. ctx bounds the work.
func Open(ctx context.Context, data []byte) (*File, error) {
	if bytes.Index(data[:min(len(data), 1024)], []byte("%PDF-")) < 0 {
		return nil, ErrNotPDF
	}
	f := &File{Data: data, ctx: ctx, cache: map[cacheKey]*Indirect{}, objStreams: map[int64]*objStream{}, decodedBudget: maxDecodeTotal}
	markers := f.findMarkers()
	if len(markers) == 0 {
		return nil, errors.New("no startxref: the end of the file is missing")
	}
	head := markers[len(markers)-1]
	chain, err := f.readChain(head.xref)
	if err != nil {
		return nil, err
	}
	if err := f.groupRevisions(chain, markers); err != nil {
		return nil, err
	}
	if _, enc := f.Revisions[len(f.Revisions)-1].Trailer["Encrypt"]; enc {
		return nil, ErrEncrypted
	}
	return f, nil
}

// findMarkers finds every "startxref N %%EOF".
func (f *File) findMarkers() []marker {
	var out []marker
	kw := []byte("startxref")
	for i := 0; ; {
		j := bytes.Index(f.Data[i:], kw)
		if j < 0 {
			break
		}
		pos := i + j
		i = pos + len(kw)
		l := &lexer{buf: f.Data, pos: i, base: 0}
		n, ok := l.readUint()
		if !ok {
			continue
		}
		p := l.pos
		for p < len(f.Data) && isSpace(f.Data[p]) {
			p++
		}
		m := marker{pos: int64(pos), xref: n, eofEnd: int64(l.pos), end: int64(l.pos)}
		if bytes.HasPrefix(f.Data[p:], []byte("%%EOF")) {
			p += 5
			m.eofEnd = int64(p)
			switch {
			case bytes.HasPrefix(f.Data[p:], []byte("\r\n")):
				p += 2
			case p < len(f.Data) && (f.Data[p] == '\n' || f.Data[p] == '\r'):
				p++
			}
			m.end = int64(p)
		}
		out = append(out, m)
	}
	return out
}

// readChain reads the sections from the newest back along /Prev.
func (f *File) readChain(off int64) ([]*Section, error) {
	var chain []*Section
	seen := map[int64]bool{}
	total := 0
	for {
		if err := f.ctx.Err(); err != nil {
			return nil, err
		}
		if seen[off] {
			return nil, fmt.Errorf("cross-reference sections refer to each other in a loop (byte %d)", off)
		}
		if len(chain) >= MaxSections {
			return nil, errors.New("too many cross-reference sections")
		}
		seen[off] = true
		s, err := f.readSection(off)
		if err != nil {
			return nil, err
		}
		total += len(s.Entries)
		if total > MaxObjects {
			return nil, errors.New("too many objects")
		}
		chain = append(chain, s)
		prev, ok := s.Trailer["Prev"]
		if !ok {
			return chain, nil
		}
		p, ok := IntOf(prev)
		if !ok || p < 0 || p >= int64(len(f.Data)) {
			return nil, errors.New("/Prev does not point into the file")
		}
		off = p
	}
}

func (f *File) readSection(off int64) (*Section, error) {
	if off < 0 || off >= int64(len(f.Data)) {
		return nil, fmt.Errorf("cross-reference offset %d lies outside the file", off)
	}
	l := &lexer{buf: f.Data, pos: int(off), base: 0}
	l.skipSpace()
	if bytes.HasPrefix(f.Data[l.pos:], []byte("xref")) {
		s, err := f.readTable(l)
		if err != nil {
			return nil, err
		}
		s.Offset = off
		if h, ok := s.Trailer["XRefStm"]; ok {
			ho, ok := IntOf(h)
			if !ok {
				return nil, errors.New("/XRefStm is not a number")
			}
			hs, err := f.readStreamSection(ho)
			if err != nil {
				return nil, fmt.Errorf("hybrid cross-reference stream: %w", err)
			}
			s.HybridOffset = ho
			for n, e := range hs.Entries {
				if _, ok := s.Entries[n]; !ok {
					s.Entries[n] = e
				}
			}
		}
		return s, nil
	}
	return f.readStreamSection(off)
}

func (f *File) readTable(l *lexer) (*Section, error) {
	l.pos += len("xref")
	s := &Section{Entries: map[uint32]Entry{}, HybridOffset: -1}
	for {
		if l.peekKeyword("trailer") {
			break
		}
		start, ok1 := l.readUint()
		count, ok2 := l.readUint()
		if !ok1 || !ok2 {
			return nil, l.errf("damaged cross-reference table")
		}
		if count > int64(len(l.buf)-l.pos)/6+1 || start+count > math.MaxUint32 {
			return nil, l.errf("cross-reference subsection larger than the file")
		}
		for i := int64(0); i < count; i++ {
			off, ok1 := l.readUint()
			gen, ok2 := l.readUint()
			l.skipSpace()
			typ := l.word()
			if !ok1 || !ok2 || gen > math.MaxUint16 || len(typ) != 1 {
				return nil, l.errf("damaged cross-reference entry")
			}
			num := uint32(start + i)
			switch typ[0] {
			case 'n':
				if off == 0 {
					s.Entries[num] = Entry{Kind: Free, Gen: uint16(gen)}
				} else {
					s.Entries[num] = Entry{Kind: InUse, Offset: off, Gen: uint16(gen)}
				}
			case 'f':
				s.Entries[num] = Entry{Kind: Free, Gen: uint16(gen)}
			default:
				return nil, l.errf("damaged cross-reference entry")
			}
			if len(s.Entries) > MaxObjects {
				return nil, errors.New("too many objects")
			}
		}
	}
	if err := l.expectKeyword("trailer"); err != nil {
		return nil, err
	}
	tr, err := l.parse(0)
	if err != nil {
		return nil, err
	}
	d, ok := tr.(Dict)
	if !ok {
		return nil, l.errf("trailer is not a dictionary")
	}
	s.Trailer, s.End = d, int64(l.pos)
	return s, nil
}

func (f *File) readStreamSection(off int64) (*Section, error) {
	if off < 0 || off >= int64(len(f.Data)) {
		return nil, fmt.Errorf("cross-reference offset %d lies outside the file", off)
	}
	obj, err := f.parseIndirect(off, nil, nil, 0)
	if err != nil {
		return nil, fmt.Errorf("no cross-reference section at byte %d: %w", off, err)
	}
	st, ok := obj.Value.(*Stream)
	if !ok || st.Dict["Type"] != Name("XRef") {
		return nil, fmt.Errorf("no cross-reference section at byte %d", off)
	}
	s := &Section{Offset: off, End: obj.End, IsStream: true, StreamRef: obj.Ref, Trailer: st.Dict, Entries: map[uint32]Entry{}, HybridOffset: -1}
	w, ok := ArrayOf(st.Dict["W"])
	if !ok || len(w) != 3 {
		return nil, errors.New("cross-reference stream without /W")
	}
	var widths [3]int
	sum := 0
	for i, x := range w {
		v, ok := IntOf(x)
		if !ok || v < 0 || v > 8 {
			return nil, errors.New("cross-reference stream /W out of range")
		}
		widths[i] = int(v)
		sum += int(v)
	}
	if sum == 0 || widths[1] == 0 {
		return nil, errors.New("cross-reference stream /W out of range")
	}
	size, ok := IntOf(st.Dict["Size"])
	if !ok || size < 0 || size > math.MaxUint32 {
		return nil, errors.New("cross-reference stream without a valid /Size")
	}
	index := Array{int64(0), size}
	if ix, ok := ArrayOf(st.Dict["Index"]); ok {
		index = ix
	}
	if len(index)%2 != 0 {
		return nil, errors.New("cross-reference stream /Index has an odd length")
	}
	data, err := f.decode(st)
	if err != nil {
		return nil, fmt.Errorf("cross-reference stream: %w", err)
	}
	pos := 0
	for i := 0; i < len(index); i += 2 {
		start, ok1 := IntOf(index[i])
		count, ok2 := IntOf(index[i+1])
		if !ok1 || !ok2 || start < 0 || count < 0 || start+count > math.MaxUint32 || count > int64(len(data)/sum)+1 {
			return nil, errors.New("cross-reference stream /Index out of range")
		}
		for j := int64(0); j < count; j++ {
			if pos+sum > len(data) {
				return nil, errors.New("cross-reference stream shorter than its /Index")
			}
			field := func(k int) uint64 {
				var v uint64
				for _, b := range data[pos : pos+widths[k]] {
					v = v<<8 | uint64(b)
				}
				pos += widths[k]
				return v
			}
			typ := uint64(1)
			if widths[0] > 0 {
				typ = field(0)
			}
			f2, f3 := field(1), uint64(0)
			if widths[2] > 0 {
				f3 = field(2)
			}
			num := uint32(start + j)
			switch typ {
			case 0:
				s.Entries[num] = Entry{Kind: Free, Gen: uint16(min(f3, math.MaxUint16))}
			case 1:
				if f2 > math.MaxInt64/2 || f3 > math.MaxUint16 {
					return nil, errors.New("cross-reference stream entry out of range")
				}
				s.Entries[num] = Entry{Kind: InUse, Offset: int64(f2), Gen: uint16(f3)}
			case 2:
				if f2 > math.MaxUint32 || f3 > math.MaxUint32 {
					return nil, errors.New("cross-reference stream entry out of range")
				}
				s.Entries[num] = Entry{Kind: Compressed, Stream: uint32(f2), Index: uint32(f3)}
			default:
				// Other types are reserved and read as the null object.
				s.Entries[num] = Entry{Kind: Free}
			}
			if len(s.Entries) > MaxObjects {
				return nil, errors.New("too many objects")
			}
		}
	}
	return s, nil
}

// groupRevisions splits the chain into revisions: a section that a
// "startxref" after it points to ends a revision; one that none points to
// (the first-page section of a linearized file) belongs to the next.
func (f *File) groupRevisions(chain []*Section, markers []marker) error {
	var cur []*Section
	var maxEnd int64
	last := int64(-1)
	for i := len(chain) - 1; i >= 0; i-- {
		s := chain[i]
		cur = append([]*Section{s}, cur...)
		maxEnd = max(maxEnd, s.End)
		var m *marker
		for k := range markers {
			if markers[k].xref == s.Offset && markers[k].pos >= maxEnd {
				m = &markers[k]
				break
			}
		}
		if i == 0 && m == nil {
			// The newest section: its marker is the last one in the file.
			m = &markers[len(markers)-1]
		}
		if m == nil {
			continue
		}
		if m.end <= last || m.pos < maxEnd {
			return errors.New("the revisions of the file overlap")
		}
		f.Revisions = append(f.Revisions, &Revision{Index: len(f.Revisions), Sections: cur, EOFEnd: m.eofEnd, End: m.end, Trailer: s.Trailer})
		last = m.end
		cur, maxEnd = nil, 0
	}
	// A section of a later revision must lie after the end of the one
	// before: anything else would re-use bytes an earlier signer covered.
	for k := 1; k < len(f.Revisions); k++ {
		for _, s := range f.Revisions[k].Sections {
			if s.Offset < f.Revisions[k-1].End {
				return errors.New("a cross-reference section of a later revision lies inside an earlier one")
			}
		}
	}
	return nil
}

// MaxObjectNumber is the highest object number any section lists, or the
// trailer's /Size minus one if that is higher.
func (f *File) MaxObjectNumber() uint32 {
	var hi uint32
	for _, r := range f.Revisions {
		for _, s := range r.Sections {
			for n := range s.Entries {
				hi = max(hi, n)
			}
			if sz, ok := IntOf(s.Trailer["Size"]); ok && sz > 0 && sz <= math.MaxUint32 {
				hi = max(hi, uint32(sz-1))
			}
		}
	}
	return hi
}

// Table resolves object numbers as one revision saw them.
type Table struct {
	f       *File
	Rev     int
	entries map[uint32]Entry
	over    map[uint32]Entry // consulted first: an earlier revision's view
}

// Table returns the cross-reference table of revision rev.
func (f *File) Table(rev int) *Table {
	t := &Table{f: f, Rev: -1, entries: map[uint32]Entry{}}
	for t.Rev < rev {
		t.Advance()
	}
	return t
}

// Advance moves the table to the next revision and returns the entries
// that revision lists, with what they were before (Missing for new ones).
func (t *Table) Advance() map[uint32]Entry {
	t.Rev++
	r := t.f.Revisions[t.Rev]
	before := map[uint32]Entry{}
	// Oldest section first, so the newest wins.
	for i := len(r.Sections) - 1; i >= 0; i-- {
		for n, e := range r.Sections[i].Entries {
			if _, seen := before[n]; !seen {
				before[n] = t.entries[n]
			}
			t.entries[n] = e
		}
	}
	return before
}

// Before returns a view of the table as it was before the last Advance,
// given what Advance returned.
func (t *Table) Before(before map[uint32]Entry) *Table {
	return &Table{f: t.f, Rev: t.Rev - 1, entries: t.entries, over: before}
}

// Entry returns the entry for an object number.
func (t *Table) Entry(n uint32) Entry {
	if e, ok := t.over[n]; ok {
		return e
	}
	return t.entries[n]
}

// Numbers returns every object number in use, sorted.
func (t *Table) Numbers() []uint32 {
	var out []uint32
	for n := range t.entries {
		if k := t.Entry(n).Kind; k == InUse || k == Compressed {
			out = append(out, n)
		}
	}
	for n, e := range t.over {
		if _, dup := t.entries[n]; !dup && (e.Kind == InUse || e.Kind == Compressed) {
			out = append(out, n)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// Trailer is the trailer dictionary of the table's revision.
func (t *Table) Trailer() Dict {
	if t.Rev < 0 {
		return nil
	}
	return t.f.Revisions[t.Rev].Trailer
}

// Resolve reads an indirect object. A free, missing or wrong-generation
// reference is the null object: nil, nil.
func (t *Table) Resolve(r Ref) (*Indirect, error) {
	if err := t.f.ctx.Err(); err != nil {
		return nil, err
	}
	e := t.Entry(r.Num)
	switch e.Kind {
	case InUse:
		if e.Gen != r.Gen {
			return nil, nil
		}
		return t.f.parseIndirect(e.Offset, &r, t, 0)
	case Compressed:
		if r.Gen != 0 {
			return nil, nil
		}
		return t.compressed(r.Num, e, 0)
	}
	return nil, nil
}

// Deref follows references (also a reference stored as an object of its
// own) to a direct value.
func (t *Table) Deref(v Object) (Object, error) {
	for i := 0; i < 8; i++ {
		r, ok := v.(Ref)
		if !ok {
			return v, nil
		}
		obj, err := t.Resolve(r)
		if err != nil || obj == nil {
			return nil, err
		}
		v = obj.Value
	}
	return nil, errors.New("references refer to each other in a loop")
}

// Get returns key of a dictionary (or a stream's dictionary), followed to
// its value.
func (t *Table) Get(d Object, key Name) (Object, error) {
	switch x := d.(type) {
	case Dict:
		return t.Deref(x[key])
	case *Stream:
		return t.Deref(x.Dict[key])
	}
	return nil, nil
}

func (t *Table) compressed(num uint32, e Entry, depth int) (*Indirect, error) {
	ce := t.Entry(e.Stream)
	if ce.Kind != InUse || ce.Gen != 0 {
		return nil, fmt.Errorf("object %d: its object stream %d is missing", num, e.Stream)
	}
	key := cacheKey{off: ce.Offset, idx: int64(e.Index), num: num}
	if obj, ok := t.f.cache[key]; ok {
		return obj, nil
	}
	os, err := t.f.objectStream(ce.Offset, e.Stream, t, depth)
	if err != nil {
		return nil, fmt.Errorf("object stream %d: %w", e.Stream, err)
	}
	if int(e.Index) >= len(os.nums) || os.nums[e.Index] != num {
		return nil, fmt.Errorf("object %d is not where the cross-reference says", num)
	}
	start := os.first + os.offs[e.Index]
	if start < 0 || start > int64(len(os.data)) {
		return nil, fmt.Errorf("object %d lies outside its object stream", num)
	}
	if err := t.f.countParse(); err != nil {
		return nil, err
	}
	l := &lexer{buf: os.data, pos: int(start), base: -1}
	v, err := l.parse(0)
	if err != nil {
		return nil, fmt.Errorf("object %d in object stream %d: %w", num, e.Stream, err)
	}
	obj := &Indirect{Ref: Ref{Num: num}, Value: v, Start: os.start, End: os.end, InStream: true}
	t.f.cache[key] = obj
	return obj, nil
}

type objStream struct {
	data       []byte
	first      int64
	nums       []uint32
	offs       []int64
	start, end int64
}

func (f *File) objectStream(off int64, num uint32, t *Table, depth int) (*objStream, error) {
	if os, ok := f.objStreams[off]; ok {
		return os, nil
	}
	obj, err := f.parseIndirect(off, &Ref{Num: num}, t, depth+1)
	if err != nil {
		return nil, err
	}
	st, ok := obj.Value.(*Stream)
	if !ok || st.Dict["Type"] != Name("ObjStm") {
		return nil, errors.New("not an object stream")
	}
	n, ok1 := IntOf(st.Dict["N"])
	first, ok2 := IntOf(st.Dict["First"])
	if !ok1 || !ok2 || n < 0 || n > maxObjStmN || first < 0 {
		return nil, errors.New("object stream without valid /N and /First")
	}
	data, err := f.decode(st)
	if err != nil {
		return nil, err
	}
	if first > int64(len(data)) {
		return nil, errors.New("object stream /First out of range")
	}
	os := &objStream{data: data, first: first, start: obj.Start, end: obj.End}
	l := &lexer{buf: data[:first], pos: 0, base: -1}
	for i := int64(0); i < n; i++ {
		num, ok1 := l.readUint()
		o, ok2 := l.readUint()
		if !ok1 || !ok2 || num > math.MaxUint32 {
			return nil, errors.New("damaged object stream header")
		}
		os.nums = append(os.nums, uint32(num))
		os.offs = append(os.offs, o)
	}
	f.objStreams[off] = os
	return os, nil
}

func (f *File) decode(st *Stream) ([]byte, error) {
	data, err := Decode(st, min(MaxDecoded, f.decodedBudget))
	if err != nil {
		return nil, err
	}
	f.decodedBudget -= int64(len(data))
	return data, nil
}

func (f *File) countParse() error {
	f.parsed++
	if f.parsed > maxParsed {
		return errors.New("too many objects to read")
	}
	if f.parsed%1024 == 0 {
		return f.ctx.Err()
	}
	return nil
}

// parseIndirect reads "num gen obj ... endobj" at off. want, when given,
// must match the header. t resolves an indirect /Length.
func (f *File) parseIndirect(off int64, want *Ref, t *Table, depth int) (*Indirect, error) {
	key := cacheKey{off: off, idx: -1}
	if want != nil {
		key.num = want.Num
	}
	if obj, ok := f.cache[key]; ok {
		if want != nil && obj.Ref != *want {
			return nil, &SyntaxError{Offset: off, Msg: fmt.Sprintf("object %d found where %d was expected", obj.Ref.Num, want.Num)}
		}
		return obj, nil
	}
	if depth > 2 {
		return nil, errors.New("stream lengths refer to each other")
	}
	if off < 0 || off >= int64(len(f.Data)) {
		return nil, fmt.Errorf("object offset %d lies outside the file", off)
	}
	if err := f.countParse(); err != nil {
		return nil, err
	}
	l := &lexer{buf: f.Data, pos: int(off), base: 0}
	l.skipSpace()
	start := int64(l.pos)
	num, ok1 := l.readUint()
	gen, ok2 := l.readUint()
	if !ok1 || !ok2 || l.expectKeyword("obj") != nil || num > math.MaxUint32 || gen > math.MaxUint16 {
		return nil, &SyntaxError{Offset: off, Msg: "no object where the cross-reference table says"}
	}
	ref := Ref{Num: uint32(num), Gen: uint16(gen)}
	if want != nil && ref != *want {
		return nil, &SyntaxError{Offset: off, Msg: fmt.Sprintf("object %d found where %d was expected", num, want.Num)}
	}
	v, err := l.parse(0)
	if err != nil {
		return nil, err
	}
	if d, ok := v.(Dict); ok && l.peekKeyword("stream") {
		st, err := f.streamData(l, d, t, depth)
		if err != nil {
			return nil, err
		}
		v = st
	}
	if l.peekKeyword("endobj") {
		l.expectKeyword("endobj")
	}
	obj := &Indirect{Ref: ref, Value: v, Start: start, End: int64(l.pos)}
	f.cache[key] = obj
	return obj, nil
}

// streamData reads a stream's data after its dictionary. A wrong /Length
// is tolerated, as other readers do, by looking for "endstream".
func (f *File) streamData(l *lexer, d Dict, t *Table, depth int) (*Stream, error) {
	l.expectKeyword("stream")
	switch {
	case bytes.HasPrefix(l.buf[l.pos:], []byte("\r\n")):
		l.pos += 2
	case l.pos < len(l.buf) && (l.buf[l.pos] == '\n' || l.buf[l.pos] == '\r'):
		l.pos++
	}
	dataStart := l.pos
	length := int64(-1)
	switch x := d["Length"].(type) {
	case int64:
		length = x
	case Ref:
		if t != nil {
			if e := t.Entry(x.Num); e.Kind == InUse && e.Gen == x.Gen {
				if obj, err := f.parseIndirect(e.Offset, &x, t, depth+1); err == nil {
					if n, ok := obj.Value.(int64); ok {
						length = n
					}
				}
			} else if e.Kind == Compressed {
				if obj, err := t.compressed(x.Num, e, depth+1); err == nil {
					if n, ok := obj.Value.(int64); ok {
						length = n
					}
				}
			}
		}
	}
	end := -1
	if length >= 0 && length <= int64(len(l.buf)-dataStart) {
		p := dataStart + int(length)
		q := p
		for q < len(l.buf) && isSpace(l.buf[q]) && q-p < 4 {
			q++
		}
		if bytes.HasPrefix(l.buf[q:], []byte("endstream")) {
			end, l.pos = p, q+len("endstream")
		}
	}
	if end < 0 {
		k := bytes.Index(l.buf[dataStart:], []byte("endstream"))
		if k < 0 {
			return nil, l.errf("stream without endstream")
		}
		end, l.pos = dataStart+k, dataStart+k+len("endstream")
		if end > dataStart && l.buf[end-1] == '\n' {
			end--
		}
		if end > dataStart && l.buf[end-1] == '\r' {
			end--
		}
	}
	return &Stream{Dict: d, Raw: l.buf[dataStart:end], DataStart: l.base + int64(dataStart)}, nil
}
