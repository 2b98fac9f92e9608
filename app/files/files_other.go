//go:build !unix

package files

import (
	"io/fs"
	"os"
)

// NoWait is O_NONBLOCK where FIFOs exist.
const NoWait = 0

const openReadFlags = os.O_RDONLY

func syncDir(string) {}

func readDirect(string, fs.FileInfo, int64) ([]byte, bool, error) { return nil, false, nil }
