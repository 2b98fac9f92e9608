package org

import (
	"errors"
	"testing"

	"pkiodesk/app/i18n"
)

// A chosen file that could not be read says why, not "empty".
func TestAChosenIDCopyThatCouldNotBeReadSaysWhy(t *testing.T) {
	tooLarge := i18n.E("err.file_too_large", nil, 10)
	if _, err := ValidateChosenIDCopy("paspoort.jpg", nil, tooLarge); !i18n.Is(err, "org.id_copy.too_large") {
		t.Errorf("too large: %v", err)
	}
	unreadable := i18n.E("err.file_read", errors.New("permission denied"))
	_, err := ValidateChosenIDCopy("paspoort.jpg", nil, unreadable)
	if !i18n.Is(err, "org.id_copy.unreadable") || !errors.Is(err, unreadable) {
		t.Errorf("unreadable: %v", err)
	}
	if _, err := ValidateChosenIDCopy("paspoort.jpg", nil, nil); !i18n.Is(err, "org.id_copy.empty") {
		t.Errorf("really empty: %v", err)
	}
}
