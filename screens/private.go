package screens

import (
	"os"
	"path/filepath"
	"sync"
)

// privateFiles is the one private folder of a window for files it hands
// to other programs (the PDF reader, the print command): made on first
// use, reused after that, and removed when the page that wrote them is
// left, at logout and when pkiodesk stops.
type privateFiles struct {
	mu  sync.Mutex
	dir string
}

// write puts data in the folder under name (a base name) and returns its
// path; only the user can read it.
func (p *privateFiles) write(name string, data []byte) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.dir == "" {
		dir, err := os.MkdirTemp("", "pkiodesk-")
		if err != nil {
			return "", err
		}
		p.dir = dir
	}
	path := filepath.Join(p.dir, filepath.Base(name))
	return path, os.WriteFile(path, data, 0o600)
}

// remove deletes the folder and what is in it.
func (p *privateFiles) remove() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.dir != "" {
		_ = os.RemoveAll(p.dir)
		p.dir = ""
	}
}
