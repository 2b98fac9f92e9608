package i18n

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"syscall"
)

// systemErrors map the operating system's and the standard library's
// common errors to texts of our own, so that a Dutch message never ends in
// English ("is a directory", "context canceled").
var systemErrors = []struct {
	err error
	key string
}{
	{context.Canceled, "sys.canceled"},
	{context.DeadlineExceeded, "sys.deadline"},
	{fs.ErrNotExist, "sys.not_exist"},
	{fs.ErrPermission, "sys.permission"},
	{fs.ErrExist, "sys.exist"},
	{syscall.EISDIR, "sys.is_dir"},
	{syscall.ENOTDIR, "sys.not_dir"},
	{syscall.ENOSPC, "sys.no_space"},
	{syscall.EDQUOT, "sys.quota"},
	{syscall.EFBIG, "sys.file_too_big"},
	{syscall.EROFS, "sys.read_only_fs"},
	{syscall.EIO, "sys.io"},
	{syscall.EMFILE, "sys.too_many_files"},
	{syscall.ENAMETOOLONG, "sys.name_too_long"},
	{syscall.ELOOP, "sys.link_loop"},
	{syscall.EPIPE, "sys.broken_pipe"},
	{syscall.EAGAIN, "sys.would_block"},
	{io.ErrUnexpectedEOF, "sys.unexpected_eof"},
}

// systemText renders an error that carries no key of ours: a known system
// error in the user's language (with the path it concerns), else its own text.
func systemText(l Lang, err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Path != "" {
		if text, ok := knownSystemError(l, pe.Err); ok {
			return pe.Path + ": " + text
		}
	}
	if text, ok := knownSystemError(l, err); ok {
		return text
	}
	return err.Error()
}

func knownSystemError(l Lang, err error) (string, bool) {
	var ue *Error
	if errors.As(err, &ue) {
		return ue.Localize(l), true
	}
	for _, s := range systemErrors {
		if errors.Is(err, s.err) {
			return T(l, s.key), true
		}
	}
	return "", false
}
