package brp

import (
	"encoding/base64"
	"strings"
	"testing"
	"unicode/utf8"
)

// A key reference read back from its own rendering is the same reference,
// and nothing makes the parser panic.
func FuzzParseKeyRef(f *testing.F) {
	for _, s := range []string{
		"pkcs11:token=Gateway;object=brp%20sleutel;type=private", "pkcs11:serial=1234?module-path=/usr/lib/softhsm/libsofthsm2.so",
		"/etc/pki/gateway.key", "file:pkcs11:odd", "pkcs11:token=a;token=b", "pkcs11:token=%zz", "pkcs11:token=x?pin-value=1",
		"pkcs11:token=%E2%82%AC;object=%3B%3F%26",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParseKeyRef(s)
		if err != nil {
			return
		}
		again, err := ParseKeyRef(k.String())
		if err != nil || again != k {
			t.Fatalf("%q -> %+v -> %q -> %+v, %v", s, k, k.String(), again, err)
		}
	})
}

// Stored records are read as untrusted input: a record either decodes to
// an afnemer that passes validation, or gives an error.
func FuzzDecodeAfnemer(f *testing.F) {
	good, _ := encodeAfnemer(Afnemer{ID: "510193", Name: "Gemeente", OIN: "00000001002564440000", Endpoints: []Endpoint{EndpointBRP}, Hosts: []string{"gw.gemeente.nl"}})
	f.Add("510193", good)
	f.Add("510193", []byte(`{"v":1,"afnemer":{"afnemerID":"510193","hosts":["a..b"]}}`))
	f.Add("x", []byte(`{"v":99}`))
	f.Fuzz(func(t *testing.T, key string, v []byte) {
		a, err := decodeAfnemer(key, v)
		if err != nil {
			return
		}
		if a.ID != key || a.Validate() != nil {
			t.Fatalf("decoded an invalid afnemer %+v", a)
		}
	})
}

// Token responses come from the network: parsing never panics, and the
// shown values are printable text of bounded length.
func FuzzParseTokenResponse(f *testing.F) {
	enc := base64.RawURLEncoding
	jwt := enc.EncodeToString([]byte(`{"alg":"none"}`)) + "." + enc.EncodeToString([]byte(`{"OIN":"00000001002564440000","afnemerID":"000008","aud":["a","b"],"n":1}`)) + ".c2ln"
	f.Add([]byte(`{"access_token":"` + jwt + `","token_type":"Bearer","expires_in":3599,"scope":"510193-00000001002564440000"}`))
	f.Add([]byte(`{"access_token":"opaque","expires_in":"60"}`))
	f.Add([]byte(`{"access_token":"a\u002eb.c"}`))
	f.Add([]byte(`{"error":"invalid_scope","error_description":"nee"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := ParseTokenResponse(data)
		oe := ParseOAuthError(data)
		if err != nil {
			return
		}
		check := func(s string) {
			if !utf8.ValidString(s) || strings.ContainsAny(s, "\x00\x1b\n") || utf8.RuneCountInString(s) > 301 {
				t.Fatalf("unprintable or long value %q", s)
			}
		}
		check(info.Scope)
		check(info.TokenType)
		check(oe.Code)
		check(oe.Description)
		if len(info.Claims) > maxClaims {
			t.Fatalf("%d claims", len(info.Claims))
		}
		for _, c := range info.Claims {
			check(c.Name)
			check(c.Value)
		}
	})
}

// Host names from users and files: valid ones are plain lower-case DNS names.
func FuzzValidateHost(f *testing.F) {
	for _, s := range []string{"gw.voorbeeldstad.nl", "xn--bcher-kva.nl", "a-.nl", "*.nl", "10.0.0.1", "::1", strings.Repeat("a.", 130)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		if ValidateHost(h) != nil {
			return
		}
		if len(h) > 253 || strings.ContainsAny(h, "*: /") || strings.ToLower(h) != h || !strings.Contains(h, ".") {
			t.Fatalf("accepted %q", h)
		}
	})
}
