package store

import (
	"encoding/binary"
	"errors"
	"hash/fnv"
	"io"
	"os"

	"pkiodesk/app/i18n"
)

// This file reads bbolt's on-disk format with ReadAt, never through a memory
// map: a truncated or overwritten file then gives an error, where bbolt's
// map would fault (SIGBUS) or trip an assertion. It checks a file before
// bbolt maps it, and it walks a damaged file for `db check` and for what can
// still be read. The layout is bbolt's (go.etcd.io/bbolt/internal/common),
// stable since bolt's format version 2.

const (
	boltMagic          = 0xED0CDAED
	boltFormatVersion  = 2
	pageHeaderSize     = 16 // id u64, flags u16, count u16, overflow u32
	metaSize           = 64 // magic, version, pageSize, flags u32; root bucket (root, sequence u64); freelist, pgid, txid, checksum u64
	metaChecksummed    = 56 // bytes of the meta the checksum covers
	leafElementSize    = 16 // flags, pos, ksize, vsize u32
	branchElementSize  = 16 // pos, ksize u32, pgid u64
	bucketHeaderSize   = 16 // root, sequence u64
	pageBranch         = 0x01
	pageLeaf           = 0x02
	pageMeta           = 0x04
	pageFreelist       = 0x10
	leafBucket         = 0x01
	noFreelist         = ^uint64(0)
	minPageSize        = 512
	maxPageSize        = 1 << 16
	maxTreeDepth       = 64
	freelistCountExtra = 0xFFFF
)

// Problems are user-facing (i18n) errors: `db check` lists them, and a
// refused open names the first.
var (
	errNotBolt   = errors.New("not a bbolt file")
	errEmptyFile = i18n.E("err.db_empty_file", nil)
)

// boltMeta is one of the two meta pages.
type boltMeta struct {
	pageSize                  uint32
	root, freelist, hwm, txid uint64
	magicOK, versionOK, sumOK bool
}

func (m boltMeta) valid() bool { return m.magicOK && m.versionOK && m.sumOK }

// boltFile is a bbolt file read page by page.
type boltFile struct {
	r        io.ReaderAt
	size     int64
	pageSize int
	metas    [2]boltMeta
	// meta is the one bbolt uses: the valid meta with the higher txid.
	meta boltMeta
}

func parseMeta(buf []byte) boltMeta {
	m := buf[pageHeaderSize : pageHeaderSize+metaSize]
	le := binary.LittleEndian
	h := fnv.New64a()
	h.Write(m[:metaChecksummed])
	return boltMeta{
		magicOK:   le.Uint32(m[0:]) == boltMagic,
		versionOK: le.Uint32(m[4:]) == boltFormatVersion,
		pageSize:  le.Uint32(m[8:]),
		root:      le.Uint64(m[16:]),
		freelist:  le.Uint64(m[32:]),
		hwm:       le.Uint64(m[40:]),
		txid:      le.Uint64(m[48:]),
		sumOK:     le.Uint64(m[56:]) == h.Sum64(),
	}
}

func readMetaAt(r io.ReaderAt, size, off int64) (boltMeta, bool) {
	if off+pageHeaderSize+metaSize > size {
		return boltMeta{}, false
	}
	buf := make([]byte, pageHeaderSize+metaSize)
	if _, err := r.ReadAt(buf, off); err != nil {
		return boltMeta{}, false
	}
	return parseMeta(buf), true
}

// inspectBolt reads the meta pages and checks that the state they describe
// lies inside the file: the high-water mark, the root bucket's page and the
// freelist. It returns errNotBolt for a file that is no bbolt file at all.
func inspectBolt(r io.ReaderAt, size int64) (*boltFile, error) {
	if size == 0 {
		return nil, errEmptyFile
	}
	if size < pageHeaderSize+metaSize {
		head := make([]byte, size)
		if _, err := r.ReadAt(head, 0); err == nil && size >= pageHeaderSize+4 &&
			binary.LittleEndian.Uint32(head[pageHeaderSize:]) == boltMagic {
			return nil, i18n.E("dbfile.too_small", nil, size)
		}
		return nil, errNotBolt
	}
	f := &boltFile{r: r, size: size}
	m0, _ := readMetaAt(r, size, 0)
	// bbolt finds the page size in meta 0, or else tries meta 1 at the
	// usual page sizes.
	sizes := []int{}
	if m0.magicOK && validPageSize(int(m0.pageSize)) {
		sizes = append(sizes, int(m0.pageSize))
	}
	sizes = append(sizes, os.Getpagesize(), 4096, 16384, 65536)
	found := false
	for _, ps := range sizes {
		m1, ok := readMetaAt(r, size, int64(ps))
		if !ok {
			continue
		}
		if (m0.magicOK && int(m0.pageSize) == ps) || (m1.magicOK && int(m1.pageSize) == ps) {
			f.pageSize, f.metas, found = ps, [2]boltMeta{m0, m1}, true
			break
		}
	}
	if !found {
		ps := int64(os.Getpagesize())
		if validPageSize(int(m0.pageSize)) {
			ps = int64(m0.pageSize)
		}
		switch {
		case m0.magicOK && size < 2*ps:
			return nil, i18n.E("dbfile.too_small", nil, size)
		case m0.magicOK:
			// Long enough for both meta pages at any page size, but
			// neither names a page size that fits: they are damaged.
			return nil, i18n.E("dbfile.metas", nil)
		}
		return nil, errNotBolt
	}
	for i := range f.metas {
		if f.metas[i].valid() && int(f.metas[i].pageSize) != f.pageSize {
			f.metas[i].sumOK = false
		}
	}
	a, b := f.metas[0], f.metas[1]
	if b.txid > a.txid {
		a, b = b, a
	}
	switch {
	case a.valid():
		f.meta = a
	case b.valid():
		f.meta = b
	default:
		return f, i18n.E("dbfile.metas", nil)
	}
	return f, f.checkMeta()
}

func validPageSize(ps int) bool {
	return ps >= minPageSize && ps <= maxPageSize && ps&(ps-1) == 0
}

// checkMeta verifies what bbolt would touch first: every page below the
// high-water mark exists, the root page is a tree page, the freelist names
// only pages below the mark.
func (f *boltFile) checkMeta() error {
	m := f.meta
	if m.hwm < 4 || m.hwm > uint64(f.size)/uint64(f.pageSize) {
		return i18n.E("dbfile.truncated", nil, f.size, m.hwm, f.pageSize)
	}
	if m.root < 2 || m.root >= m.hwm {
		return i18n.E("dbfile.page_outside", nil, m.root)
	}
	p, err := f.page(m.root)
	if err != nil {
		return err
	}
	if p.flags != pageLeaf && p.flags != pageBranch {
		return i18n.E("dbfile.not_tree", nil, m.root)
	}
	if m.freelist == noFreelist {
		return nil
	}
	if m.freelist < 2 || m.freelist >= m.hwm {
		return i18n.E("dbfile.freelist", nil, m.freelist)
	}
	ids, err := f.freelist()
	if err != nil {
		return err
	}
	for _, id := range ids {
		if id < 2 || id >= m.hwm {
			return i18n.E("dbfile.freelist", nil, m.freelist)
		}
	}
	return nil
}

// page is one page with its overflow pages.
type page struct {
	id       uint64
	flags    uint16
	count    uint16
	overflow uint32
	data     []byte // header included
}

// page reads page id and checks that it says it is that page, has exactly
// one known type, and that its overflow stays below the high-water mark.
func (f *boltFile) page(id uint64) (*page, error) {
	hwm := f.meta.hwm
	if id >= hwm {
		return nil, i18n.E("dbfile.page_outside", nil, id)
	}
	off := int64(id) * int64(f.pageSize)
	hdr := make([]byte, pageHeaderSize)
	if _, err := f.r.ReadAt(hdr, off); err != nil {
		return nil, i18n.E("dbfile.page_outside", nil, id)
	}
	le := binary.LittleEndian
	p := &page{id: le.Uint64(hdr), flags: le.Uint16(hdr[8:]), count: le.Uint16(hdr[10:]), overflow: le.Uint32(hdr[12:])}
	if p.id != id {
		return nil, i18n.E("dbfile.page_id", nil, id, p.id)
	}
	switch p.flags {
	case pageBranch, pageLeaf, pageMeta, pageFreelist:
	default:
		return nil, i18n.E("dbfile.page_type", nil, id)
	}
	n := uint64(p.overflow) + 1
	if n > hwm-id || int64(id+n)*int64(f.pageSize) > f.size {
		return nil, i18n.E("dbfile.page_outside", nil, id)
	}
	p.data = make([]byte, int(n)*f.pageSize)
	if _, err := f.r.ReadAt(p.data, off); err != nil {
		return nil, i18n.E("dbfile.page_outside", nil, id)
	}
	return p, nil
}

// freelist returns the free page ids the meta's freelist page lists.
func (f *boltFile) freelist() ([]uint64, error) {
	if f.meta.freelist == noFreelist {
		return nil, nil
	}
	p, err := f.page(f.meta.freelist)
	if err != nil {
		return nil, err
	}
	bad := i18n.E("dbfile.freelist", nil, p.id)
	if p.flags != pageFreelist {
		return nil, bad
	}
	le := binary.LittleEndian
	start, n := pageHeaderSize, int(p.count)
	if p.count == freelistCountExtra {
		if len(p.data) < pageHeaderSize+8 {
			return nil, bad
		}
		c := le.Uint64(p.data[pageHeaderSize:])
		if c > uint64(len(p.data)/8) {
			return nil, bad
		}
		start, n = pageHeaderSize+8, int(c)
	}
	if start+n*8 > len(p.data) {
		return nil, bad
	}
	ids := make([]uint64, n)
	for i := range ids {
		ids[i] = le.Uint64(p.data[start+8*i:])
	}
	return ids, nil
}

// treeVisitor receives what a walk finds. Keys and values are copies.
type treeVisitor struct {
	// pageSeen is called once per page (and its overflow) reached.
	pageSeen func(id uint64, pages int)
	// damaged is called for a page or element that cannot be read; the
	// walk goes on with the rest of the tree.
	damaged func(where string, err error)
	// entry is called for every key; bucket tells whether the value is a
	// nested bucket, which the walk enters when enter returns true.
	entry func(path []string, key, value []byte, bucket bool) (enter bool)
}

// walk visits the tree of the root bucket.
func (f *boltFile) walk(v treeVisitor) {
	seen := make(map[uint64]bool)
	f.walkPage(f.meta.root, nil, seen, 0, v)
}

// walkBucket enters a nested bucket from its header value.
func (f *boltFile) walkBucket(path []string, value []byte, seen map[uint64]bool, depth int, v treeVisitor) {
	if len(value) < bucketHeaderSize {
		v.damaged(pathName(path), i18n.E("dbfile.bucket", nil))
		return
	}
	root := binary.LittleEndian.Uint64(value)
	if root != 0 {
		f.walkPage(root, path, seen, depth+1, v)
		return
	}
	// An inline bucket: its one page follows the header.
	inline := value[bucketHeaderSize:]
	if len(inline) < pageHeaderSize {
		v.damaged(pathName(path), i18n.E("dbfile.bucket", nil))
		return
	}
	le := binary.LittleEndian
	p := &page{flags: le.Uint16(inline[8:]), count: le.Uint16(inline[10:]), data: inline}
	if p.flags != pageLeaf {
		v.damaged(pathName(path), i18n.E("dbfile.bucket", nil))
		return
	}
	f.walkLeaf(p, path, seen, depth, v)
}

func pathName(path []string) string {
	if len(path) == 0 {
		return "/"
	}
	s := ""
	for _, p := range path {
		s += "/" + p
	}
	return s
}

func (f *boltFile) walkPage(id uint64, path []string, seen map[uint64]bool, depth int, v treeVisitor) {
	where := pathName(path)
	if depth > maxTreeDepth || seen[id] {
		v.damaged(where, i18n.E("dbfile.loop", nil, id))
		return
	}
	seen[id] = true
	p, err := f.page(id)
	if err != nil {
		v.damaged(where, err)
		return
	}
	if v.pageSeen != nil {
		v.pageSeen(id, int(p.overflow)+1)
	}
	switch p.flags {
	case pageLeaf:
		f.walkLeaf(p, path, seen, depth, v)
	case pageBranch:
		le := binary.LittleEndian
		if pageHeaderSize+int(p.count)*branchElementSize > len(p.data) {
			v.damaged(where, i18n.E("dbfile.elements", nil, id))
			return
		}
		for i := 0; i < int(p.count); i++ {
			e := pageHeaderSize + i*branchElementSize
			f.walkPage(le.Uint64(p.data[e+8:]), path, seen, depth+1, v)
		}
	default:
		v.damaged(where, i18n.E("dbfile.not_tree", nil, id))
	}
}

func (f *boltFile) walkLeaf(p *page, path []string, seen map[uint64]bool, depth int, v treeVisitor) {
	le := binary.LittleEndian
	where := pathName(path)
	if pageHeaderSize+int(p.count)*leafElementSize > len(p.data) {
		v.damaged(where, i18n.E("dbfile.elements", nil, p.id))
		return
	}
	for i := 0; i < int(p.count); i++ {
		e := pageHeaderSize + i*leafElementSize
		flags, pos := le.Uint32(p.data[e:]), uint64(le.Uint32(p.data[e+4:]))
		ksize, vsize := uint64(le.Uint32(p.data[e+8:])), uint64(le.Uint32(p.data[e+12:]))
		start := uint64(e) + pos
		if start+ksize+vsize > uint64(len(p.data)) {
			v.damaged(where, i18n.E("dbfile.element", nil, i, p.id))
			continue
		}
		key := append([]byte(nil), p.data[start:start+ksize]...)
		value := append([]byte(nil), p.data[start+ksize:start+ksize+vsize]...)
		bucket := flags&leafBucket != 0
		if v.entry(path, key, value, bucket) && bucket {
			f.walkBucket(append(append([]string(nil), path...), string(key)), value, seen, depth, v)
		}
	}
}
