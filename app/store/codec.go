package store

import (
	"encoding/binary"
	"hash/crc32"
	"time"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
)

// Records are stored in a small binary layout rather than JSON or gob:
// opening a database with 100,000 certificates must stay well under 300 ms.
//
// Version 2 puts the fields every overview reads first (fingerprint, kind,
// flags, expiry, CN, O, DNS names, e-mail addresses), so that a database can
// be opened without decoding the rest, and ends in a CRC-32C over everything
// before it: one changed byte anywhere makes the record fail its check
// instead of showing a wrong value. Version 1 (schema 1) had no checksum and
// is still read, so that an old database opens read-only and migrates.
const (
	recordV1      = 1
	recordVersion = 2
	crcSize       = 4
)

var (
	errRecordCorrupt  = i18n.E("rec.layout", nil)
	errRecordChecksum = i18n.E("rec.checksum", nil)
	errRecordKey      = i18n.E("rec.key", nil)
	castagnoli        = crc32.MakeTable(crc32.Castagnoli)
)

func encodeRecord(c *cert.Certificate) []byte {
	b := make([]byte, 0, 512)
	b = append(b, recordVersion)
	b = appendString(b, c.SHA256)
	b = appendString(b, string(c.Kind))
	var flags byte
	if c.IsCA {
		flags |= 1
	}
	if c.Revoked {
		flags |= 2
	}
	b = append(b, flags)
	b = appendTime(b, c.NotAfter)
	b = appendString(b, c.CommonName)
	b = appendString(b, c.Organization)
	b = appendStrings(b, c.DNSNames)
	b = appendStrings(b, c.Emails)
	for _, s := range []string{
		c.OrganizationalUnit, c.OIN, c.OrganizationIdentifier, c.GivenName, c.Surname, c.Subject, c.Issuer,
		c.IssuerCN, c.Serial, c.KeyType, c.SignatureAlgorithm, c.RevocationReason, c.Source,
	} {
		b = appendString(b, s)
	}
	for _, list := range [][]string{c.Policies, c.KeyUsage, c.ExtKeyUsage} {
		b = appendStrings(b, list)
	}
	b = binary.AppendUvarint(b, uint64(max(c.KeyBits, 0)))
	for _, t := range []time.Time{c.NotBefore, c.RevokedAt, c.ImportedAt} {
		b = appendTime(b, t)
	}
	// The order links (schema 1 had them as an optional tail).
	for _, s := range orderLinks(c) {
		b = appendString(b, *s)
	}
	return binary.BigEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

const orderLinkCount = 3

func orderLinks(c *cert.Certificate) []*string {
	return []*string{&c.OrderID, &c.Renews, &c.RevocationOrderID}
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendStrings(b []byte, list []string) []byte {
	b = binary.AppendUvarint(b, uint64(len(list)))
	for _, s := range list {
		b = appendString(b, s)
	}
	return b
}

func appendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, 0)
	}
	b = append(b, 1)
	b = binary.AppendVarint(b, t.Unix())
	return binary.AppendUvarint(b, uint64(t.Nanosecond()))
}

// recordReader reads a record out of one string, so every text field is a
// substring of it and costs no allocation of its own.
type recordReader[T ~string | ~[]byte] struct {
	s   T
	pos int
	err error
}

func (r *recordReader[T]) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	var v uint64
	for shift := uint(0); ; shift += 7 {
		if r.pos >= len(r.s) || shift >= 64 {
			r.err = errRecordCorrupt
			return 0
		}
		c := r.s[r.pos]
		r.pos++
		if shift == 63 && c > 1 {
			r.err = errRecordCorrupt
			return 0
		}
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v
		}
	}
}

func (r *recordReader[T]) varint() int64 {
	u := r.uvarint()
	x := int64(u >> 1)
	if u&1 != 0 {
		x = ^x
	}
	return x
}

func (r *recordReader[T]) byte() byte {
	if r.err != nil || r.pos >= len(r.s) {
		r.err = errRecordCorrupt
		return 0
	}
	v := r.s[r.pos]
	r.pos++
	return v
}

func (r *recordReader[T]) string() T {
	n := r.uvarint()
	if r.err != nil {
		return r.s[:0]
	}
	if n > uint64(len(r.s)-r.pos) {
		r.err = errRecordCorrupt
		return r.s[:0]
	}
	v := r.s[r.pos : r.pos+int(n)]
	r.pos += int(n)
	return v
}

// count reads the length of a list; every element takes at least one byte.
func (r *recordReader[T]) count() int {
	n := r.uvarint()
	if r.err == nil && n > uint64(len(r.s)-r.pos) {
		r.err = errRecordCorrupt
	}
	if r.err != nil {
		return 0
	}
	return int(n)
}

func (r *recordReader[T]) strings() []T {
	n := r.count()
	if n == 0 {
		return nil
	}
	out := make([]T, n)
	for i := range out {
		out[i] = r.string()
	}
	return out
}

func (r *recordReader[T]) skipStrings() {
	for n := r.count(); n > 0 && r.err == nil; n-- {
		r.string()
	}
}

func (r *recordReader[T]) time() time.Time {
	if r.err != nil {
		return time.Time{}
	}
	switch r.byte() {
	case 0:
		return time.Time{}
	case 1:
	default:
		r.err = errRecordCorrupt
		return time.Time{}
	}
	sec := r.varint()
	nsec := r.uvarint()
	if nsec >= 1e9 {
		r.err = errRecordCorrupt
		return time.Time{}
	}
	return time.Unix(sec, int64(nsec)).UTC()
}

// head is the part of a version 2 record the overviews read.
type head[T ~string | ~[]byte] struct {
	sha256, kind, cn, org T
	flags                 byte
	notAfter              time.Time
}

func (r *recordReader[T]) head() head[T] {
	var h head[T]
	h.sha256 = r.string()
	h.kind = r.string()
	h.flags = r.byte()
	h.notAfter = r.time()
	h.cn = r.string()
	h.org = r.string()
	return h
}

// checkRecord verifies a stored value: version, checksum, a layout that
// decodes to the end, and the fingerprint its key names. It allocates
// nothing, so opening a database checks every record.
func checkRecord(key, v []byte) error {
	if len(v) == 0 {
		return errRecordCorrupt
	}
	switch v[0] {
	case recordVersion:
		if len(v) < 1+crcSize {
			return errRecordCorrupt
		}
		body := v[:len(v)-crcSize]
		if crc32.Checksum(body, castagnoli) != binary.BigEndian.Uint32(v[len(body):]) {
			return errRecordChecksum
		}
		return walkV2(key, body)
	case recordV1:
		c, err := decodeV1(string(v))
		if err != nil {
			return err
		}
		if c.SHA256 != string(key) {
			return errRecordKey
		}
		return nil
	}
	return errRecordCorrupt
}

// walkV2 reads every field of a checksummed version 2 body without keeping any.
func walkV2(key, body []byte) error {
	r := &recordReader[[]byte]{s: body, pos: 1}
	h := r.head()
	if r.err == nil && string(h.sha256) != string(key) {
		return errRecordKey
	}
	r.skipStrings() // DNS names
	r.skipStrings() // e-mail addresses
	for range 13 {
		r.string()
	}
	for range 3 {
		r.skipStrings()
	}
	r.uvarint()
	for range 3 {
		r.time()
	}
	for range orderLinkCount {
		r.string()
	}
	if r.err == nil && r.pos != len(r.s) {
		r.err = errRecordCorrupt
	}
	return r.err
}

// decodeRecord decodes a stored value (version 1 or 2) after checking it.
func decodeRecord(v []byte) (cert.Certificate, error) {
	if len(v) > 0 && v[0] == recordV1 {
		return decodeV1(string(v))
	}
	if len(v) < 1+crcSize || v[0] != recordVersion {
		return cert.Certificate{}, errRecordCorrupt
	}
	body := v[:len(v)-crcSize]
	if crc32.Checksum(body, castagnoli) != binary.BigEndian.Uint32(v[len(body):]) {
		return cert.Certificate{}, errRecordChecksum
	}
	return decodeV2(string(body))
}

// decodeV2 decodes a version 2 body whose checksum was verified; the strings
// of the result are substrings of body.
func decodeV2(body string) (cert.Certificate, error) {
	r := &recordReader[string]{s: body, pos: 1}
	h := r.head()
	c := cert.Certificate{
		SHA256: h.sha256, Kind: cert.Kind(h.kind), CommonName: h.cn, Organization: h.org,
		NotAfter: h.notAfter, IsCA: h.flags&1 != 0, Revoked: h.flags&2 != 0,
	}
	c.DNSNames = r.strings()
	c.Emails = r.strings()
	for _, p := range []*string{
		&c.OrganizationalUnit, &c.OIN, &c.OrganizationIdentifier, &c.GivenName, &c.Surname, &c.Subject, &c.Issuer,
		&c.IssuerCN, &c.Serial, &c.KeyType, &c.SignatureAlgorithm, &c.RevocationReason, &c.Source,
	} {
		*p = r.string()
	}
	for _, p := range []*[]string{&c.Policies, &c.KeyUsage, &c.ExtKeyUsage} {
		*p = r.strings()
	}
	c.KeyBits = int(min(r.uvarint(), 1<<20))
	for _, p := range []*time.Time{&c.NotBefore, &c.RevokedAt, &c.ImportedAt} {
		*p = r.time()
	}
	for _, p := range orderLinks(&c) {
		*p = r.string()
	}
	if r.err == nil && r.pos != len(r.s) {
		r.err = errRecordCorrupt
	}
	if r.err != nil {
		return cert.Certificate{}, r.err
	}
	return c, nil
}

// decodeV1 reads the layout of schema 1 (no checksum, fields in declaration order).
func decodeV1(s string) (cert.Certificate, error) {
	r := &recordReader[string]{s: s}
	if r.byte() != recordV1 {
		return cert.Certificate{}, errRecordCorrupt
	}
	var c cert.Certificate
	var kind string
	for _, p := range []*string{
		&c.SHA256, &kind, &c.CommonName, &c.Organization, &c.OrganizationalUnit,
		&c.OIN, &c.OrganizationIdentifier, &c.GivenName, &c.Surname, &c.Subject, &c.Issuer,
		&c.IssuerCN, &c.Serial, &c.KeyType, &c.SignatureAlgorithm, &c.RevocationReason, &c.Source,
	} {
		*p = r.string()
	}
	c.Kind = cert.Kind(kind)
	for _, p := range []*[]string{&c.DNSNames, &c.Emails, &c.Policies, &c.KeyUsage, &c.ExtKeyUsage} {
		*p = r.strings()
	}
	c.KeyBits = int(min(r.uvarint(), 1<<20))
	flags := r.byte()
	c.IsCA = flags&1 != 0
	c.Revoked = flags&2 != 0
	for _, p := range []*time.Time{&c.NotBefore, &c.NotAfter, &c.RevokedAt, &c.ImportedAt} {
		*p = r.time()
	}
	// Records written before orders existed lack the order links.
	if r.err == nil && r.pos < len(r.s) {
		for _, p := range orderLinks(&c) {
			*p = r.string()
		}
	}
	if r.err == nil && r.pos != len(r.s) {
		r.err = errRecordCorrupt
	}
	if r.err != nil {
		return cert.Certificate{}, r.err
	}
	return c, nil
}
