//go:build unix

package files

import (
	"io/fs"
	"os"
	"syscall"

	"pkiodesk/app/i18n"
)

// NoWait (O_NONBLOCK) makes opening a FIFO return at once instead of
// waiting for a writer; on a regular file it changes nothing.
const NoWait = syscall.O_NONBLOCK

const openReadFlags = os.O_RDONLY | NoWait

// syncDir makes a rename in dir durable.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// readDirect reads a small regular file with four system calls (open,
// fstat, read, close), without what an *os.File adds (a poller
// registration that fails for regular files, a finalizer): an import of
// 2,000 small files makes 8,000 calls instead of 14,000. done is false when
// it cannot tell the file from the listing apart and the caller should
// read it the ordinary way.
func readDirect(path string, listed fs.FileInfo, limit int64) (data []byte, done bool, err error) {
	want, ok := listed.Sys().(*syscall.Stat_t)
	if !ok {
		return nil, false, nil
	}
	var fd int
	for {
		fd, err = syscall.Open(path, syscall.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return nil, true, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return nil, true, &fs.PathError{Op: "stat", Path: path, Err: err}
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG || st.Dev != want.Dev || st.Ino != want.Ino {
		// Swapped for something else since it was listed.
		return nil, true, NotRegular(path, fs.ModeIrregular)
	}
	if st.Size > limit {
		return nil, true, i18n.E("err.file_too_large", nil, limit>>20)
	}
	buf := make([]byte, st.Size)
	n := 0
	for n < len(buf) {
		m, err := syscall.Read(fd, buf[n:])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, true, &fs.PathError{Op: "read", Path: path, Err: err}
		}
		if m == 0 {
			break
		}
		n += m
	}
	return buf[:n], true, nil
}
