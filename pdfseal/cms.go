package pdfseal

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"slices"

	"pkiodesk/app/i18n"

	_ "crypto/sha1" // ESS v1 names certificates by SHA-1
	_ "crypto/sha256"
	_ "crypto/sha512"
)

// The CMS here is what PAdES baseline B-B asks for (ETSI EN 319 142-1): a
// detached SignedData whose signed attributes are content-type,
// message-digest and signing-certificate-v2, and no signing-time (the time
// is in the signature dictionary's /M). Libraries at hand always add
// signing-time, so this file builds it with encoding/asn1.

var (
	oidData                 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidSignedData           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidAttrContentType      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidAttrMessageDigest    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidAttrSigningTime      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	oidAttrSigningCert      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 12}
	oidAttrSigningCertV2    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}
	oidAttrSignatureTS      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}
	oidSHA1                 = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidSHA256               = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA384               = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	oidSHA512               = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
	oidRSAEncryption        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidSHA256WithRSA        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	oidSHA384WithRSA        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12}
	oidSHA512WithRSA        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}
	oidRSAPSS               = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	oidMGF1                 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 8}
	oidECPublicKey          = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidECDSAWithSHA256      = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	oidECDSAWithSHA384      = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
	oidECDSAWithSHA512      = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}
	asn1Null                = asn1.RawValue{Tag: asn1.TagNull}
	sha256AlgorithmNullArgs = pkix.AlgorithmIdentifier{Algorithm: oidSHA256, Parameters: asn1Null}
)

// allowedDigests are the digests a signature may use (ETSI TS 119 312).
var allowedDigests = []struct {
	oid  asn1.ObjectIdentifier
	hash crypto.Hash
}{{oidSHA256, crypto.SHA256}, {oidSHA384, crypto.SHA384}, {oidSHA512, crypto.SHA512}}

func digestOID(h crypto.Hash) (asn1.ObjectIdentifier, bool) {
	for _, d := range allowedDigests {
		if d.hash == h {
			return d.oid, true
		}
	}
	return nil, false
}

func digestOf(oid asn1.ObjectIdentifier) (crypto.Hash, bool) {
	for _, d := range allowedDigests {
		if d.oid.Equal(oid) {
			return d.hash, true
		}
	}
	return 0, false
}

type contentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"explicit,tag:0"`
}

type signedData struct {
	Version          int
	DigestAlgorithms []pkix.AlgorithmIdentifier `asn1:"set"`
	EncapContentInfo encapContentInfo
	Certificates     asn1.RawValue `asn1:"optional,tag:0"`
	CRLs             asn1.RawValue `asn1:"optional,tag:1"`
	SignerInfos      []signerInfo  `asn1:"set"`
}

type encapContentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"optional,explicit,tag:0"`
}

type issuerAndSerial struct {
	Issuer asn1.RawValue
	Serial *big.Int
}

type signerInfo struct {
	Version            int
	SID                asn1.RawValue // IssuerAndSerialNumber or [0] SubjectKeyIdentifier
	DigestAlgorithm    pkix.AlgorithmIdentifier
	SignedAttrs        asn1.RawValue `asn1:"optional,tag:0"`
	SignatureAlgorithm pkix.AlgorithmIdentifier
	Signature          []byte
	UnsignedAttrs      asn1.RawValue `asn1:"optional,tag:1"`
}

type attribute struct {
	Type   asn1.ObjectIdentifier
	Values asn1.RawValue `asn1:"set"`
}

type issuerSerial struct {
	Issuer []asn1.RawValue // GeneralNames
	Serial *big.Int
}

type pssParams struct {
	Hash       pkix.AlgorithmIdentifier `asn1:"explicit,optional,tag:0"`
	MGF        pkix.AlgorithmIdentifier `asn1:"explicit,optional,tag:1"`
	SaltLength int                      `asn1:"explicit,optional,tag:2,default:20"`
	Trailer    int                      `asn1:"explicit,optional,tag:3,default:1"`
}

// cmsOptions choose the algorithms of a new signature.
type cmsOptions struct {
	hash   crypto.Hash // SHA-256 when zero
	rsaPSS bool
	// essHash is the signing-certificate-v2 hash (the signature's digest
	// when zero), and essCert the certificate it names (the signer when
	// nil). Tests use them to check that the verifier reads them.
	essHash crypto.Hash
	essCert *x509.Certificate
}

// signatureScheme picks the signature algorithm for a key.
func signatureScheme(pub crypto.PublicKey, h crypto.Hash, rsaPSS bool) (pkix.AlgorithmIdentifier, crypto.SignerOpts, error) {
	hashOID, _ := digestOID(h)
	switch pub.(type) {
	case *rsa.PublicKey:
		if !rsaPSS {
			return pkix.AlgorithmIdentifier{Algorithm: oidRSAEncryption, Parameters: asn1Null}, h, nil
		}
		hashAlg := pkix.AlgorithmIdentifier{Algorithm: hashOID, Parameters: asn1Null}
		mgfParams, _ := asn1.Marshal(hashAlg)
		params, err := asn1.Marshal(pssParams{
			Hash:       hashAlg,
			MGF:        pkix.AlgorithmIdentifier{Algorithm: oidMGF1, Parameters: asn1.RawValue{FullBytes: mgfParams}},
			SaltLength: h.Size(),
			Trailer:    1,
		})
		if err != nil {
			return pkix.AlgorithmIdentifier{}, nil, err
		}
		return pkix.AlgorithmIdentifier{Algorithm: oidRSAPSS, Parameters: asn1.RawValue{FullBytes: params}},
			&rsa.PSSOptions{SaltLength: h.Size(), Hash: h}, nil
	case *ecdsa.PublicKey:
		oid := map[crypto.Hash]asn1.ObjectIdentifier{crypto.SHA256: oidECDSAWithSHA256, crypto.SHA384: oidECDSAWithSHA384, crypto.SHA512: oidECDSAWithSHA512}[h]
		return pkix.AlgorithmIdentifier{Algorithm: oid}, h, nil
	case ed25519.PublicKey:
		return pkix.AlgorithmIdentifier{}, nil, errors.New("pdfseal: Ed25519 is not allowed in PAdES baseline")
	default:
		return pkix.AlgorithmIdentifier{}, nil, fmt.Errorf("pdfseal: unsupported key type %T", pub)
	}
}

// buildCMS signs the digest of the covered bytes.
func buildCMS(digest []byte, signer crypto.Signer, chain []*x509.Certificate, o cmsOptions) ([]byte, error) {
	if len(chain) == 0 {
		return nil, errors.New("pdfseal: no signing certificate")
	}
	if o.hash == 0 {
		o.hash = crypto.SHA256
	}
	if o.essHash == 0 {
		o.essHash = o.hash
	}
	hashOID, ok := digestOID(o.hash)
	if !ok {
		return nil, fmt.Errorf("pdfseal: digest %v is not allowed", o.hash)
	}
	leaf := chain[0]
	sigAlg, opts, err := signatureScheme(signer.Public(), o.hash, o.rsaPSS)
	if err != nil {
		return nil, err
	}
	essCert := leaf
	if o.essCert != nil {
		essCert = o.essCert
	}
	attrs, err := signedAttributes(digest, essCert, o.essHash)
	if err != nil {
		return nil, err
	}
	// Sign over the attributes as a SET OF (tag 0x31), store them as [0] IMPLICIT.
	h := o.hash.New()
	h.Write(attrs)
	sig, err := signer.Sign(rand.Reader, h.Sum(nil), opts)
	if err != nil {
		return nil, fmt.Errorf("pdfseal: signing: %w", err)
	}
	implicitAttrs := append([]byte{0xA0}, attrs[1:]...)

	var certs []byte
	for _, c := range chain {
		certs = append(certs, c.Raw...)
	}
	sid, err := asn1.Marshal(issuerAndSerial{Issuer: asn1.RawValue{FullBytes: leaf.RawIssuer}, Serial: leaf.SerialNumber})
	if err != nil {
		return nil, err
	}
	digestAlg := pkix.AlgorithmIdentifier{Algorithm: hashOID, Parameters: asn1Null}
	sd := signedData{
		Version:          1,
		DigestAlgorithms: []pkix.AlgorithmIdentifier{digestAlg},
		EncapContentInfo: encapContentInfo{ContentType: oidData},
		Certificates:     asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: certs},
		SignerInfos: []signerInfo{{
			Version:            1,
			SID:                asn1.RawValue{FullBytes: sid},
			DigestAlgorithm:    digestAlg,
			SignedAttrs:        asn1.RawValue{FullBytes: implicitAttrs},
			SignatureAlgorithm: sigAlg,
			Signature:          sig,
		}},
	}
	inner, err := asn1.Marshal(sd)
	if err != nil {
		return nil, fmt.Errorf("pdfseal: encoding SignedData: %w", err)
	}
	return asn1.Marshal(contentInfo{ContentType: oidSignedData, Content: asn1.RawValue{FullBytes: wrapExplicit0(inner)}})
}

func wrapExplicit0(inner []byte) []byte {
	b, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: inner})
	return b
}

// signedAttributes returns the DER SET OF the three B-B attributes.
func signedAttributes(digest []byte, leaf *x509.Certificate, essHash crypto.Hash) ([]byte, error) {
	h := essHash.New()
	h.Write(leaf.Raw)
	dirName, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 4, IsCompound: true, Bytes: leaf.RawIssuer})
	if err != nil {
		return nil, err
	}
	var id []byte
	if essHash != crypto.SHA256 {
		// SHA-256 is the DEFAULT, which DER leaves out.
		oid, ok := digestOID(essHash)
		if essHash == crypto.SHA1 {
			oid, ok = oidSHA1, true // only for tests of the verifier
		}
		if !ok {
			return nil, fmt.Errorf("pdfseal: digest %v is not allowed", essHash)
		}
		if id, err = asn1.Marshal(pkix.AlgorithmIdentifier{Algorithm: oid}); err != nil {
			return nil, err
		}
	}
	hashDER, _ := asn1.Marshal(h.Sum(nil))
	serialDER, err := asn1.Marshal(issuerSerial{Issuer: []asn1.RawValue{{FullBytes: dirName}}, Serial: leaf.SerialNumber})
	if err != nil {
		return nil, err
	}
	certID, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: slices.Concat(id, hashDER, serialDER)})
	certs, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: certID})
	scv2, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: certs})
	ct, _ := asn1.Marshal(oidData)
	md, _ := asn1.Marshal(digest)
	var encoded [][]byte
	for _, a := range []struct {
		oid   asn1.ObjectIdentifier
		value []byte
	}{{oidAttrContentType, ct}, {oidAttrMessageDigest, md}, {oidAttrSigningCertV2, scv2}} {
		set, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true, Bytes: a.value})
		b, err := asn1.Marshal(struct {
			Type   asn1.ObjectIdentifier
			Values asn1.RawValue
		}{a.oid, asn1.RawValue{FullBytes: set}})
		if err != nil {
			return nil, err
		}
		encoded = append(encoded, b)
	}
	// DER orders the members of a SET OF by their encodings.
	slices.SortFunc(encoded, bytes.Compare)
	return asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true, Bytes: bytes.Join(encoded, nil)})
}

// cmsError is a finding about a CMS structure: a problem code and its
// arguments (never the input itself).
type cmsError struct {
	code string
	args []any
}

func (e *cmsError) Error() string { return Problem{Code: e.code, Args: e.args}.Text(i18n.EN) }

func cmsErr(code string, args ...any) error {
	return &cmsError{code: code, args: args}
}

// unreadable is a part of the CMS structure that cannot be read, with the
// parser's own words (English, technical) when it had any.
func unreadable(part textKey, err error, args ...any) error {
	return cmsErr("cms_unreadable", cmsPart{key: part, args: args, detail: technical(err)})
}

// cmsPart names a part of a CMS structure in the reader's language; the
// parser's detail follows, marked as technical.
type cmsPart struct {
	key    textKey
	args   []any
	detail string
}

func (p cmsPart) Localize(l i18n.Lang) string {
	s := i18n.T(l, string(p.key), p.args...)
	if p.detail != "" {
		s += " (" + i18n.T(l, "pdf.technical", p.detail) + ")"
	}
	return s
}

// technical is a parser's error, cut short; "" for none.
func technical(err error) string {
	if err == nil {
		return ""
	}
	return shortErr(err)
}

// essCertID is the signing-certificate-v2 (or v1) attribute's first entry.
type essCertID struct {
	v2     bool
	hash   crypto.Hash // 0: not an allowed digest
	hashID asn1.ObjectIdentifier
	value  []byte
	serial *big.Int // from issuerSerial, when present
	issuer []byte   // the directoryName's raw Name, when present
}

// parsedCMS is what verification needs of a signature's CMS.
type parsedCMS struct {
	certs         []*x509.Certificate
	signer        *x509.Certificate
	signerKey     crypto.PublicKey
	digest        crypto.Hash
	digestOID     asn1.ObjectIdentifier
	signedAttrs   []byte // as a SET OF, the bytes that were signed
	messageDigest []byte
	ess           *essCertID
	hasSigningTm  bool
	hasTimestamp  bool // an unsigned signature-time-stamp attribute
	sigAlg        pkix.AlgorithmIdentifier
	signature     []byte
}

const maxCMSCerts = 64

func parseCMS(der []byte) (*parsedCMS, error) {
	var ci contentInfo
	rest, err := asn1.Unmarshal(der, &ci)
	if err != nil {
		return nil, unreadable("pdf.cms.content_info", err)
	}
	// The /Contents placeholder is padded with zeros after the CMS.
	if len(bytes.Trim(rest, "\x00")) != 0 {
		return nil, unreadable("pdf.cms.trailing", nil)
	}
	if !ci.ContentType.Equal(oidSignedData) {
		return nil, unreadable("pdf.cms.not_signed_data", nil)
	}
	var sd signedData
	if rest, err := asn1.Unmarshal(ci.Content.Bytes, &sd); err != nil {
		return nil, unreadable("pdf.cms.signed_data", err)
	} else if len(rest) != 0 {
		return nil, unreadable("pdf.cms.signed_data_trailing", nil)
	}
	if !sd.EncapContentInfo.ContentType.Equal(oidData) || len(sd.EncapContentInfo.Content.Bytes) > 0 {
		return nil, cmsErr("cms_not_detached")
	}
	if len(sd.SignerInfos) != 1 {
		return nil, cmsErr("cms_signers", len(sd.SignerInfos))
	}
	p := &parsedCMS{}
	for b := sd.Certificates.Bytes; len(b) > 0; {
		var raw asn1.RawValue
		next, err := asn1.Unmarshal(b, &raw)
		if err != nil {
			return nil, unreadable("pdf.cms.certificates", err)
		}
		b = next
		if raw.Class != asn1.ClassUniversal || raw.Tag != asn1.TagSequence {
			continue // attribute certificates and other formats
		}
		c, err := x509.ParseCertificate(raw.FullBytes)
		if err != nil {
			return nil, unreadable("pdf.cms.certificate", err)
		}
		if len(p.certs) == maxCMSCerts {
			return nil, unreadable("pdf.cms.too_many_certificates", nil, maxCMSCerts)
		}
		p.certs = append(p.certs, c)
	}
	si := sd.SignerInfos[0]
	p.signer = findSigner(p.certs, si.SID)
	if p.signer == nil {
		return nil, cmsErr("cms_no_signer")
	}
	if p.signerKey, err = publicKeyOf(p.signer); err != nil {
		return nil, unreadable("pdf.cms.signer_key", err)
	}
	p.digestOID = si.DigestAlgorithm.Algorithm
	if h, ok := digestOf(si.DigestAlgorithm.Algorithm); ok && nullOrAbsent(si.DigestAlgorithm.Parameters) {
		p.digest = h
	}
	if len(si.SignedAttrs.FullBytes) == 0 {
		return nil, unreadable("pdf.cms.no_signed_attributes", nil)
	}
	p.signedAttrs = append([]byte{0x31}, si.SignedAttrs.FullBytes[1:]...)
	var attrs []attribute
	if rest, err := asn1.UnmarshalWithParams(p.signedAttrs, &attrs, "set"); err != nil {
		return nil, unreadable("pdf.cms.signed_attributes", err)
	} else if len(rest) != 0 {
		return nil, unreadable("pdf.cms.signed_attributes_trailing", nil)
	}
	seen := map[string]bool{}
	contentType := false
	for _, a := range attrs {
		if seen[a.Type.String()] {
			return nil, cmsErr("cms_unreadable", "attribute %v appears twice", a.Type)
		}
		seen[a.Type.String()] = true
		values, err := setMembers(a.Values)
		if err != nil || len(values) != 1 {
			return nil, cmsErr("cms_unreadable", "attribute %v must have one value", a.Type)
		}
		v := values[0]
		switch {
		case a.Type.Equal(oidAttrContentType):
			var oid asn1.ObjectIdentifier
			if _, err := asn1.Unmarshal(v, &oid); err != nil || !oid.Equal(oidData) {
				return nil, cmsErr("cms_unreadable", "content-type is not id-data")
			}
			contentType = true
		case a.Type.Equal(oidAttrMessageDigest):
			if rest, err := asn1.Unmarshal(v, &p.messageDigest); err != nil || len(rest) != 0 {
				return nil, cmsErr("cms_unreadable", "message-digest: %v", shortErr(err))
			}
		case a.Type.Equal(oidAttrSigningCertV2):
			if p.ess, err = parseESS(v, true); err != nil {
				return nil, err
			}
		case a.Type.Equal(oidAttrSigningCert):
			if p.ess == nil {
				if p.ess, err = parseESS(v, false); err != nil {
					return nil, err
				}
			}
		case a.Type.Equal(oidAttrSigningTime):
			p.hasSigningTm = true
		}
	}
	if !contentType || p.messageDigest == nil {
		return nil, cmsErr("cms_unreadable", "content-type or message-digest missing")
	}
	if len(si.UnsignedAttrs.Bytes) > 0 {
		var un []attribute
		if _, err := asn1.UnmarshalWithParams(append([]byte{0x31}, si.UnsignedAttrs.FullBytes[1:]...), &un, "set"); err == nil {
			for _, a := range un {
				if a.Type.Equal(oidAttrSignatureTS) {
					p.hasTimestamp = true
				}
			}
		}
	}
	p.sigAlg, p.signature = si.SignatureAlgorithm, si.Signature
	return p, nil
}

func shortErr(err error) string {
	if err == nil {
		return "trailing data"
	}
	s := err.Error()
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return s
}

func nullOrAbsent(p asn1.RawValue) bool {
	return len(p.FullBytes) == 0 || bytes.Equal(p.FullBytes, asn1.NullBytes)
}

// setMembers splits a SET's contents into its members' encodings.
func setMembers(set asn1.RawValue) ([][]byte, error) {
	var out [][]byte
	for b := set.Bytes; len(b) > 0; {
		var v asn1.RawValue
		rest, err := asn1.Unmarshal(b, &v)
		if err != nil {
			return nil, err
		}
		out = append(out, v.FullBytes)
		b = rest
	}
	return out, nil
}

// findSigner finds the certificate a SignerIdentifier names.
func findSigner(certs []*x509.Certificate, sid asn1.RawValue) *x509.Certificate {
	if sid.Class == asn1.ClassContextSpecific && sid.Tag == 0 {
		for _, c := range certs {
			if len(c.SubjectKeyId) > 0 && bytes.Equal(c.SubjectKeyId, sid.Bytes) {
				return c
			}
		}
		return nil
	}
	var ias issuerAndSerial
	if rest, err := asn1.Unmarshal(sid.FullBytes, &ias); err != nil || len(rest) != 0 || ias.Serial == nil {
		return nil
	}
	for _, c := range certs {
		if bytes.Equal(c.RawIssuer, ias.Issuer.FullBytes) && c.SerialNumber.Cmp(ias.Serial) == 0 {
			return c
		}
	}
	return nil
}

// parseESS reads the first ESSCertID(v2) of a SigningCertificate(V2).
func parseESS(der []byte, v2 bool) (*essCertID, error) {
	bad := func(what string) error { return cmsErr("cms_unreadable", "signing-certificate: %s", what) }
	var outer asn1.RawValue
	if rest, err := asn1.Unmarshal(der, &outer); err != nil || len(rest) != 0 || outer.Tag != asn1.TagSequence {
		return nil, bad("not a SEQUENCE")
	}
	var certs asn1.RawValue
	if _, err := asn1.Unmarshal(outer.Bytes, &certs); err != nil || certs.Tag != asn1.TagSequence {
		return nil, bad("no certificate list")
	}
	var id asn1.RawValue
	if _, err := asn1.Unmarshal(certs.Bytes, &id); err != nil || id.Tag != asn1.TagSequence {
		return nil, bad("empty certificate list")
	}
	e := &essCertID{v2: v2, hash: crypto.SHA256, hashID: oidSHA256}
	if !v2 {
		e.hash, e.hashID = crypto.SHA1, oidSHA1
	}
	b := id.Bytes
	var first asn1.RawValue
	rest, err := asn1.Unmarshal(b, &first)
	if err != nil {
		return nil, bad("certificate ID")
	}
	if v2 && first.Tag == asn1.TagSequence {
		var alg pkix.AlgorithmIdentifier
		if _, err := asn1.Unmarshal(first.FullBytes, &alg); err != nil {
			return nil, bad("hash algorithm")
		}
		e.hashID = alg.Algorithm
		e.hash, _ = digestOf(alg.Algorithm)
		if rest, err = asn1.Unmarshal(rest, &first); err != nil {
			return nil, bad("certificate hash")
		}
	}
	if first.Tag != asn1.TagOctetString {
		return nil, bad("certificate hash")
	}
	e.value = first.Bytes
	if len(rest) > 0 {
		var is struct {
			Issuer asn1.RawValue
			Serial *big.Int
		}
		if _, err := asn1.Unmarshal(rest, &is); err != nil || is.Serial == nil {
			return nil, bad("issuerSerial")
		}
		e.serial = is.Serial
		// GeneralNames holding one directoryName [4] EXPLICIT Name.
		var gn asn1.RawValue
		if _, err := asn1.Unmarshal(is.Issuer.Bytes, &gn); err == nil && gn.Class == asn1.ClassContextSpecific && gn.Tag == 4 {
			e.issuer = gn.Bytes
		}
	}
	return e, nil
}

// publicKeyOf returns a certificate's public key, also for an RSA key
// marked RSASSA-PSS only (which crypto/x509 leaves unparsed).
func publicKeyOf(c *x509.Certificate) (crypto.PublicKey, error) {
	if c.PublicKey != nil {
		return c.PublicKey, nil
	}
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(c.RawSubjectPublicKeyInfo, &spki); err != nil {
		return nil, err
	}
	if !spki.Algorithm.Algorithm.Equal(oidRSAPSS) {
		return nil, fmt.Errorf("public key algorithm %v not supported", spki.Algorithm.Algorithm)
	}
	return x509.ParsePKCS1PublicKey(spki.PublicKey.RightAlign())
}

// isPSSOnly reports whether a certificate's key is an RSASSA-PSS key.
func isPSSOnly(c *x509.Certificate) bool {
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	_, err := asn1.Unmarshal(c.RawSubjectPublicKeyInfo, &spki)
	return err == nil && spki.Algorithm.Algorithm.Equal(oidRSAPSS)
}

// verifySignature checks the CMS signature over the signed attributes with
// the algorithms the SignerInfo declares.
func (p *parsedCMS) verifySignature() error {
	if p.digest == 0 {
		return cmsErr("digest_not_allowed", p.digestOID.String())
	}
	alg := p.sigAlg.Algorithm
	h := p.digest
	sum := func(h crypto.Hash) []byte {
		d := h.New()
		d.Write(p.signedAttrs)
		return d.Sum(nil)
	}
	// An algorithm that names its own hash must name the declared one.
	withHash := func(named crypto.Hash) error {
		if named != h {
			return cmsErr("sig_alg_mismatch", alg.String(), p.digestOID.String())
		}
		return nil
	}
	switch pub := p.signerKey.(type) {
	case *rsa.PublicKey:
		switch {
		case alg.Equal(oidRSAPSS):
			var params pssParams
			if rest, err := asn1.Unmarshal(p.sigAlg.Parameters.FullBytes, &params); err != nil || len(rest) != 0 {
				return cmsErr("sig_alg_unsupported", cmsPart{key: "pdf.alg.pss_params"})
			}
			ph, ok := digestOf(params.Hash.Algorithm)
			if !ok {
				return cmsErr("digest_not_allowed", "RSASSA-PSS "+params.Hash.Algorithm.String())
			}
			var mgfHash pkix.AlgorithmIdentifier
			if !params.MGF.Algorithm.Equal(oidMGF1) {
				return cmsErr("sig_alg_unsupported", cmsPart{key: "pdf.alg.pss_mgf", args: []any{params.MGF.Algorithm.String()}})
			}
			if _, err := asn1.Unmarshal(params.MGF.Parameters.FullBytes, &mgfHash); err != nil || !mgfHash.Algorithm.Equal(params.Hash.Algorithm) {
				return cmsErr("sig_alg_unsupported", cmsPart{key: "pdf.alg.pss_mgf_hash"})
			}
			if err := withHash(ph); err != nil {
				return err
			}
			if params.SaltLength < 0 || params.Trailer != 1 {
				return cmsErr("sig_alg_unsupported", cmsPart{key: "pdf.alg.pss_salt"})
			}
			if err := rsa.VerifyPSS(pub, h, sum(h), p.signature, &rsa.PSSOptions{SaltLength: params.SaltLength, Hash: h}); err != nil {
				return cmsErr("signature_invalid", "RSASSA-PSS")
			}
			return nil
		case alg.Equal(oidRSAEncryption):
		case alg.Equal(oidSHA256WithRSA):
			if err := withHash(crypto.SHA256); err != nil {
				return err
			}
		case alg.Equal(oidSHA384WithRSA):
			if err := withHash(crypto.SHA384); err != nil {
				return err
			}
		case alg.Equal(oidSHA512WithRSA):
			if err := withHash(crypto.SHA512); err != nil {
				return err
			}
		default:
			return cmsErr("sig_alg_unsupported", alg.String())
		}
		if err := rsa.VerifyPKCS1v15(pub, h, sum(h), p.signature); err != nil {
			return cmsErr("signature_invalid", "RSA PKCS#1 v1.5")
		}
		return nil
	case *ecdsa.PublicKey:
		switch {
		case alg.Equal(oidECPublicKey):
		case alg.Equal(oidECDSAWithSHA256):
			if err := withHash(crypto.SHA256); err != nil {
				return err
			}
		case alg.Equal(oidECDSAWithSHA384):
			if err := withHash(crypto.SHA384); err != nil {
				return err
			}
		case alg.Equal(oidECDSAWithSHA512):
			if err := withHash(crypto.SHA512); err != nil {
				return err
			}
		default:
			return cmsErr("sig_alg_unsupported", alg.String())
		}
		if !ecdsa.VerifyASN1(pub, sum(h), p.signature) {
			return cmsErr("signature_invalid", "ECDSA")
		}
		return nil
	}
	return cmsErr("sig_alg_unsupported", cmsPart{key: "pdf.alg.key_type", args: []any{fmt.Sprintf("%T", p.signerKey)}})
}

// checkESS verifies the signing-certificate(-v2) attribute against the
// signer, with the hash algorithm the attribute declares.
func (p *parsedCMS) checkESS() error {
	e := p.ess
	if e.v2 && e.hash == 0 {
		return cmsErr("digest_not_allowed", "signing-certificate-v2 "+e.hashID.String())
	}
	if !e.v2 {
		// v1 uses SHA-1, allowed only to identify a certificate.
		d := crypto.SHA1.New()
		d.Write(p.signer.Raw)
		if !bytes.Equal(d.Sum(nil), e.value) {
			return cmsErr("ess_mismatch", "v1")
		}
		return nil
	}
	d := e.hash.New()
	d.Write(p.signer.Raw)
	if !bytes.Equal(d.Sum(nil), e.value) {
		return cmsErr("ess_mismatch", "v2")
	}
	if e.serial != nil && e.serial.Cmp(p.signer.SerialNumber) != 0 {
		return cmsErr("ess_mismatch", cmsPart{key: "pdf.ess.serial"})
	}
	if e.issuer != nil && !bytes.Equal(e.issuer, p.signer.RawIssuer) {
		return cmsErr("ess_mismatch", cmsPart{key: "pdf.ess.issuer"})
	}
	return nil
}
