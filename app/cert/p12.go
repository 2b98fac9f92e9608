package cert

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"hash"
	"math/big"
	"unicode/utf16"

	"pkiodesk/internal/rc2"
)

// A PKCS#12 reader for what pkiodesk needs: the certificates. The libraries
// at hand read a file only when it holds exactly one private key (or is a
// Java trust store), so files exported with `openssl pkcs12 -nokeys`, with
// `-legacy`, or without encryption were refused. This reader takes any
// number of certificate bags, in plain, password-encrypted (PBES2 with
// AES or 3DES, and the legacy PKCS#12 3DES and RC2) or nested safe
// contents; key bags are counted, never decrypted.

var (
	oidData          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidEncryptedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 6}
	oidKeyBag        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 1}
	oidShroudedKey   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 2}
	oidCertBag       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 3}
	oidSafeContents  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 6}
	oidX509Cert      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 22, 1}
	oidSHA1          = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidSHA224        = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 4}
	oidSHA256        = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA384        = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	oidSHA512        = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
	oidPBE3DES       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 3}
	oidPBERC2128     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 5}
	oidPBERC240      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 6}
	oidPBES2         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidHMACSHA1      = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}
	oidHMACSHA224    = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 8}
	oidHMACSHA256    = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidHMACSHA384    = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 10}
	oidHMACSHA512    = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 11}
	oidAES128CBC     = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 2}
	oidAES192CBC     = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 22}
	oidAES256CBC     = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
	oidDESEDE3CBC    = asn1.ObjectIdentifier{1, 2, 840, 113549, 3, 7}
)

// maxIterations bounds a hostile file's key derivation work.
const maxIterations = 10_000_000

var (
	errP12Password    = errors.New("pkcs12: wrong password")
	errP12Unsupported = errors.New("pkcs12: unsupported protection")
	errP12Malformed   = errors.New("pkcs12: malformed")
	// errP12Iterations is a file that asks for more key derivation rounds
	// than any real one uses: minutes of work for each password tried.
	errP12Iterations = errors.New("pkcs12: too many iterations")
)

type p12ContentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"tag:0,explicit,optional"`
}

type p12Pfx struct {
	Version  int
	AuthSafe p12ContentInfo
	MacData  p12MacData `asn1:"optional"`
}

type p12MacData struct {
	Mac        p12DigestInfo
	MacSalt    []byte
	Iterations int `asn1:"optional,default:1"`
}

type p12DigestInfo struct {
	Algorithm pkix.AlgorithmIdentifier
	Digest    []byte
}

type p12EncryptedData struct {
	Version int
	Info    p12EncryptedContentInfo
}

type p12EncryptedContentInfo struct {
	ContentType asn1.ObjectIdentifier
	Algorithm   pkix.AlgorithmIdentifier
	Encrypted   []byte `asn1:"tag:0,optional"`
}

type p12SafeBag struct {
	ID         asn1.ObjectIdentifier
	Value      asn1.RawValue `asn1:"tag:0,explicit"`
	Attributes asn1.RawValue `asn1:"optional"`
}

type p12CertBag struct {
	ID   asn1.ObjectIdentifier
	Data []byte `asn1:"tag:0,explicit"`
}

type p12PBEParams struct {
	Salt       []byte
	Iterations int
}

type p12PBES2Params struct {
	KDF    pkix.AlgorithmIdentifier
	Scheme pkix.AlgorithmIdentifier
}

type p12PBKDF2Params struct {
	Salt       []byte
	Iterations int
	KeyLength  int                      `asn1:"optional"`
	PRF        pkix.AlgorithmIdentifier `asn1:"optional"`
}

// p12Contents is what a PKCS#12 file holds, as far as pkiodesk cares.
type p12Contents struct {
	certs []*x509.Certificate
	keys  int
}

// parsePKCS12 reads the certificates of a PKCS#12 file. An empty password
// also opens files without a password.
func parsePKCS12(der []byte, password string) (p12Contents, error) {
	var pfx p12Pfx
	if err := unmarshalAll(der, &pfx); err != nil || pfx.Version != 3 {
		return p12Contents{}, errP12Malformed
	}
	if !pfx.AuthSafe.ContentType.Equal(oidData) {
		return p12Contents{}, errP12Unsupported // public-key protected
	}
	var authSafe []byte
	if err := unmarshalAll(pfx.AuthSafe.Content.Bytes, &authSafe); err != nil {
		return p12Contents{}, errP12Malformed
	}
	passwords := [][]byte{bmpPassword(password)}
	if password == "" {
		passwords = append(passwords, nil) // some write the empty password as no bytes
	}
	pw := passwords[0]
	if len(pfx.MacData.Mac.Algorithm.Algorithm) > 0 {
		var err error
		if pw, err = verifyMAC(&pfx.MacData, authSafe, passwords); err != nil {
			return p12Contents{}, err
		}
	}
	var infos []p12ContentInfo
	if err := unmarshalAll(authSafe, &infos); err != nil {
		return p12Contents{}, errP12Malformed
	}
	var out p12Contents
	for _, ci := range infos {
		var data []byte
		switch {
		case ci.ContentType.Equal(oidData):
			if err := unmarshalAll(ci.Content.Bytes, &data); err != nil {
				return p12Contents{}, errP12Malformed
			}
		case ci.ContentType.Equal(oidEncryptedData):
			var ed p12EncryptedData
			if err := unmarshalAll(ci.Content.Bytes, &ed); err != nil {
				return p12Contents{}, errP12Malformed
			}
			var err error
			if data, err = pbeDecrypt(ed.Info.Algorithm, ed.Info.Encrypted, password, pw); err != nil {
				return p12Contents{}, err
			}
		default:
			return p12Contents{}, errP12Unsupported
		}
		if err := readSafeContents(data, &out, 0); err != nil {
			return p12Contents{}, err
		}
	}
	return out, nil
}

func readSafeContents(data []byte, out *p12Contents, depth int) error {
	if depth > 4 {
		return errP12Malformed
	}
	var bags []p12SafeBag
	if err := unmarshalAll(data, &bags); err != nil {
		return errP12Malformed
	}
	for _, bag := range bags {
		switch {
		case bag.ID.Equal(oidCertBag):
			var cb p12CertBag
			if err := unmarshalAll(bag.Value.Bytes, &cb); err != nil {
				return errP12Malformed
			}
			if !cb.ID.Equal(oidX509Cert) {
				continue // an SDSI certificate: none in practice
			}
			c, err := x509.ParseCertificate(cb.Data)
			if err != nil {
				return err
			}
			out.certs = append(out.certs, c)
		case bag.ID.Equal(oidKeyBag), bag.ID.Equal(oidShroudedKey):
			out.keys++
		case bag.ID.Equal(oidSafeContents):
			if err := readSafeContents(bag.Value.Bytes, out, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

func unmarshalAll(der []byte, v any) error {
	rest, err := asn1.Unmarshal(der, v)
	if err == nil && len(rest) > 0 {
		return errP12Malformed
	}
	return err
}

// bmpPassword is the password as PKCS#12's key derivation takes it:
// UTF-16 big-endian with a terminating zero.
func bmpPassword(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 0, 2*len(u)+2)
	for _, r := range u {
		b = append(b, byte(r>>8), byte(r))
	}
	return append(b, 0, 0)
}

func hashByOID(oid asn1.ObjectIdentifier) (func() hash.Hash, bool) {
	switch {
	case oid.Equal(oidSHA1), oid.Equal(oidHMACSHA1):
		return sha1.New, true
	case oid.Equal(oidSHA224), oid.Equal(oidHMACSHA224):
		return sha256.New224, true
	case oid.Equal(oidSHA256), oid.Equal(oidHMACSHA256):
		return sha256.New, true
	case oid.Equal(oidSHA384), oid.Equal(oidHMACSHA384):
		return sha512.New384, true
	case oid.Equal(oidSHA512), oid.Equal(oidHMACSHA512):
		return sha512.New, true
	}
	return nil, false
}

// checkIterations refuses a round count below one (damage) or above
// maxIterations (a hostile file).
func checkIterations(n int) error {
	switch {
	case n < 1:
		return errP12Malformed
	case n > maxIterations:
		return errP12Iterations
	}
	return nil
}

// verifyMAC checks the file's MAC and returns the password form that fits.
func verifyMAC(md *p12MacData, content []byte, passwords [][]byte) ([]byte, error) {
	newHash, ok := hashByOID(md.Mac.Algorithm.Algorithm)
	if !ok {
		return nil, errP12Unsupported
	}
	if err := checkIterations(md.Iterations); err != nil {
		return nil, err
	}
	for _, pw := range passwords {
		key := pkcs12KDF(newHash, pw, md.MacSalt, md.Iterations, 3, newHash().Size())
		mac := hmac.New(newHash, key)
		mac.Write(content)
		if hmac.Equal(mac.Sum(nil), md.Mac.Digest) {
			return pw, nil
		}
	}
	return nil, errP12Password
}

// pbeDecrypt decrypts an encrypted safe. utf8 is the password for PBES2,
// bmp the one for PKCS#12's own schemes.
func pbeDecrypt(alg pkix.AlgorithmIdentifier, data []byte, utf8 string, bmp []byte) ([]byte, error) {
	var block cipher.Block
	var iv []byte
	switch {
	case alg.Algorithm.Equal(oidPBE3DES), alg.Algorithm.Equal(oidPBERC240), alg.Algorithm.Equal(oidPBERC2128):
		var p p12PBEParams
		if err := unmarshalAll(alg.Parameters.FullBytes, &p); err != nil {
			return nil, errP12Malformed
		}
		if err := checkIterations(p.Iterations); err != nil {
			return nil, err
		}
		var err error
		switch {
		case alg.Algorithm.Equal(oidPBE3DES):
			key := pkcs12KDF(sha1.New, bmp, p.Salt, p.Iterations, 1, 24)
			block, err = des.NewTripleDESCipher(key)
		case alg.Algorithm.Equal(oidPBERC240):
			block, err = rc2.New(pkcs12KDF(sha1.New, bmp, p.Salt, p.Iterations, 1, 5), 40)
		default:
			block, err = rc2.New(pkcs12KDF(sha1.New, bmp, p.Salt, p.Iterations, 1, 16), 128)
		}
		if err != nil {
			return nil, errP12Malformed
		}
		iv = pkcs12KDF(sha1.New, bmp, p.Salt, p.Iterations, 2, 8)
	case alg.Algorithm.Equal(oidPBES2):
		var p p12PBES2Params
		if err := unmarshalAll(alg.Parameters.FullBytes, &p); err != nil || !p.KDF.Algorithm.Equal(oidPBKDF2) {
			return nil, errP12Unsupported
		}
		var kp p12PBKDF2Params
		if err := unmarshalAll(p.KDF.Parameters.FullBytes, &kp); err != nil {
			return nil, errP12Malformed
		}
		if err := checkIterations(kp.Iterations); err != nil {
			return nil, err
		}
		prf := sha1.New
		if len(kp.PRF.Algorithm) > 0 {
			var ok bool
			if prf, ok = hashByOID(kp.PRF.Algorithm); !ok {
				return nil, errP12Unsupported
			}
		}
		keyLen := 0
		switch {
		case p.Scheme.Algorithm.Equal(oidAES128CBC):
			keyLen = 16
		case p.Scheme.Algorithm.Equal(oidAES192CBC):
			keyLen = 24
		case p.Scheme.Algorithm.Equal(oidAES256CBC):
			keyLen = 32
		case p.Scheme.Algorithm.Equal(oidDESEDE3CBC):
			keyLen = 24
		default:
			return nil, errP12Unsupported
		}
		if err := unmarshalAll(p.Scheme.Parameters.FullBytes, &iv); err != nil {
			return nil, errP12Malformed
		}
		key, err := pbkdf2.Key(prf, utf8, kp.Salt, kp.Iterations, keyLen)
		if err != nil {
			return nil, errP12Malformed
		}
		if keyLen == 24 && p.Scheme.Algorithm.Equal(oidDESEDE3CBC) {
			block, err = des.NewTripleDESCipher(key)
		} else {
			block, err = aes.NewCipher(key)
		}
		if err != nil {
			return nil, errP12Malformed
		}
	default:
		return nil, errP12Unsupported
	}
	bs := block.BlockSize()
	if len(iv) != bs || len(data) == 0 || len(data)%bs != 0 {
		return nil, errP12Malformed
	}
	out := make([]byte, len(data))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(out, data)
	// A wrong password shows as bad padding (the MAC, when there is one,
	// caught it already).
	pad := int(out[len(out)-1])
	if pad == 0 || pad > bs || !bytes.Equal(out[len(out)-pad:], bytes.Repeat([]byte{byte(pad)}, pad)) {
		return nil, errP12Password
	}
	return out[:len(out)-pad], nil
}

// pkcs12KDF is the key derivation of RFC 7292, appendix B.2: id 1 derives
// keys, 2 IVs, 3 MAC keys.
func pkcs12KDF(newHash func() hash.Hash, password, salt []byte, iterations int, id byte, size int) []byte {
	h := newHash()
	u, v := h.Size(), h.BlockSize()
	D := bytes.Repeat([]byte{id}, v)
	fill := func(src []byte) []byte {
		if len(src) == 0 {
			return nil
		}
		n := v * ((len(src) + v - 1) / v)
		out := make([]byte, n)
		for i := range out {
			out[i] = src[i%len(src)]
		}
		return out
	}
	I := append(fill(salt), fill(password)...)
	var out []byte
	one := big.NewInt(1)
	for len(out) < size {
		h.Reset()
		h.Write(D)
		h.Write(I)
		A := h.Sum(nil)
		for i := 1; i < iterations; i++ {
			h.Reset()
			h.Write(A)
			A = h.Sum(A[:0])
		}
		out = append(out, A...)
		if len(out) >= size {
			break
		}
		// I_j = (I_j + B + 1) mod 2^(8v) for every v-byte block of I.
		B := new(big.Int).SetBytes(fill(A)[:v])
		B.Add(B, one)
		for j := 0; j < len(I); j += v {
			Ij := new(big.Int).SetBytes(I[j : j+v])
			Ij.Add(Ij, B)
			b := Ij.Bytes()
			if len(b) > v {
				b = b[len(b)-v:]
			}
			clear(I[j : j+v])
			copy(I[j+v-len(b):j+v], b)
		}
		_ = u
	}
	return out[:size]
}
