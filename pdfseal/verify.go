package pdfseal

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/digitorus/pdf"
)

// SignatureReport is what Verify found of one signature.
type SignatureReport struct {
	Field     string
	SubFilter string
	Signer    *x509.Certificate
	Time      time.Time // from /M
	// Intact: the signed bytes hash to the signed digest, and the CMS
	// signature over it verifies with the signer's key.
	Intact bool
	// CoversWholeDocument: nothing was appended after this signature.
	CoversWholeDocument bool
	// Trusted is nil when no roots were given.
	Trusted  *bool
	Problems []string
}

// Report lists the signatures of a document, oldest first.
type Report struct {
	Signatures []SignatureReport
}

// OK reports whether the document is sealed and unchanged since: every
// signature intact, the newest covering the whole file (older ones are
// covered by the later ones' incremental updates), and, when roots were
// given, every signer trusted.
func (r Report) OK() bool {
	if len(r.Signatures) == 0 {
		return false
	}
	for _, s := range r.Signatures {
		if !s.Intact || s.Trusted != nil && !*s.Trusted {
			return false
		}
	}
	return r.Signatures[len(r.Signatures)-1].CoversWholeDocument
}

// ErrNoSignatures is returned for a PDF without signature fields.
var ErrNoSignatures = errors.New("pdfseal: the PDF has no signatures")

// Verify checks every signature of a PDF. roots may be nil.
func Verify(data []byte, roots *x509.CertPool) (rep Report, err error) {
	r, err := openPDF(data)
	if err != nil {
		return Report{}, err
	}
	defer func() {
		if p := recover(); p != nil {
			rep, err = Report{}, fmt.Errorf("pdfseal: PDF structure: %v", p)
		}
	}()
	var fields []pdf.Value
	collectSigFields(r.Trailer().Key("Root").Key("AcroForm").Key("Fields"), &fields, 0)
	if len(fields) == 0 {
		return Report{}, ErrNoSignatures
	}
	type found struct {
		report SignatureReport
		end    int64 // where its signed range ends
	}
	all := make([]found, len(fields))
	for i, f := range fields {
		all[i].report = verifyOne(data, f, roots)
		if br := byteRange(f); br != nil {
			all[i].end = br[2] + br[3]
		}
	}
	// Oldest first: the one whose signed range ends earliest.
	slices.SortStableFunc(all, func(a, b found) int { return cmp.Compare(a.end, b.end) })
	for _, f := range all {
		rep.Signatures = append(rep.Signatures, f.report)
	}
	return rep, nil
}

func collectSigFields(v pdf.Value, out *[]pdf.Value, depth int) {
	if depth > 32 {
		return
	}
	for i := 0; i < v.Len(); i++ {
		f := v.Index(i)
		if f.Key("FT").Name() == "Sig" && f.Key("V").Kind() == pdf.Dict {
			*out = append(*out, f)
		}
		collectSigFields(f.Key("Kids"), out, depth+1)
	}
}

func byteRange(f pdf.Value) []int64 {
	br := f.Key("V").Key("ByteRange")
	if br.Len() != 4 {
		return nil
	}
	return []int64{br.Index(0).Int64(), br.Index(1).Int64(), br.Index(2).Int64(), br.Index(3).Int64()}
}

func verifyOne(data []byte, f pdf.Value, roots *x509.CertPool) SignatureReport {
	v := f.Key("V")
	s := SignatureReport{Field: f.Key("T").Text(), SubFilter: v.Key("SubFilter").Name()}
	if t, err := parsePDFDate(v.Key("M").Text()); err == nil {
		s.Time = t
	}
	br := byteRange(f)
	n := int64(len(data))
	if br == nil || br[0] != 0 || br[1] < 0 || br[2] < br[1] || br[3] < 0 || br[2]+br[3] > n {
		s.Problems = append(s.Problems, "byte range is missing or impossible")
		return s
	}
	s.CoversWholeDocument = br[2]+br[3] == n
	// The gap must be exactly the /Contents hex string.
	gap := data[br[1]:br[2]]
	if len(gap) < 2 || gap[0] != '<' || gap[len(gap)-1] != '>' {
		s.Problems = append(s.Problems, "byte range does not leave out exactly the signature")
		return s
	}
	cms, err := parseCMS([]byte(v.Key("Contents").RawString()))
	if err != nil {
		s.Problems = append(s.Problems, err.Error())
		return s
	}
	s.Signer = cms.signer
	h := sha256.New()
	h.Write(data[:br[1]])
	h.Write(data[br[2] : br[2]+br[3]])
	switch {
	case !bytes.Equal(h.Sum(nil), cms.messageDigest):
		s.Problems = append(s.Problems, "digest mismatch: the document was changed after signing")
	case cms.verifySignature() != nil:
		s.Problems = append(s.Problems, "signature does not verify: "+cms.verifySignature().Error())
	default:
		s.Intact = true
	}
	if cms.certHash != nil {
		sum := sha256.Sum256(cms.signer.Raw)
		if !bytes.Equal(sum[:], cms.certHash) {
			s.Intact = false
			s.Problems = append(s.Problems, "signing-certificate-v2 does not match the signer")
		}
	} else if s.SubFilter == "ETSI.CAdES.detached" {
		s.Problems = append(s.Problems, "no signing-certificate-v2 attribute (required by PAdES)")
	}
	if cms.hasSigningTm && s.SubFilter == "ETSI.CAdES.detached" {
		s.Problems = append(s.Problems, "signing-time inside the CMS (PAdES puts it in /M)")
	}
	if roots != nil {
		inter := x509.NewCertPool()
		for _, c := range cms.certs {
			inter.AddCert(c)
		}
		at := s.Time
		if at.IsZero() {
			at = time.Now()
		}
		_, err := cms.signer.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: at, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
		ok := err == nil
		s.Trusted = &ok
		if err != nil {
			s.Problems = append(s.Problems, "chain: "+err.Error())
		}
	}
	return s
}

// parsePDFDate reads D:YYYYMMDDHHmmSS+HH'mm'.
func parsePDFDate(s string) (time.Time, error) {
	if len(s) < 16 || s[:2] != "D:" {
		return time.Time{}, errors.New("not a PDF date")
	}
	s = s[2:]
	t, err := time.Parse("20060102150405", s[:14])
	if err != nil {
		return time.Time{}, err
	}
	rest := s[14:]
	if len(rest) >= 6 && (rest[0] == '+' || rest[0] == '-') {
		var hh, mm int
		fmt.Sscanf(rest[1:3], "%d", &hh)
		fmt.Sscanf(rest[4:6], "%d", &mm)
		off := hh*3600 + mm*60
		if rest[0] == '-' {
			off = -off
		}
		t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.FixedZone("", off))
	}
	return t, nil
}
