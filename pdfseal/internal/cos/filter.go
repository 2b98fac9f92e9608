package cos

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
)

// MaxDecoded bounds the decoded size of one stream the reader has to decode
// (cross-reference and object streams): a few kilobytes of deflate can
// otherwise expand to gigabytes.
const MaxDecoded = 64 << 20

// Decode returns a stream's decoded data. Only what cross-reference and
// object streams use is supported: no filter, or FlateDecode with or
// without a PNG or TIFF predictor.
func Decode(s *Stream, limit int64) ([]byte, error) {
	filters, params := filterList(s.Dict)
	data := s.Raw
	for i, f := range filters {
		switch f {
		case "FlateDecode":
			out, err := inflate(data, limit)
			if err != nil {
				return nil, err
			}
			if out, err = unpredict(out, params[i]); err != nil {
				return nil, err
			}
			data = out
		default:
			return nil, fmt.Errorf("filter /%s not supported here", printable([]byte(f)))
		}
	}
	if int64(len(data)) > limit {
		return nil, errors.New("decoded stream too large")
	}
	return data, nil
}

func filterList(d Dict) ([]Name, []Dict) {
	var filters []Name
	var params []Dict
	switch f := d["Filter"].(type) {
	case Name:
		filters = []Name{f}
	case Array:
		for _, x := range f {
			n, _ := x.(Name)
			filters = append(filters, n)
		}
	}
	params = make([]Dict, len(filters))
	switch p := d["DecodeParms"].(type) {
	case Dict:
		if len(params) > 0 {
			params[0] = p
		}
	case Array:
		for i, x := range p {
			if i < len(params) {
				params[i], _ = x.(Dict)
			}
		}
	}
	return filters, params
}

func inflate(data []byte, limit int64) ([]byte, error) {
	zr, err := zlib.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("deflate data: %w", err)
	}
	defer zr.Close()
	out, err := io.ReadAll(io.LimitReader(zr, limit+1))
	if int64(len(out)) > limit {
		return nil, errors.New("decoded stream too large")
	}
	// A missing checksum or a truncated end is common and harmless when
	// the data itself came out: other readers accept it too.
	if err != nil && len(out) == 0 {
		return nil, fmt.Errorf("deflate data: %w", err)
	}
	return out, nil
}

func unpredict(data []byte, p Dict) ([]byte, error) {
	if p == nil {
		return data, nil
	}
	pred, _ := IntOf(p["Predictor"])
	if pred <= 1 {
		return data, nil
	}
	colors, bpc, columns := int64(1), int64(8), int64(1)
	if v, ok := IntOf(p["Colors"]); ok {
		colors = v
	}
	if v, ok := IntOf(p["BitsPerComponent"]); ok {
		bpc = v
	}
	if v, ok := IntOf(p["Columns"]); ok {
		columns = v
	}
	if colors < 1 || colors > 32 || columns < 1 || columns > 1<<20 || (bpc != 1 && bpc != 2 && bpc != 4 && bpc != 8 && bpc != 16) {
		return nil, errors.New("invalid predictor parameters")
	}
	bpp := int((colors*bpc + 7) / 8)
	rowLen := int((colors*bpc*columns + 7) / 8)
	if pred == 2 {
		if bpc != 8 {
			return nil, errors.New("TIFF predictor with other than 8 bits not supported")
		}
		out := bytes.Clone(data)
		for r := 0; r+rowLen <= len(out); r += rowLen {
			for i := bpp; i < rowLen; i++ {
				out[r+i] += out[r+i-bpp]
			}
		}
		return out, nil
	}
	if pred < 10 || pred > 15 {
		return nil, fmt.Errorf("predictor %d not supported", pred)
	}
	// PNG: every row starts with its own filter type byte.
	out := make([]byte, 0, len(data))
	prev := make([]byte, rowLen)
	for r := 0; r < len(data); r += rowLen + 1 {
		if r+1+rowLen > len(data) {
			break // a partial last row is dropped, as other readers do
		}
		ft, row := data[r], bytes.Clone(data[r+1:r+1+rowLen])
		for i := range row {
			var a, b, c byte
			if i >= bpp {
				a, c = row[i-bpp], prev[i-bpp]
			}
			b = prev[i]
			switch ft {
			case 0:
			case 1:
				row[i] += a
			case 2:
				row[i] += b
			case 3:
				row[i] += byte((int(a) + int(b)) / 2)
			case 4:
				row[i] += paeth(a, b, c)
			default:
				return nil, fmt.Errorf("PNG filter type %d", ft)
			}
		}
		out = append(out, row...)
		prev = row
	}
	return out, nil
}

func paeth(a, b, c byte) byte {
	p := int(a) + int(b) - int(c)
	pa, pb, pc := abs(p-int(a)), abs(p-int(b)), abs(p-int(c))
	switch {
	case pa <= pb && pa <= pc:
		return a
	case pb <= pc:
		return b
	}
	return c
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
