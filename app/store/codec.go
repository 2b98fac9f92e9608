package store

import (
	"encoding/binary"
	"errors"
	"time"

	"pkiodesk/app/cert"
)

// Records are stored in a small binary layout rather than JSON or gob:
// opening a database with 100,000 certificates must stay well under 300 ms,
// and this layout decodes with one string allocation per record.
const recordVersion = 1

var errRecordCorrupt = errors.New("record is damaged")

func encodeRecord(c *cert.Certificate) []byte {
	b := make([]byte, 0, 512)
	b = append(b, recordVersion)
	for _, s := range []string{
		c.SHA256, string(c.Kind), c.CommonName, c.Organization, c.OrganizationalUnit,
		c.OIN, c.OrganizationIdentifier, c.GivenName, c.Surname, c.Subject, c.Issuer,
		c.IssuerCN, c.Serial, c.KeyType, c.SignatureAlgorithm, c.RevocationReason, c.Source,
	} {
		b = appendString(b, s)
	}
	for _, list := range [][]string{c.DNSNames, c.Emails, c.Policies, c.KeyUsage, c.ExtKeyUsage} {
		b = binary.AppendUvarint(b, uint64(len(list)))
		for _, s := range list {
			b = appendString(b, s)
		}
	}
	b = binary.AppendUvarint(b, uint64(c.KeyBits))
	var flags byte
	if c.IsCA {
		flags |= 1
	}
	if c.Revoked {
		flags |= 2
	}
	b = append(b, flags)
	for _, t := range []time.Time{c.NotBefore, c.NotAfter, c.RevokedAt, c.ImportedAt} {
		b = appendTime(b, t)
	}
	// The order links are a tail that records written before orders
	// existed lack; they decode as empty.
	for _, s := range orderLinks(c) {
		b = appendString(b, *s)
	}
	return b
}

func orderLinks(c *cert.Certificate) []*string {
	return []*string{&c.OrderID, &c.Renews, &c.RevocationOrderID}
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
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
type recordReader struct {
	s   string
	pos int
	err error
}

func (r *recordReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint([]byte(r.s[r.pos:min(len(r.s), r.pos+binary.MaxVarintLen64)]))
	if n <= 0 {
		r.err = errRecordCorrupt
		return 0
	}
	r.pos += n
	return v
}

func (r *recordReader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint([]byte(r.s[r.pos:min(len(r.s), r.pos+binary.MaxVarintLen64)]))
	if n <= 0 {
		r.err = errRecordCorrupt
		return 0
	}
	r.pos += n
	return v
}

func (r *recordReader) byte() byte {
	if r.err != nil || r.pos >= len(r.s) {
		r.err = errRecordCorrupt
		return 0
	}
	v := r.s[r.pos]
	r.pos++
	return v
}

func (r *recordReader) string() string {
	n := r.uvarint()
	if r.err != nil {
		return ""
	}
	if n > uint64(len(r.s)-r.pos) {
		r.err = errRecordCorrupt
		return ""
	}
	v := r.s[r.pos : r.pos+int(n)]
	r.pos += int(n)
	return v
}

func (r *recordReader) strings() []string {
	n := r.uvarint()
	if r.err != nil || n == 0 {
		return nil
	}
	if n > uint64(len(r.s)-r.pos) {
		r.err = errRecordCorrupt
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = r.string()
	}
	return out
}

func (r *recordReader) time() time.Time {
	if r.byte() == 0 || r.err != nil {
		return time.Time{}
	}
	sec := r.varint()
	nsec := r.uvarint()
	if nsec >= 1e9 {
		r.err = errRecordCorrupt
	}
	return time.Unix(sec, int64(nsec)).UTC()
}

func decodeRecord(v []byte) (cert.Certificate, error) {
	r := &recordReader{s: string(v)}
	if r.byte() != recordVersion {
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
	c.KeyBits = int(r.uvarint())
	flags := r.byte()
	c.IsCA = flags&1 != 0
	c.Revoked = flags&2 != 0
	for _, p := range []*time.Time{&c.NotBefore, &c.NotAfter, &c.RevokedAt, &c.ImportedAt} {
		*p = r.time()
	}
	if r.err == nil && r.pos < len(r.s) {
		for _, p := range orderLinks(&c) {
			*p = r.string()
		}
	}
	if r.err != nil {
		return cert.Certificate{}, r.err
	}
	return c, nil
}
