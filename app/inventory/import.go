package inventory

import (
	"context"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/org"
	"pkiodesk/app/store"
)

// ImportOptions tune an import.
type ImportOptions struct {
	P12Password string
	// Owner, when set, is the organisation: certificates that are not its
	// own (NotOwn) are reported in Report.Foreign and, unless KeepForeign,
	// not stored.
	Owner       *org.Organisation
	KeepForeign bool
	// Compact leaves Added, Duplicates and Issuers of the report empty and
	// fills Lines instead: an import of 100,000 certificates then keeps a
	// short line per certificate, not the certificate.
	Compact bool
	// Handlers take files of other kinds (a revocation list) in the same
	// import; a file no handler accepts is decoded as certificates.
	Handlers []Handler
	// store tunes the store's import (tests use small transactions).
	store store.ImportOptions
}

// Handler imports files of another kind than certificates. Accepts and
// Prepare run on the import's worker goroutines, in parallel; Store runs in
// the import's last transaction, so that the file lands with the rest or
// not at all.
type Handler interface {
	// Extensions are the file name extensions (".crl") import takes from
	// a folder for this handler.
	Extensions() []string
	// Accepts tells whether the handler reads this file.
	Accepts(name string, data []byte) bool
	// Prepare parses the file.
	Prepare(ctx context.Context, name string, data []byte) (Prepared, error)
}

// Prepared is a parsed file of a Handler, waiting to be stored.
type Prepared interface {
	// Store writes it in the import's transaction and says what it stored.
	Store(tx *store.Tx) (note error, err error)
}

// Rejection is input that was not imported, and why.
type Rejection struct {
	Source string
	Err    error
}

// Notice is something to tell about an imported file (a private key that
// was not stored, what a handler stored).
type Notice struct {
	Source string
	Note   error
}

// Outcome is what happened to one certificate.
type Outcome int

const (
	OutcomeAdded Outcome = iota
	OutcomeIssuer
	OutcomeDuplicate
)

// Line is one certificate of a compact report.
type Line struct {
	Outcome Outcome
	Kind    cert.Kind
	Name    string // Common Name
	Source  string // file name
	SHA256  string
}

// AddedKeys are the fingerprints of the certificates an import added, from
// the report's certificates or, for a compact report, its lines.
func (r *Report) AddedKeys() []string {
	var keys []string
	for _, c := range r.Added {
		keys = append(keys, c.SHA256)
	}
	for _, l := range r.Lines {
		if l.Outcome == OutcomeAdded {
			keys = append(keys, l.SHA256)
		}
	}
	return keys
}

// Counts sums up an import.
type Counts struct {
	Added, Duplicates, Rejected, Issuers int
}

// Report tells what an import did.
type Report struct {
	Added      []cert.Certificate
	Duplicates []cert.Certificate
	Issuers    []cert.Certificate // CA certificates newly stored as issuers
	Rejected   []Rejection
	Notices    []Notice
	Skipped    []Skipped
	Lines      []Line // with ImportOptions.Compact
	Counts     Counts
	// Foreign are certificates of another organisation (see ImportOptions.Owner).
	Foreign []Foreign
}

// Import decodes the inputs and stores the new certificates. Files are read
// and decoded one at a time by as many workers as there are processors, so
// memory stays bounded by a few files; certificates are stored in batches
// that still land together (store.Import): a crash leaves all of this
// import or none of it. A file that cannot be read or decoded is rejected
// without stopping the others. Inputs with a Path are read here.
func (s *Service) Import(ctx context.Context, inputs []Input, opt ImportOptions) (Report, error) {
	im := &importer{s: s, opt: opt, imp: s.store.BeginImport(opt.store), seen: make(map[string]bool), now: s.now().UTC()}
	s.mu.RLock()
	im.keepRows = s.loaded
	s.mu.RUnlock()
	err := im.run(ctx, inputs)
	if err != nil {
		if aerr := im.imp.Abort(ctx); aerr != nil {
			return Report{}, aerr
		}
		if ctx.Err() != nil {
			return Report{}, i18n.E("err.context_canceled", ctx.Err())
		}
		return Report{}, err
	}
	return im.rep, nil
}

type importer struct {
	s        *Service
	opt      ImportOptions
	imp      store.Import
	now      time.Time
	seen     map[string]bool
	prepared []prepared
	rep      Report
	// queued are the certificates handed to the store, in input order:
	// whole (for a report with certificates, or the rows of a loaded
	// inventory) or as a line.
	queued   []cert.Certificate
	lines    []queuedLine
	keepRows bool
}

type queuedLine struct {
	key  string
	line Line
}

type prepared struct {
	source string
	p      Prepared
}

// decoded is what a worker made of one input.
type decoded struct {
	idx      int
	name     string
	entries  []store.Entry
	problems []error
	keys     int
	prepared Prepared
	err      error
}

// chunks groups the inputs into runs of work for one worker: small files
// together (a folder of 2,000 PEM files is 2,000 tiny jobs otherwise, and
// handing them over costs more than decoding them), a large file alone.
func chunks(inputs []Input) [][2]int {
	const chunkBytes, chunkFiles = 1 << 20, 64
	var out [][2]int
	start, size := 0, int64(0)
	for i, in := range inputs {
		n := in.Size
		if in.Data != nil {
			n = int64(len(in.Data))
		}
		if i > start && (size+n > chunkBytes || i-start == chunkFiles) {
			out = append(out, [2]int{start, i})
			start, size = i, 0
		}
		size += n
	}
	if start < len(inputs) {
		out = append(out, [2]int{start, len(inputs)})
	}
	return out
}

func (im *importer) run(ctx context.Context, inputs []Input) error {
	workers := max(1, runtime.GOMAXPROCS(0))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	work := chunks(inputs)
	// tokens bound the chunks read but not yet queued in the store.
	tokens := make(chan struct{}, workers+1)
	jobs := make(chan int)
	type done struct {
		chunk int
		files []decoded
	}
	results := make(chan done, workers+1)
	var wg sync.WaitGroup
	go func() {
		defer close(jobs)
		for c := range work {
			select {
			case tokens <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- c:
			case <-ctx.Done():
				return
			}
		}
	}()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			names := cert.IssuerNames{}
			for c := range jobs {
				files := make([]decoded, 0, work[c][1]-work[c][0])
				for i := work[c][0]; i < work[c][1]; i++ {
					files = append(files, im.decode(ctx, i, inputs[i], names))
				}
				results <- done{c, files}
			}
		}()
	}
	go func() { wg.Wait(); close(results) }()

	pending := make(map[int][]decoded)
	next := 0
	var err error
	for r := range results {
		if err != nil {
			continue // drain
		}
		pending[r.chunk] = r.files
		for err == nil {
			files, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			<-tokens
			for _, d := range files {
				if err = im.take(ctx, d); err != nil {
					cancel()
					break
				}
			}
		}
	}
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return im.finish(ctx)
}

// decode reads (when needed) and decodes one input; it runs on a worker,
// with names of its own.
func (im *importer) decode(ctx context.Context, idx int, in Input, names cert.IssuerNames) decoded {
	d := decoded{idx: idx, name: in.Name}
	if ctx.Err() != nil {
		d.err = ctx.Err()
		return d
	}
	data := in.Data
	if in.Err != nil {
		d.err = in.Err
		return d
	}
	if data == nil && in.Path != "" {
		var err error
		if data, err = readListed(in.Path, in.listed, cert.MaxFileSize); err != nil {
			d.err = err
			return d
		}
	}
	for _, h := range im.opt.Handlers {
		if h.Accepts(in.Name, data) {
			d.prepared, d.err = h.Prepare(ctx, in.Name, data)
			return d
		}
	}
	dec, err := cert.Decode(data, im.opt.P12Password)
	if err != nil {
		d.err = err
		return d
	}
	d.problems, d.keys = dec.Problems, dec.PrivateKeys
	source := filepath.Base(in.Name)
	d.entries = make([]store.Entry, 0, len(dec.Certs))
	for _, x := range dec.Certs {
		c := names.FromX509(x)
		c.ImportedAt, c.Source = im.now, source
		d.entries = append(d.entries, store.Entry{Cert: c, DER: x.Raw})
	}
	return d
}

// take adds one decoded input to the import, in input order.
func (im *importer) take(ctx context.Context, d decoded) error {
	if d.err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		im.reject(d.name, d.err)
		return nil
	}
	for _, p := range d.problems {
		im.reject(d.name, p)
	}
	if d.keys > 0 {
		im.rep.Notices = append(im.rep.Notices, Notice{d.name, i18n.E("import.keys_not_stored", nil, d.keys)})
	}
	if d.prepared != nil {
		im.prepared = append(im.prepared, prepared{d.name, d.prepared})
	}
	fresh := d.entries[:0]
	for _, e := range d.entries {
		if im.seen[e.Cert.SHA256] {
			im.count(OutcomeDuplicate, e.Cert)
			continue
		}
		im.seen[e.Cert.SHA256] = true
		if f := im.s.foreign(ctx, e.Cert, e.DER, im.opt); f != nil {
			im.rep.Foreign = append(im.rep.Foreign, *f)
			if !im.opt.KeepForeign {
				continue
			}
		}
		fresh = append(fresh, e)
		if im.opt.Compact && !im.keepRows {
			im.lines = append(im.lines, queuedLine{e.Cert.SHA256, Line{Kind: e.Cert.Kind, Name: e.Cert.CommonName, Source: e.Cert.Source, SHA256: e.Cert.SHA256}})
		} else {
			im.queued = append(im.queued, e.Cert)
		}
	}
	return im.imp.Add(ctx, fresh)
}

func (im *importer) finish(ctx context.Context) error {
	var notices []Notice
	dups, err := im.imp.Finish(ctx, func(tx *store.Tx) error {
		notices = notices[:0]
		for _, p := range im.prepared {
			note, err := p.p.Store(tx)
			if err != nil {
				return i18n.E("import.handler_failed", err, p.source)
			}
			if note != nil {
				notices = append(notices, Notice{p.source, note})
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	im.rep.Notices = append(im.rep.Notices, notices...)
	var own []cert.Certificate
	for _, c := range im.queued {
		switch {
		case dups[c.SHA256]:
			im.count(OutcomeDuplicate, c)
		case c.Kind == cert.KindCA:
			im.count(OutcomeIssuer, c)
		default:
			im.count(OutcomeAdded, c)
			own = append(own, c)
		}
	}
	for _, q := range im.lines {
		o := OutcomeAdded
		switch {
		case dups[q.key]:
			o = OutcomeDuplicate
		case q.line.Kind == cert.KindCA:
			o = OutcomeIssuer
		}
		im.countLine(o, q.line)
	}
	if im.keepRows {
		im.s.add(own)
	}
	return nil
}

func (im *importer) reject(source string, err error) {
	im.rep.Rejected = append(im.rep.Rejected, Rejection{Source: source, Err: err})
	im.rep.Counts.Rejected++
}

func (im *importer) count(o Outcome, c cert.Certificate) {
	if im.opt.Compact {
		im.countLine(o, Line{Kind: c.Kind, Name: c.CommonName, Source: c.Source, SHA256: c.SHA256})
		return
	}
	tally(&im.rep.Counts, o)
	switch o {
	case OutcomeAdded:
		im.rep.Added = append(im.rep.Added, c)
	case OutcomeIssuer:
		im.rep.Issuers = append(im.rep.Issuers, c)
	case OutcomeDuplicate:
		im.rep.Duplicates = append(im.rep.Duplicates, c)
	}
}

// countLine counts a certificate known by its line only.
func (im *importer) countLine(o Outcome, l Line) {
	tally(&im.rep.Counts, o)
	l.Outcome = o
	im.rep.Lines = append(im.rep.Lines, l)
}

func tally(c *Counts, o Outcome) {
	switch o {
	case OutcomeAdded:
		c.Added++
	case OutcomeIssuer:
		c.Issuers++
	case OutcomeDuplicate:
		c.Duplicates++
	}
}
