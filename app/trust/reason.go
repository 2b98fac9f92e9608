package trust

import (
	"fmt"

	"pkiodesk/app/i18n"
)

// Reason is a revocation reason code (RFC 5280 CRLReason).
type Reason int

var reasonNames = map[Reason]string{
	0: "unspecified", 1: "keyCompromise", 2: "cACompromise", 3: "affiliationChanged", 4: "superseded",
	5: "cessationOfOperation", 6: "certificateHold", 8: "removeFromCRL", 9: "privilegeWithdrawn", 10: "aACompromise",
}

// String is the reason's RFC 5280 name, which the inventory stores.
func (r Reason) String() string {
	if n, ok := reasonNames[r]; ok {
		return n
	}
	return fmt.Sprintf("reason-%d", int(r))
}

// ReasonText words a stored reason name (RFC 5280) in the user's language;
// an unknown name is shown as it is.
func ReasonText(l i18n.Lang, name string) string {
	key := "trust.reason." + name
	if t := i18n.T(l, key); t != key {
		return t
	}
	return name
}

// ParseReason reads a reason's RFC 5280 name; an unknown name is unspecified.
func ParseReason(name string) Reason {
	for r, n := range reasonNames {
		if n == name {
			return r
		}
	}
	return 0
}
