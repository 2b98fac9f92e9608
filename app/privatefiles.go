package app

import (
	"pkiodesk/app/i18n"
	"pkiodesk/app/privatefiles"
)

// PrivateFile writes a document handed to another program (the PDF
// viewer, the print command) to this process's private folder and returns
// its path: a signed change form with ID copies, an order's PDF.
func (a *App) PrivateFile(name string, data []byte) (string, error) {
	path, err := a.files.Write(name, data)
	if err != nil {
		return "", i18n.E("org.doc.file", err)
	}
	return path, nil
}

// RemovePrivateFiles deletes the private folder and every file in it:
// when the page that showed them closes, at logout or when the card is
// pulled, and when pkiodesk ends.
func (a *App) RemovePrivateFiles() error { return a.files.RemoveAll() }

// RemovePrivateLeftovers deletes the private folders that earlier
// pkiodesk processes of this user left behind (a crash, a power cut);
// those of a running pkiodesk stay.
func (a *App) RemovePrivateLeftovers() error {
	_, err := privatefiles.RemoveLeftovers(a.files.Base())
	return err
}
