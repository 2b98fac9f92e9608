//go:build !linux

package files

import "os"

// createUnnamed is Linux's (O_TMPFILE); elsewhere the temporary file has a
// name from the start.
func createUnnamed(string, os.FileMode) (*os.File, func() (string, error), bool) {
	return nil, nil, false
}
