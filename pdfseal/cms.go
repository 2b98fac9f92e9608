package pdfseal

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"slices"
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
	oidAttrSigningCertV2    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}
	oidSHA256               = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidRSAEncryption        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidSHA256WithRSA        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	oidRSAPSS               = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	oidMGF1                 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 8}
	oidECDSAWithSHA256      = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	asn1Null                = asn1.RawValue{Tag: asn1.TagNull}
	sha256AlgorithmNullArgs = pkix.AlgorithmIdentifier{Algorithm: oidSHA256, Parameters: asn1Null}
)

type contentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"explicit,tag:0"`
}

type signedData struct {
	Version          int
	DigestAlgorithms []pkix.AlgorithmIdentifier `asn1:"set"`
	EncapContentInfo encapContentInfo
	Certificates     asn1.RawValue `asn1:"optional,tag:0"`
	SignerInfos      []signerInfo  `asn1:"set"`
}

type encapContentInfo struct {
	ContentType asn1.ObjectIdentifier
}

type issuerAndSerial struct {
	Issuer asn1.RawValue
	Serial *big.Int
}

type signerInfo struct {
	Version            int
	SID                issuerAndSerial
	DigestAlgorithm    pkix.AlgorithmIdentifier
	SignedAttrs        asn1.RawValue `asn1:"optional,tag:0"`
	SignatureAlgorithm pkix.AlgorithmIdentifier
	Signature          []byte
}

type attribute struct {
	Type   asn1.ObjectIdentifier
	Values asn1.RawValue `asn1:"set"`
}

type essCertIDv2 struct {
	// HashAlgorithm is left out: its DEFAULT is SHA-256.
	CertHash     []byte
	IssuerSerial issuerSerial
}

type issuerSerial struct {
	Issuer []asn1.RawValue // GeneralNames
	Serial *big.Int
}

type pssParams struct {
	Hash       pkix.AlgorithmIdentifier `asn1:"explicit,tag:0"`
	MGF        pkix.AlgorithmIdentifier `asn1:"explicit,tag:1"`
	SaltLength int                      `asn1:"explicit,tag:2"`
}

// signatureScheme picks the signature algorithm for a key. rsaPSS asks for
// RSASSA-PSS (as PKIoverheid G4 uses) instead of PKCS#1 v1.5.
func signatureScheme(pub crypto.PublicKey, rsaPSS bool) (pkix.AlgorithmIdentifier, crypto.SignerOpts, error) {
	switch pub.(type) {
	case *rsa.PublicKey:
		if !rsaPSS {
			return pkix.AlgorithmIdentifier{Algorithm: oidRSAEncryption, Parameters: asn1Null}, crypto.SHA256, nil
		}
		mgfParams, _ := asn1.Marshal(sha256AlgorithmNullArgs)
		params, err := asn1.Marshal(pssParams{
			Hash:       sha256AlgorithmNullArgs,
			MGF:        pkix.AlgorithmIdentifier{Algorithm: oidMGF1, Parameters: asn1.RawValue{FullBytes: mgfParams}},
			SaltLength: 32,
		})
		if err != nil {
			return pkix.AlgorithmIdentifier{}, nil, err
		}
		return pkix.AlgorithmIdentifier{Algorithm: oidRSAPSS, Parameters: asn1.RawValue{FullBytes: params}},
			&rsa.PSSOptions{SaltLength: 32, Hash: crypto.SHA256}, nil
	case *ecdsa.PublicKey:
		return pkix.AlgorithmIdentifier{Algorithm: oidECDSAWithSHA256}, crypto.SHA256, nil
	case ed25519.PublicKey:
		return pkix.AlgorithmIdentifier{}, nil, errors.New("pdfseal: Ed25519 is not allowed in PAdES baseline")
	default:
		return pkix.AlgorithmIdentifier{}, nil, fmt.Errorf("pdfseal: unsupported key type %T", pub)
	}
}

// buildCMS signs the digest of the covered bytes.
func buildCMS(digest []byte, signer crypto.Signer, chain []*x509.Certificate, rsaPSS bool) ([]byte, error) {
	if len(chain) == 0 {
		return nil, errors.New("pdfseal: no signing certificate")
	}
	leaf := chain[0]
	sigAlg, opts, err := signatureScheme(leaf.PublicKey, rsaPSS)
	if err != nil {
		return nil, err
	}
	attrs, err := signedAttributes(digest, leaf)
	if err != nil {
		return nil, err
	}
	// Sign over the attributes as a SET OF (tag 0x31), store them as [0] IMPLICIT.
	h := sha256.Sum256(attrs)
	sig, err := signer.Sign(rand.Reader, h[:], opts)
	if err != nil {
		return nil, fmt.Errorf("pdfseal: signing: %w", err)
	}
	implicitAttrs := append([]byte{0xA0}, attrs[1:]...)

	var certs []byte
	for _, c := range chain {
		certs = append(certs, c.Raw...)
	}
	sd := signedData{
		Version:          1,
		DigestAlgorithms: []pkix.AlgorithmIdentifier{sha256AlgorithmNullArgs},
		EncapContentInfo: encapContentInfo{ContentType: oidData},
		Certificates:     asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: certs},
		SignerInfos: []signerInfo{{
			Version:            1,
			SID:                issuerAndSerial{Issuer: asn1.RawValue{FullBytes: leaf.RawIssuer}, Serial: leaf.SerialNumber},
			DigestAlgorithm:    sha256AlgorithmNullArgs,
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
func signedAttributes(digest []byte, leaf *x509.Certificate) ([]byte, error) {
	certHash := sha256.Sum256(leaf.Raw)
	dirName, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 4, IsCompound: true, Bytes: leaf.RawIssuer})
	if err != nil {
		return nil, err
	}
	scv2, err := asn1.Marshal(struct{ Certs []essCertIDv2 }{[]essCertIDv2{{
		CertHash:     certHash[:],
		IssuerSerial: issuerSerial{Issuer: []asn1.RawValue{{FullBytes: dirName}}, Serial: leaf.SerialNumber},
	}}})
	if err != nil {
		return nil, err
	}
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

// parsedCMS is what verification needs of a signature's CMS.
type parsedCMS struct {
	certs         []*x509.Certificate
	signer        *x509.Certificate
	signedAttrs   []byte // as a SET OF, the bytes that were signed
	messageDigest []byte
	certHash      []byte // from signing-certificate-v2, if present
	hasSigningTm  bool
	sigAlg        pkix.AlgorithmIdentifier
	signature     []byte
}

func parseCMS(der []byte) (*parsedCMS, error) {
	var ci contentInfo
	rest, err := asn1.Unmarshal(der, &ci)
	if err != nil {
		return nil, fmt.Errorf("CMS: %w", err)
	}
	// The /Contents placeholder is padded with zeros after the CMS.
	if len(bytes.Trim(rest, "\x00")) != 0 {
		return nil, errors.New("CMS: trailing data")
	}
	if !ci.ContentType.Equal(oidSignedData) {
		return nil, errors.New("CMS: not SignedData")
	}
	var sd signedData
	if _, err := asn1.Unmarshal(ci.Content.Bytes, &sd); err != nil {
		return nil, fmt.Errorf("CMS SignedData: %w", err)
	}
	if len(sd.SignerInfos) != 1 {
		return nil, fmt.Errorf("CMS: %d signers, want 1", len(sd.SignerInfos))
	}
	p := &parsedCMS{}
	if len(sd.Certificates.Bytes) > 0 {
		if p.certs, err = x509.ParseCertificates(sd.Certificates.Bytes); err != nil {
			return nil, fmt.Errorf("CMS certificates: %w", err)
		}
	}
	si := sd.SignerInfos[0]
	for _, c := range p.certs {
		if bytes.Equal(c.RawIssuer, si.SID.Issuer.FullBytes) && c.SerialNumber.Cmp(si.SID.Serial) == 0 {
			p.signer = c
		}
	}
	if p.signer == nil {
		return nil, errors.New("CMS: signing certificate not included")
	}
	if len(si.SignedAttrs.FullBytes) == 0 {
		return nil, errors.New("CMS: no signed attributes")
	}
	p.signedAttrs = append([]byte{0x31}, si.SignedAttrs.FullBytes[1:]...)
	var attrs []attribute
	if _, err := asn1.UnmarshalWithParams(p.signedAttrs, &attrs, "set"); err != nil {
		return nil, fmt.Errorf("CMS signed attributes: %w", err)
	}
	for _, a := range attrs {
		switch {
		case a.Type.Equal(oidAttrMessageDigest):
			if _, err := asn1.Unmarshal(a.Values.Bytes, &p.messageDigest); err != nil {
				return nil, fmt.Errorf("CMS message digest: %w", err)
			}
		case a.Type.Equal(oidAttrSigningCertV2):
			var v struct{ Certs []asn1.RawValue }
			if _, err := asn1.Unmarshal(a.Values.Bytes, &v); err == nil && len(v.Certs) > 0 {
				p.certHash = firstOctetString(v.Certs[0].Bytes)
			}
		case a.Type.Equal(oidAttrSigningTime):
			p.hasSigningTm = true
		}
	}
	p.sigAlg, p.signature = si.SignatureAlgorithm, si.Signature
	return p, nil
}

// firstOctetString finds the certHash in an ESSCertIDv2, which may start
// with an optional hash AlgorithmIdentifier.
func firstOctetString(b []byte) []byte {
	for len(b) > 0 {
		var v asn1.RawValue
		rest, err := asn1.Unmarshal(b, &v)
		if err != nil {
			return nil
		}
		if v.Class == asn1.ClassUniversal && v.Tag == asn1.TagOctetString {
			return v.Bytes
		}
		b = rest
	}
	return nil
}

// verifySignature checks the CMS signature over the signed attributes.
func (p *parsedCMS) verifySignature() error {
	h := sha256.Sum256(p.signedAttrs)
	switch pub := p.signer.PublicKey.(type) {
	case *rsa.PublicKey:
		if p.sigAlg.Algorithm.Equal(oidRSAPSS) {
			return rsa.VerifyPSS(pub, crypto.SHA256, h[:], p.signature, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto})
		}
		if !p.sigAlg.Algorithm.Equal(oidRSAEncryption) && !p.sigAlg.Algorithm.Equal(oidSHA256WithRSA) {
			return fmt.Errorf("unsupported RSA algorithm %v", p.sigAlg.Algorithm)
		}
		return rsa.VerifyPKCS1v15(pub, crypto.SHA256, h[:], p.signature)
	case *ecdsa.PublicKey:
		if !ecdsa.VerifyASN1(pub, h[:], p.signature) {
			return errors.New("ECDSA signature does not verify")
		}
		return nil
	}
	return fmt.Errorf("unsupported key type %T", p.signer.PublicKey)
}
