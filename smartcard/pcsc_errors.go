package smartcard

import (
	"errors"
	"runtime"

	"github.com/ebfe/scard"

	"pkiodesk/app/i18n"
)

// platformPCSCError names a PC/SC failure as Windows names its card service:
// the Smart Card service (SCardSvr), which Windows stops while no reader is
// connected. It returns nil for what pcscError words in general (pcsc-lite's
// pcscd elsewhere).
func platformPCSCError(err error) error { return pcscMessage(runtime.GOOS, err) }

func pcscMessage(goos string, err error) error {
	var code scard.Error
	if goos != "windows" || !errors.As(err, &code) {
		return nil
	}
	switch code {
	case scard.ErrNoReadersAvailable:
		return i18n.E("card.no_readers", nil)
	case scard.ErrNoService, scard.ErrServiceStopped:
		return i18n.E("card.service_not_running", err)
	}
	return i18n.E("card.pcsc_windows", err)
}
