package screens

// removePrivateFiles deletes the files handed to the PDF reader or the
// printer (the app's private folder of this process): when the page that
// wrote them is left, at logout and when pkiodesk stops.
func (u *ui) removePrivateFiles() { _ = u.core.RemovePrivateFiles() }
