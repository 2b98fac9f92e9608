package brp

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"

	"pkiodesk/app/cert"
)

// TokenInfo is what the connection test shows of a token: never the token.
type TokenInfo struct {
	TokenType string
	Scope     string
	ExpiresIn int
	// Claims are the access token's claims when it is a readable JWT.
	Claims         []Claim
	ClaimsReadable bool
}

// Claim is one claim of the token, its value as text.
type Claim struct{ Name, Value string }

// Claim returns a claim's value by name.
func (t TokenInfo) Claim(name string) (string, bool) {
	for _, c := range t.Claims {
		if c.Name == name {
			return c.Value, true
		}
	}
	return "", false
}

const (
	maxTokenResponse = 64 << 10
	maxClaims        = 64
	maxClaimValue    = 200
)

var (
	errTokenResponse = errors.New("token response is not an OAuth token")
	errNoAccessToken = errors.New("token response holds no access_token")
)

// ParseTokenResponse reads an OAuth token response (RFC 6749 5.1). The
// access token itself is only looked into for its claims and is wiped; the
// caller wipes data.
func ParseTokenResponse(data []byte) (TokenInfo, error) {
	if len(data) > maxTokenResponse {
		return TokenInfo{}, errTokenResponse
	}
	var raw struct {
		AccessToken json.RawMessage `json:"access_token"`
		TokenType   string          `json:"token_type"`
		ExpiresIn   json.RawMessage `json:"expires_in"`
		Scope       string          `json:"scope"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return TokenInfo{}, errTokenResponse
	}
	defer wipe(raw.AccessToken)
	tok, ok := jsonStringBytes(raw.AccessToken)
	if !ok || len(tok) == 0 {
		return TokenInfo{}, errNoAccessToken
	}
	defer wipe(tok)
	info := TokenInfo{TokenType: cert.Printable(trim(raw.TokenType, 40)), Scope: cert.PrintableMax(raw.Scope, 300)}
	if len(raw.ExpiresIn) > 0 {
		// Some servers send the number as a string.
		s := strings.Trim(string(raw.ExpiresIn), `"`)
		if n, err := strconv.Atoi(s); err == nil && n >= 0 {
			info.ExpiresIn = n
		}
	}
	info.Claims, info.ClaimsReadable = jwtClaims(tok)
	return info, nil
}

// jsonStringBytes returns the bytes of a JSON string without making a Go
// string of it; escapes (never in a JWT) take the slow path.
func jsonStringBytes(raw json.RawMessage) ([]byte, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return nil, false
	}
	inner := raw[1 : len(raw)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return slices.Clone(inner), true
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return nil, false
	}
	return []byte(s), true
}

// jwtClaims decodes the payload of a signed JWT (header.payload.signature).
// An encrypted or opaque token has no readable claims.
func jwtClaims(tok []byte) ([]Claim, bool) {
	parts := bytes.Split(tok, []byte("."))
	if len(parts) != 3 {
		return nil, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(string(parts[1]), "="))
	if err != nil {
		return nil, false
	}
	defer wipe(payload)
	var m map[string]json.RawMessage
	if json.Unmarshal(payload, &m) != nil {
		return nil, false
	}
	claims := make([]Claim, 0, len(m))
	for name, v := range m {
		if len(claims) == maxClaims {
			break
		}
		claims = append(claims, Claim{Name: cert.Printable(trim(name, 60)), Value: claimText(v)})
	}
	slices.SortFunc(claims, func(a, b Claim) int { return strings.Compare(a.Name, b.Name) })
	return claims, true
}

// claimText renders a claim value: a string as it is, a list joined, other
// JSON compacted; printable and cut to a readable length.
func claimText(v json.RawMessage) string {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return cert.PrintableMax(s, maxClaimValue)
	}
	var list []any
	if json.Unmarshal(v, &list) == nil {
		parts := make([]string, 0, len(list))
		for _, e := range list {
			if str, ok := e.(string); ok {
				parts = append(parts, str)
			} else {
				b, _ := json.Marshal(e)
				parts = append(parts, string(b))
			}
		}
		return cert.PrintableMax(strings.Join(parts, ", "), maxClaimValue)
	}
	var b bytes.Buffer
	if json.Compact(&b, v) != nil {
		return "?"
	}
	return cert.PrintableMax(b.String(), maxClaimValue)
}

// OAuthError is the error body of a token endpoint (RFC 6749 5.2).
type OAuthError struct {
	Code        string
	Description string
}

// ParseOAuthError reads an error response; anything else gives a zero value.
func ParseOAuthError(data []byte) OAuthError {
	if len(data) > maxTokenResponse {
		return OAuthError{}
	}
	var raw struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if json.Unmarshal(data, &raw) != nil {
		return OAuthError{}
	}
	return OAuthError{Code: cert.Printable(trim(raw.Error, 60)), Description: cert.PrintableMax(raw.Description, 200)}
}

func wipe(b []byte) {
	for i := range b {
		b[i] = 0
	}
}
