package pdfseal

import (
	"context"
	"regexp"
	"slices"

	"pkiodesk/pdfseal/internal/cos"
)

// The revision comparison follows the idea of pyHanko's difference
// analysis: every object a later revision writes must be explained by a
// rule that knows what a signature (or, for long-term validation, the DSS)
// adds; anything else is a change after signing. Objects with numbers the
// signed revision never used nor referred to cannot change what that
// revision shows unless a changed old object points to them, so only
// changes to old objects need a rule; the rules check what they let point
// to new ones.

// finding is one change a later revision made.
type finding struct {
	rev  int    // the revision that made it
	obj  uint32 // the object, 0 for the trailer
	what textKey
	page int // for pages and page content: 1-based, else 0
	// damaged: an object cannot be read at all (a reader may repair the
	// file and show something else); it concerns every signature.
	damaged bool
	detail  string
}

// mdpLimit is the DocMDP permission in force from a revision on.
type mdpLimit struct {
	rev int // the certified revision, -1 for none
	p   int // 1, 2 or 3
}

// compareRevisions compares every revision from `from` on with the next
// one and returns what changed beyond what a signature may add.
func compareRevisions(ctx context.Context, f *cos.File, from int, mdp mdpLimit) ([]finding, error) {
	t := f.Table(from)
	refs := map[uint32]int{}
	var out []finding
	for _, n := range t.Numbers() {
		obj, err := t.Resolve(cos.Ref{Num: n, Gen: t.Entry(n).Gen})
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err != nil {
			out = append(out, finding{rev: from, obj: n, what: "pdf.what.object", damaged: true, detail: err.Error()})
			continue
		}
		if obj != nil {
			cos.Refs(obj.Value, equalDepth, func(r cos.Ref) { refs[r.Num]++ })
		}
	}
	cos.Refs(t.Trailer(), equalDepth, func(r cos.Ref) { refs[r.Num]++ })
	for k := from; k+1 < len(f.Revisions); k++ {
		before := t.Advance()
		s := &step{ctx: ctx, old: t.Before(before), new: t, before: before, refs: refs, rev: k + 1,
			p1: mdp.rev >= 0 && mdp.rev <= k && mdp.p == 1}
		out = append(out, s.run()...)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		// The reference counts follow the table to the new revision.
		count := func(tb *cos.Table, n uint32, e cos.Entry, d int) {
			if e.Kind != cos.InUse && e.Kind != cos.Compressed {
				return
			}
			if obj, err := tb.Resolve(cos.Ref{Num: n, Gen: e.Gen}); err == nil && obj != nil {
				cos.Refs(obj.Value, equalDepth, func(r cos.Ref) { refs[r.Num] += d })
			}
		}
		for n, e := range before {
			if ne := t.Entry(n); ne != e {
				count(s.old, n, e, -1)
				count(t, n, ne, +1)
			}
		}
		cos.Refs(s.old.Trailer(), equalDepth, func(r cos.Ref) { refs[r.Num]-- })
		cos.Refs(t.Trailer(), equalDepth, func(r cos.Ref) { refs[r.Num]++ })
	}
	return out, nil
}

// step compares one revision with the one before.
type step struct {
	ctx      context.Context
	old, new *cos.Table
	before   map[uint32]cos.Entry
	refs     map[uint32]int // references to each number in the old revision
	rev      int
	p1       bool // certified with P=1: only DSS updates are allowed

	rootRef          cos.Ref
	oldRoot, newRoot cos.Dict
	form             *formDiff
	pages            *oldPages
}

func (s *step) fresh(n uint32) bool {
	e := s.old.Entry(n)
	return e.Kind != cos.InUse && e.Kind != cos.Compressed && s.refs[n] == 0
}

func (s *step) run() []finding {
	var out []finding
	add := func(n uint32, what textKey, page int) {
		out = append(out, finding{rev: s.rev, obj: n, what: what, page: page})
	}
	oldRootRef, _ := s.old.Trailer()["Root"].(cos.Ref)
	newRootRef, ok := s.new.Trailer()["Root"].(cos.Ref)
	if !ok || newRootRef != oldRootRef {
		add(0, "pdf.what.trailer", 0)
		return out
	}
	s.rootRef = oldRootRef
	var err error
	if s.oldRoot, _, err = catalog(s.old); err != nil {
		return []finding{{rev: s.rev, what: "pdf.what.catalog", damaged: true, detail: err.Error()}}
	}
	if s.newRoot, _, err = catalog(s.new); err != nil {
		return []finding{{rev: s.rev, what: "pdf.what.catalog", damaged: true, detail: err.Error()}}
	}
	nums := make([]uint32, 0, len(s.before))
	for n := range s.before {
		nums = append(nums, n)
	}
	slices.Sort(nums)
	for i, n := range nums {
		if i%256 == 0 && s.ctx.Err() != nil {
			return out
		}
		oe, ne := s.before[n], s.new.Entry(n)
		if oe == ne {
			continue
		}
		if s.fresh(n) {
			continue // a new object: harmless unless an explained change points to it
		}
		inUse := func(e cos.Entry) bool { return e.Kind == cos.InUse || e.Kind == cos.Compressed }
		var oldV, newV cos.Object
		if inUse(oe) {
			obj, err := s.old.Resolve(cos.Ref{Num: n, Gen: oe.Gen})
			if err != nil {
				out = append(out, finding{rev: s.rev, obj: n, what: "pdf.what.object", damaged: true, detail: err.Error()})
				continue
			}
			if obj != nil {
				oldV = obj.Value
			}
		}
		if !inUse(ne) {
			_, page := s.describe(n, oldV)
			add(n, "pdf.what.deleted", page)
			continue
		}
		obj, err := s.new.Resolve(cos.Ref{Num: n, Gen: ne.Gen})
		if err != nil {
			out = append(out, finding{rev: s.rev, obj: n, what: "pdf.what.object", damaged: true, detail: err.Error()})
			continue
		}
		if obj != nil {
			newV = obj.Value
		}
		if oe.Gen == ne.Gen && cos.Equal(oldV, newV, equalDepth) {
			continue // written again, unchanged
		}
		if oe.Gen == ne.Gen && s.explained(n, oldV, newV) {
			continue
		}
		what, page := s.describe(n, oldV)
		add(n, what, page)
	}
	return out
}

// explained reports whether a rule allows the change of old object n.
func (s *step) explained(n uint32, oldV, newV cos.Object) bool {
	if n == s.rootRef.Num {
		return s.catalogOK(oldV, newV)
	}
	if s.dssObject(n) {
		return s.dssOK()
	}
	if s.p1 {
		return false
	}
	once := s.refs[n] == 1
	if r, ok := s.oldRoot["AcroForm"].(cos.Ref); ok && r.Num == n && once {
		return s.formDiff().ok
	}
	if oldForm, _ := dictAt(s.old, s.oldRoot["AcroForm"]); oldForm != nil {
		if r, ok := oldForm["Fields"].(cos.Ref); ok && r.Num == n && once {
			return s.formDiff().ok
		}
	}
	od, _ := oldV.(cos.Dict)
	nd, _ := newV.(cos.Dict)
	if od != nil && od["Type"] == cos.Name("Page") {
		return nd != nil && s.pageOK(od, nd)
	}
	if p := s.oldPages().annotsOwner[n]; p != nil && once {
		return s.annotsOK(p.dict["Annots"], cos.Ref{Num: n, Gen: s.old.Entry(n).Gen})
	}
	if r, ok := s.old.Trailer()["Info"].(cos.Ref); ok && r.Num == n && once {
		return infoOK(nd)
	}
	if r, ok := s.oldRoot["Metadata"].(cos.Ref); ok && r.Num == n && once {
		st, ok := newV.(*cos.Stream)
		return ok && st.Dict["Type"] == cos.Name("Metadata") && st.Dict["Subtype"] == cos.Name("XML")
	}
	if od != nil && nd != nil && od["FT"] == cos.Name("Sig") && od["V"] == nil {
		return s.sigFieldSignedOK(od, nd)
	}
	return false
}

// catalogOK: only the form, the DSS and a few descriptive entries may
// change; under DocMDP P=1 only the DSS (and extensions).
func (s *step) catalogOK(oldV, newV cos.Object) bool {
	od, _ := oldV.(cos.Dict)
	nd, _ := newV.(cos.Dict)
	if od == nil || nd == nil {
		return false
	}
	mayChange := map[cos.Name]bool{"DSS": true, "Extensions": true}
	if !s.p1 {
		for _, k := range []cos.Name{"AcroForm", "Metadata", "MarkInfo", "Version"} {
			mayChange[k] = true
		}
	}
	for _, k := range unionKeys(od, nd) {
		if !mayChange[k] && !cos.Equal(od[k], nd[k], equalDepth) {
			return false
		}
	}
	if !cos.Equal(od["AcroForm"], nd["AcroForm"], equalDepth) && !s.formDiff().ok {
		return false
	}
	if !cos.Equal(od["DSS"], nd["DSS"], equalDepth) && !s.dssOK() {
		return false
	}
	return true
}

func unionKeys(a, b cos.Dict) []cos.Name {
	keys := a.Keys()
	for _, k := range b.Keys() {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	return keys
}

// formDiff is what a revision did to the form.
type formDiff struct {
	ok      bool
	widgets map[cos.Ref]bool // widgets of the signature fields it added
}

// formDiff checks the form: every old field stays; new ones are signature
// fields at the top of the field tree, made of new objects only; other
// entries of the form stay, except the signature flags and the default
// resources and appearance.
func (s *step) formDiff() *formDiff {
	if s.form != nil {
		return s.form
	}
	s.form = &formDiff{widgets: map[cos.Ref]bool{}}
	oldForm, err1 := dictAt(s.old, s.oldRoot["AcroForm"])
	newForm, err2 := dictAt(s.new, s.newRoot["AcroForm"])
	if err1 != nil || err2 != nil || newForm == nil && oldForm != nil {
		return s.form
	}
	for _, k := range unionKeys(oldForm, newForm) {
		switch k {
		case "Fields", "DR", "DA":
		case "SigFlags":
			if _, ok := newForm[k].(int64); !ok {
				return s.form
			}
		default:
			if !cos.Equal(oldForm[k], newForm[k], equalDepth) {
				return s.form
			}
		}
	}
	oldFields, err1 := arrayAt(s.old, oldForm["Fields"])
	newFields, err2 := arrayAt(s.new, newForm["Fields"])
	if err1 != nil || err2 != nil {
		return s.form
	}
	added, ok := addedItems(oldFields, newFields)
	if !ok {
		return s.form // a field was removed
	}
	names := map[string]bool{}
	for _, f := range oldFields {
		if d, _ := dictAt(s.old, f); d != nil {
			if t, ok := d["T"].(cos.String); ok {
				names[string(t.Value)] = true
			}
		}
	}
	for _, f := range added {
		ref, ok := f.(cos.Ref)
		if !ok || !s.fresh(ref.Num) {
			return s.form
		}
		d, err := dictAt(s.new, ref)
		if err != nil || d == nil || d["FT"] != cos.Name("Sig") || d["Parent"] != nil {
			return s.form
		}
		if t, ok := d["T"].(cos.String); ok {
			if names[string(t.Value)] {
				return s.form // two fields of one name
			}
			names[string(t.Value)] = true
		}
		if v, ok := d["V"]; ok {
			if r, ok := v.(cos.Ref); !ok || !s.fresh(r.Num) {
				return s.form
			}
		}
		if d["Subtype"] == cos.Name("Widget") {
			s.form.widgets[ref] = true
		}
		kids, err := arrayAt(s.new, d["Kids"])
		if err != nil {
			return s.form
		}
		for _, k := range kids {
			kr, ok := k.(cos.Ref)
			if !ok || !s.fresh(kr.Num) {
				return s.form
			}
			kd, err := dictAt(s.new, kr)
			if err != nil || kd == nil || kd["Subtype"] != cos.Name("Widget") || kd["T"] != nil || kd["FT"] != nil {
				return s.form
			}
			s.form.widgets[kr] = true
		}
	}
	s.form.ok = true
	return s.form
}

// addedItems returns what b holds beyond a; ok is false when something of
// a is missing from b.
func addedItems(a, b cos.Array) (cos.Array, bool) {
	used := make([]bool, len(b))
	for _, x := range a {
		found := false
		for i, y := range b {
			if !used[i] && cos.Equal(x, y, equalDepth) {
				used[i], found = true, true
				break
			}
		}
		if !found {
			return nil, false
		}
	}
	var out cos.Array
	for i, y := range b {
		if !used[i] {
			out = append(out, y)
		}
	}
	return out, true
}

// pageOK: a page may change only by new widgets in /Annots.
func (s *step) pageOK(od, nd cos.Dict) bool {
	for _, k := range unionKeys(od, nd) {
		if k != "Annots" && !cos.Equal(od[k], nd[k], equalDepth) {
			return false
		}
	}
	return s.annotsChangeOK(od["Annots"], nd["Annots"])
}

// annotsOK: an /Annots array of its own changed.
func (s *step) annotsOK(oldRaw cos.Object, ref cos.Ref) bool {
	return s.annotsChangeOK(oldRaw, ref)
}

func (s *step) annotsChangeOK(oldRaw, newRaw cos.Object) bool {
	oldA, err1 := arrayAt(s.old, oldRaw)
	newA, err2 := arrayAt(s.new, newRaw)
	if err1 != nil || err2 != nil {
		return false
	}
	added, ok := addedItems(oldA, newA)
	if !ok {
		return false // an annotation was removed
	}
	widgets := s.formDiff().widgets
	for _, a := range added {
		r, ok := a.(cos.Ref)
		if !ok || !widgets[r] {
			return false
		}
	}
	return true
}

// sigFieldSignedOK: an empty signature field got its signature.
func (s *step) sigFieldSignedOK(od, nd cos.Dict) bool {
	for _, k := range unionKeys(od, nd) {
		if k != "V" && k != "AP" && !cos.Equal(od[k], nd[k], equalDepth) {
			return false
		}
	}
	r, ok := nd["V"].(cos.Ref)
	return ok && s.fresh(r.Num)
}

var vriKey = regexp.MustCompile(`^[0-9A-F]{40}$`)

// dssObject reports whether old object n is the DSS or one of its arrays,
// referred to from there only.
func (s *step) dssObject(n uint32) bool {
	if s.refs[n] != 1 {
		return false
	}
	r, ok := s.oldRoot["DSS"].(cos.Ref)
	if ok && r.Num == n {
		return true
	}
	dss, _ := dictAt(s.old, s.oldRoot["DSS"])
	for _, k := range []cos.Name{"Certs", "CRLs", "OCSPs", "VRI"} {
		if r, ok := dss[k].(cos.Ref); ok && r.Num == n {
			return true
		}
	}
	return false
}

// dssOK checks the new DSS's shape: certificates, CRLs and OCSP responses
// as streams, and VRI entries; nothing in it is shown.
func (s *step) dssOK() bool {
	dss, err := dictAt(s.new, s.newRoot["DSS"])
	if err != nil || dss == nil {
		return false
	}
	streams := func(v cos.Object) bool {
		a, err := arrayAt(s.new, v)
		if err != nil {
			return false
		}
		for _, x := range a {
			r, ok := x.(cos.Ref)
			if !ok {
				return false
			}
			obj, err := s.new.Resolve(r)
			if err != nil || obj == nil {
				return false
			}
			if _, ok := obj.Value.(*cos.Stream); !ok {
				return false
			}
		}
		return true
	}
	for k, v := range dss {
		switch k {
		case "Type":
		case "Certs", "CRLs", "OCSPs":
			if !streams(v) {
				return false
			}
		case "VRI":
			vri, err := dictAt(s.new, v)
			if err != nil || vri == nil {
				return false
			}
			for key, e := range vri {
				ed, err := dictAt(s.new, e)
				if err != nil || ed == nil || !vriKey.MatchString(string(key)) {
					return false
				}
				for ek, ev := range ed {
					switch ek {
					case "Type", "TU", "TS":
					case "Cert", "CRL", "OCSP":
						if !streams(ev) {
							return false
						}
					default:
						return false
					}
				}
			}
		default:
			return false
		}
	}
	return true
}

// infoOK: the document information dictionary holds only plain values.
func infoOK(d cos.Dict) bool {
	if d == nil {
		return false
	}
	for _, v := range d {
		switch v.(type) {
		case cos.String, cos.Name, int64, float64, bool:
		default:
			return false
		}
	}
	return true
}

// oldPages indexes the signed revision's pages.
type oldPages struct {
	index        map[uint32]int // page object -> 1-based number
	annotsOwner  map[uint32]*pageInfo
	contentOwner map[uint32]int
}

func (s *step) oldPages() *oldPages {
	if s.pages != nil {
		return s.pages
	}
	s.pages = &oldPages{index: map[uint32]int{}, annotsOwner: map[uint32]*pageInfo{}, contentOwner: map[uint32]int{}}
	pages, err := pageList(s.ctx, s.old, s.oldRoot)
	if err != nil {
		return s.pages
	}
	for i := range pages {
		p := &pages[i]
		s.pages.index[p.ref.Num] = i + 1
		if r, ok := p.dict["Annots"].(cos.Ref); ok {
			s.pages.annotsOwner[r.Num] = p
		}
		contents, _ := s.old.Deref(p.dict["Contents"])
		if r, ok := p.dict["Contents"].(cos.Ref); ok {
			s.pages.contentOwner[r.Num] = i + 1
		}
		if a, ok := contents.(cos.Array); ok {
			for _, c := range a {
				if r, ok := c.(cos.Ref); ok {
					s.pages.contentOwner[r.Num] = i + 1
				}
			}
		}
	}
	return s.pages
}

// describe names what an old object was, for the report.
func (s *step) describe(n uint32, v cos.Object) (textKey, int) {
	if n == s.rootRef.Num {
		return "pdf.what.catalog", 0
	}
	pages := s.oldPages()
	if p := pages.index[n]; p > 0 {
		return "pdf.what.page", p
	}
	if p := pages.contentOwner[n]; p > 0 {
		return "pdf.what.content", p
	}
	if r, ok := s.oldRoot["AcroForm"].(cos.Ref); ok && r.Num == n {
		return "pdf.what.form", 0
	}
	d, _ := v.(cos.Dict)
	if st, ok := v.(*cos.Stream); ok {
		d = st.Dict
	}
	switch {
	case d == nil:
	case d["Type"] == cos.Name("Sig"):
		return "pdf.what.signature", 0
	case d["FT"] != nil || d["T"] != nil:
		return "pdf.what.field", 0
	case d["Subtype"] != nil && d["Rect"] != nil:
		return "pdf.what.annotation", 0
	case d["Type"] == cos.Name("Font") || d["Type"] == cos.Name("FontDescriptor"):
		return "pdf.what.font", 0
	case d["Subtype"] == cos.Name("Image"):
		return "pdf.what.image", 0
	case d["Subtype"] == cos.Name("Form"):
		return "pdf.what.xobject", 0
	}
	return "pdf.what.object", 0
}
