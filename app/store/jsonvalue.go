package store

import (
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
)

// The organisation, its people and the settings are stored as JSON (few
// values, readable in a dump) behind a version byte and followed by a
// CRC-32C, so that a damaged byte is found instead of believed: a changed
// role in a person's record must not pass as a real one. Schema 1 stored
// bare JSON; it is still read.
const jsonVersion = 2

var errValueChecksum = errRecordChecksum

func sealJSON(v any) ([]byte, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	b := make([]byte, 0, len(data)+1+crcSize)
	b = append(b, jsonVersion)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc32.Checksum(b, castagnoli)), nil
}

func openJSON(v []byte, into any) error {
	if len(v) > 0 && v[0] == '{' {
		return json.Unmarshal(v, into) // schema 1
	}
	if len(v) < 1+crcSize || v[0] != jsonVersion {
		return errRecordCorrupt
	}
	body := v[:len(v)-crcSize]
	if crc32.Checksum(body, castagnoli) != binary.BigEndian.Uint32(v[len(body):]) {
		return errValueChecksum
	}
	return json.Unmarshal(body[1:], into)
}

// SealJSON and OpenJSON are the stored layout of the JSON values (orders,
// assignments, people, settings), for tests elsewhere that rewrite a value
// in the file as someone with a tool would: a checksum is no protection
// against that, only against damage.
func SealJSON(v any) ([]byte, error) { return sealJSON(v) }

// OpenJSON reads a value SealJSON wrote (or bare JSON of schema 1).
func OpenJSON(v []byte, into any) error { return openJSON(v, into) }
