package pdfseal

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"slices"
	"time"

	"pkiodesk/app/i18n"
	"pkiodesk/pdfseal/internal/cos"
)

// TimeSource says at which time a signature's certificates were checked.
type TimeSource string

// TimeNow: there is no trusted timestamp, so the certificates were checked
// at the current time; the time the signer claims (/M) proves nothing.
const TimeNow TimeSource = "now"

// VerifyOptions are the verifier's inputs besides the document.
type VerifyOptions struct {
	// Roots are the trust anchors. Nil leaves trust unchecked (Trusted
	// stays nil).
	Roots *x509.CertPool
	// Intermediates are CA certificates to build chains with, besides the
	// ones each signature carries.
	Intermediates *x509.CertPool
	// Now gives the validation time when no trusted timestamp proves an
	// earlier one. Nil means time.Now.
	Now func() time.Time
}

// SignatureReport is what Verify found of one signature. Problems make the
// verification fail; Notes do not. A caller may add to both (for
// instance the revocation state of Chains).
type SignatureReport struct {
	Field     string
	SubFilter string
	Signer    *x509.Certificate
	// Certificates are all certificates the signature carries.
	Certificates []*x509.Certificate
	// Chains are the chains to Roots the signer's certificate was
	// validated on (when trusted).
	Chains [][]*x509.Certificate
	// ClaimedTime is the signer's own statement (/M): not proven.
	ClaimedTime time.Time
	// Reason is the signature dictionary's /Reason (signed: the byte
	// range leaves out only /Contents).
	Reason string
	// ValidationTime is when the certificates were checked, and
	// TimeSource why that time.
	ValidationTime time.Time
	TimeSource     TimeSource
	Digest         crypto.Hash
	// Revision is the 0-based revision the signature covers, -1 when its
	// byte range ends at no revision.
	Revision int
	// Certification is the DocMDP permission (1-3) of a certification
	// signature, 0 for an approval signature.
	Certification int
	// Intact: the byte range leaves out exactly this signature's
	// /Contents and ends at the end of a revision, the signed bytes hash to
	// the signed digest, and the CMS signature verifies with the signer's
	// key.
	Intact bool
	// CoversWholeDocument: nothing was appended after this signature.
	CoversWholeDocument bool
	// Trusted is nil when no roots were given.
	Trusted  *bool
	Problems []Problem
	Notes    []Problem
}

// Report lists the signatures of a document, oldest first, and the
// problems of the document as a whole.
type Report struct {
	Signatures []SignatureReport
	Problems   []Problem
	// Revisions is how many times the document was saved (its original
	// version included).
	Revisions int
}

// OK reports whether the document is sealed and unchanged since: every
// signature intact and without problems, trusted when roots were given,
// and the newest covering the whole file.
func (r Report) OK() bool {
	if len(r.Signatures) == 0 || len(r.Problems) > 0 {
		return false
	}
	for _, s := range r.Signatures {
		if !s.Intact || len(s.Problems) > 0 || s.Trusted != nil && !*s.Trusted {
			return false
		}
	}
	return r.Signatures[len(r.Signatures)-1].CoversWholeDocument
}

// ErrNoSignatures is returned for a PDF without signature fields.
var ErrNoSignatures = i18n.E("pdf.err.no_signatures", nil)

const maxSignatures = 500

// Verify checks every signature of a PDF and what was changed after each.
// ctx stops it.
func Verify(ctx context.Context, data []byte, opt VerifyOptions) (Report, error) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	f, err := openPDF(ctx, data, "pdf.err.encrypted_verify")
	if err != nil {
		return Report{}, err
	}
	v := &verifier{ctx: ctx, data: data, f: f, opt: opt, now: opt.Now(), tables: map[int]*cos.Table{}}
	last := len(f.Revisions) - 1
	final := v.table(last)
	root, _, err := catalog(final)
	if err != nil {
		return Report{}, damaged(ctx, err)
	}
	fields, err := formFields(ctx, final, root)
	if err != nil {
		return Report{}, damaged(ctx, err)
	}
	var sigs []*sigState
	seen := map[cos.Ref]bool{}
	for _, fl := range fields {
		if fl.ft != "Sig" || fl.v == nil {
			continue
		}
		if len(sigs) == maxSignatures {
			return Report{}, damaged(ctx, errors.New("too many signatures"))
		}
		s := v.signature(fl)
		if s.ref != (cos.Ref{}) {
			if seen[s.ref] {
				s.report.Problems = append(s.report.Problems, problem("field_twice"))
			}
			seen[s.ref] = true
		}
		sigs = append(sigs, s)
		if ctx.Err() != nil {
			return Report{}, damaged(ctx, ctx.Err())
		}
	}
	if len(sigs) == 0 {
		return Report{}, ErrNoSignatures
	}
	rep := Report{Revisions: len(f.Revisions)}
	v.removedSignatures(seen, &rep)
	mdp := v.docMDP(root, sigs, &rep)
	from := -1
	for _, s := range sigs {
		if r := s.report.Revision; r >= 0 && (from < 0 || r < from) {
			from = r
		}
	}
	if from >= 0 {
		findings, err := compareRevisions(ctx, f, from, mdp)
		if err != nil {
			return Report{}, damaged(ctx, err)
		}
		attachFindings(findings, sigs, mdp, &rep)
	}
	slices.SortStableFunc(sigs, func(a, b *sigState) int { return a.report.Revision - b.report.Revision })
	for _, s := range sigs {
		rep.Signatures = append(rep.Signatures, s.report)
	}
	return rep, nil
}

type verifier struct {
	ctx    context.Context
	data   []byte
	f      *cos.File
	opt    VerifyOptions
	now    time.Time
	tables map[int]*cos.Table
}

type sigState struct {
	report SignatureReport
	ref    cos.Ref // the signature dictionary
}

func (v *verifier) table(rev int) *cos.Table {
	if t, ok := v.tables[rev]; ok {
		return t
	}
	t := v.f.Table(rev)
	v.tables[rev] = t
	return t
}

func (v *verifier) signature(fl formField) *sigState {
	s := &sigState{report: SignatureReport{Field: fl.name, Revision: -1, ValidationTime: v.now, TimeSource: TimeNow}}
	rep := &s.report
	fail := func(code string, args ...any) *sigState {
		rep.Problems = append(rep.Problems, problem(code, args...))
		return s
	}
	ref, ok := fl.v.(cos.Ref)
	if !ok {
		return fail("sig_dict")
	}
	s.ref = ref
	final := v.table(len(v.f.Revisions) - 1)
	obj, err := final.Resolve(ref)
	if err != nil || obj == nil || obj.InStream {
		return fail("sig_dict")
	}
	d, ok := obj.Value.(cos.Dict)
	if !ok {
		return fail("sig_dict")
	}
	sub, _ := d["SubFilter"].(cos.Name)
	rep.SubFilter = string(sub)
	if m, ok := d["M"].(cos.String); ok {
		if t, err := parsePDFDate(textString(m.Value)); err == nil {
			rep.ClaimedTime = t
		}
	}
	if r, ok := d["Reason"].(cos.String); ok {
		rep.Reason = textString(r.Value)
	}
	rep.Certification = certificationLevel(final, d)
	switch sub {
	case "ETSI.CAdES.detached", "adbe.pkcs7.detached":
	case "ETSI.RFC3161":
		return fail("doc_timestamp")
	default:
		return fail("subfilter", printable(string(sub)))
	}
	contents, ok := d["Contents"].(cos.String)
	if !ok || !contents.Hex {
		return fail("contents")
	}
	br, ok := byteRangeOf(d["ByteRange"])
	n := int64(len(v.data))
	if !ok || br[0] != 0 || br[1] <= 0 || br[2] <= br[1] || br[3] < 0 || br[2]+br[3] > n {
		return fail("byte_range")
	}
	a, b, end := br[1], br[2], br[2]+br[3]
	// The gap must be exactly this dictionary's /Contents, and the
	// dictionary itself signed.
	if contents.Start != a || contents.End != b || obj.Start >= a || obj.End < b || obj.End > end {
		return fail("byte_range_gap")
	}
	rev := -1
	for _, r := range v.f.Revisions {
		if r.End == end || r.EOFEnd == end {
			rev = r.Index
		}
	}
	if rev < 0 {
		return fail("not_revision_end")
	}
	rep.Revision = rev
	rep.CoversWholeDocument = rev == len(v.f.Revisions)-1 && end == n
	if p := v.structureProblem(rev, ref, fl, a, b); p != nil {
		return fail(p.Code, p.Args...)
	}
	cms, err := parseCMS(contents.Value)
	if err != nil {
		var ce *cmsError
		if errors.As(err, &ce) {
			return fail(ce.code, ce.args...)
		}
		return fail("cms_unreadable", cmsPart{key: "pdf.cms.structure", detail: technical(err)})
	}
	rep.Signer, rep.Certificates, rep.Digest = cms.signer, cms.certs, cms.digest
	if cms.digest == 0 {
		return fail("digest_not_allowed", cms.digestOID.String())
	}
	h := cms.digest.New()
	h.Write(v.data[:a])
	h.Write(v.data[b:end])
	if !bytes.Equal(h.Sum(nil), cms.messageDigest) {
		return fail("digest_mismatch")
	}
	if err := cms.verifySignature(); err != nil {
		var ce *cmsError
		errors.As(err, &ce)
		return fail(ce.code, ce.args...)
	}
	switch {
	case cms.ess != nil:
		if err := cms.checkESS(); err != nil {
			var ce *cmsError
			errors.As(err, &ce)
			return fail(ce.code, ce.args...)
		}
	case sub == "ETSI.CAdES.detached":
		return fail("ess_missing")
	}
	rep.Intact = true
	if cms.hasSigningTm && sub == "ETSI.CAdES.detached" {
		rep.Notes = append(rep.Notes, problem("signing_time_in_cms"))
	}
	if cms.hasTimestamp {
		rep.Notes = append(rep.Notes, problem("timestamp_unchecked"))
	}
	rep.Notes = append(rep.Notes, problem("validated_now", day(v.now)))
	rep.Problems = append(rep.Problems, signingCertProblems(cms.signer, v.now)...)
	if v.opt.Roots != nil {
		inter := x509.NewCertPool()
		if v.opt.Intermediates != nil {
			inter = v.opt.Intermediates.Clone()
		}
		for _, c := range cms.certs {
			if c != cms.signer {
				inter.AddCert(c)
			}
		}
		chains, err := cms.signer.Verify(x509.VerifyOptions{Roots: v.opt.Roots, Intermediates: inter, CurrentTime: v.now, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
		trusted := err == nil
		rep.Trusted, rep.Chains = &trusted, chains
		if err != nil {
			rep.Problems = append(rep.Problems, problem("chain", chainReason(err)))
		}
	}
	return s
}

// removedSignatures reports signatures an earlier revision had and the
// document no longer lists: a seal taken away is a change too.
func (v *verifier) removedSignatures(present map[cos.Ref]bool, rep *Report) {
	reported := map[cos.Ref]bool{}
	t := v.f.Table(0)
	for r := 0; r < len(v.f.Revisions)-1 && v.ctx.Err() == nil; r++ {
		if r > 0 {
			t.Advance()
		}
		root, _, err := catalog(t)
		if err != nil {
			continue
		}
		fields, err := formFields(v.ctx, t, root)
		if err != nil {
			continue
		}
		for _, f := range fields {
			ref, ok := f.v.(cos.Ref)
			if f.ft != "Sig" || !ok || present[ref] || reported[ref] {
				continue
			}
			reported[ref] = true
			if len(reported) <= maxChangesPerSignature {
				rep.Problems = append(rep.Problems, problem("signature_removed", printable(f.name), r+1))
			}
		}
	}
}

// structureProblem checks that the signature belongs to the revision it
// signs and that nothing of that revision hides in the unsigned gap.
func (v *verifier) structureProblem(rev int, ref cos.Ref, fl formField, a, b int64) *Problem {
	t := v.table(rev)
	final := v.table(len(v.f.Revisions) - 1)
	if t.Entry(ref.Num) != final.Entry(ref.Num) {
		p := problem("sig_not_in_revision")
		return &p
	}
	root, _, err := catalog(t)
	if err != nil {
		p := problem("sig_not_in_revision")
		return &p
	}
	fields, err := formFields(v.ctx, t, root)
	found := false
	for _, f := range fields {
		found = found || f.v == cos.Object(ref) && f.name == fl.name
	}
	if err != nil || !found {
		p := problem("sig_not_in_revision")
		return &p
	}
	for k := 0; k <= rev; k++ {
		for _, s := range v.f.Revisions[k].Sections {
			if s.Offset < b && a < s.End {
				p := problem("overlaps_gap", uint32(0))
				return &p
			}
		}
	}
	for i, n := range t.Numbers() {
		if i%256 == 0 && v.ctx.Err() != nil {
			p := problem("overlaps_gap", n)
			return &p
		}
		e := t.Entry(n)
		if e.Kind != cos.InUse || n == ref.Num {
			continue
		}
		if e.Offset >= a && e.Offset < b {
			p := problem("overlaps_gap", n)
			return &p
		}
		obj, err := t.Resolve(cos.Ref{Num: n, Gen: e.Gen})
		if err == nil && obj != nil && obj.Start < b && a < obj.End {
			p := problem("overlaps_gap", n)
			return &p
		}
	}
	return nil
}

// byteRangeOf reads /ByteRange: four direct non-negative integers.
func byteRangeOf(v cos.Object) ([4]int64, bool) {
	var br [4]int64
	a, ok := v.(cos.Array)
	if !ok || len(a) != 4 {
		return br, false
	}
	for i, x := range a {
		n, ok := x.(int64)
		if !ok || n < 0 {
			return br, false
		}
		br[i] = n
	}
	return br, true
}

// certificationLevel returns the DocMDP P of a certification signature's
// dictionary, or 0.
func certificationLevel(t *cos.Table, sig cos.Dict) int {
	refs, _ := arrayAt(t, sig["Reference"])
	for _, r := range refs {
		d, _ := dictAt(t, r)
		if d == nil || d["TransformMethod"] != cos.Name("DocMDP") {
			continue
		}
		params, _ := dictAt(t, d["TransformParams"])
		p, ok := cos.IntOf(params["P"])
		if !ok || p < 1 || p > 3 {
			p = 2 // the default
		}
		return int(p)
	}
	return 0
}

// docMDP finds the certification signature, checks that it is the first
// and the one the catalog names, and returns its limit.
func (v *verifier) docMDP(root cos.Dict, sigs []*sigState, rep *Report) mdpLimit {
	limit := mdpLimit{rev: -1}
	final := v.table(len(v.f.Revisions) - 1)
	perms, _ := dictAt(final, root["Perms"])
	named, hasNamed := perms["DocMDP"].(cos.Ref)
	var cert *sigState
	for _, s := range sigs {
		if s.report.Certification == 0 {
			continue
		}
		if cert != nil || !hasNamed || named != s.ref {
			s.report.Problems = append(s.report.Problems, problem("certification_invalid"))
			continue
		}
		cert = s
	}
	if hasNamed && cert == nil {
		rep.Problems = append(rep.Problems, problem("certification_missing"))
	}
	if cert == nil {
		return limit
	}
	for _, s := range sigs {
		if s != cert && s.report.Revision >= 0 && s.report.Revision < cert.report.Revision {
			cert.report.Problems = append(cert.report.Problems, problem("certification_not_first"))
			break
		}
	}
	if cert.report.Revision >= 0 {
		limit = mdpLimit{rev: cert.report.Revision, p: cert.report.Certification}
	}
	return limit
}

const maxChangesPerSignature = 8

// attachFindings gives each change to the signatures it breaks: those of
// earlier revisions.
func attachFindings(findings []finding, sigs []*sigState, mdp mdpLimit, rep *Report) {
	damagedSeen := 0
	for _, f := range findings {
		if f.damaged {
			if damagedSeen++; damagedSeen <= maxChangesPerSignature {
				rep.Problems = append(rep.Problems, problem("damaged_object", f.obj, printable(f.detail)))
			}
			continue
		}
		for _, s := range sigs {
			r := &s.report
			if r.Revision < 0 || r.Revision >= f.rev {
				continue
			}
			code := "changed"
			if mdp.rev >= 0 && mdp.p == 1 && s.report.Certification == 1 {
				code = "changed_certified"
			}
			var p Problem
			if f.page > 0 {
				p = problem(code+"_page", f.what, f.page, f.obj, f.rev+1)
			} else {
				p = problem(code, f.what, f.obj, f.rev+1)
			}
			switch n := countCode(r.Problems, "changed"); {
			case n < maxChangesPerSignature:
				r.Problems = append(r.Problems, p)
			case n == maxChangesPerSignature:
				r.Problems = append(r.Problems, problem("changed_more"))
			}
		}
	}
}

func countCode(ps []Problem, prefix string) int {
	n := 0
	for _, p := range ps {
		if len(p.Code) >= len(prefix) && p.Code[:len(prefix)] == prefix {
			n++
		}
	}
	return n
}

// printable keeps a hostile string short and free of control characters.
func printable(s string) string {
	var out []rune
	for _, r := range s {
		if len(out) == 80 {
			out = append(out, '…')
			break
		}
		if r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 {
			r = '?'
		}
		out = append(out, r)
	}
	return string(out)
}

// chainReason words why a chain was not trusted; Go's x509 text is English.
func chainReason(err error) any {
	var unknown x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	switch {
	case errors.As(err, &unknown):
		return textKey("pdf.reason.unknown_ca")
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return textKey("pdf.reason.expired")
	case errors.As(err, &invalid) && invalid.Reason == x509.IncompatibleUsage:
		return textKey("pdf.reason.usage")
	}
	return shortErr(err)
}
