//go:build !unix

package files

import "errors"

var errNoFIFOs = errors.New("no FIFOs or device nodes here")

func mkfifo(string) error    { return errNoFIFOs }
func mknodNull(string) error { return errNoFIFOs }
