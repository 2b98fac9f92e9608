package smartcard

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pkiodesk/app/i18n"
	"pkiodesk/internal/fixture"
	"pkiodesk/internal/testpki"
	"pkiodesk/smartcard/softhsm"
)

const testPIN = "246810"

// card is one SoftHSM token for this test binary (SOFTHSM2_CONF is read by
// the module once per process), made in TestMain.
var card struct {
	softhsm.Card
	err error
}

func TestMain(m *testing.M) {
	dir, _ := os.MkdirTemp("", "smartcard-softhsm-")
	card.Card, card.err = provision(dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func provision(dir string) (softhsm.Card, error) {
	who := testpki.Person{GivenName: "Noëlle", Surname: "Visser", Email: "n.visser@voorbeeldstad.nl", Organization: "Gemeente Voorbeeldstad", Number: "PN-100245"}
	return softhsm.ProvisionTestCard(context.Background(), dir, "PKIo kaart", testPIN, who)
}

func needCard(t testing.TB) softhsm.Card {
	t.Helper()
	if card.err != nil {
		fixture.Missing(t, "SoftHSM card: %v", card.err)
	}
	return card.Card
}

func pin(s string) []byte { return []byte(s) }

// loginByLabel is what the CLI does: find the token by label, then log in to
// it. The PIN is wiped on every path.
func loginByLabel(m *Manager, module, label string, pin []byte) (*Session, error) {
	tok, err := m.Token(module, label)
	if err != nil {
		wipe(pin)
		return nil, err
	}
	return m.LoginToken(context.Background(), tok, pin)
}

func TestTokensShowPINStateBeforeLogin(t *testing.T) {
	c := needCard(t)
	m := NewManager()
	tok, err := m.Token(c.Module, "PKIo kaart")
	if err != nil {
		t.Fatal(err)
	}
	if tok.PIN.Locked || tok.PIN.FinalTry || !tok.PIN.LoginNeeded || tok.Label != "PKIo kaart" {
		t.Errorf("token: %+v", tok)
	}
	if _, err := m.Token(c.Module, "bestaat niet"); !i18n.Is(err, "card.token_not_found") {
		t.Errorf("unknown label: %v", err)
	}
}

func TestLoginSignAndLogout(t *testing.T) {
	c := needCard(t)
	m := NewManager()
	p := pin(testPIN)
	s, err := loginByLabel(m, c.Module, "PKIo kaart", p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(p, make([]byte, len(p))) {
		t.Error("PIN buffer not wiped after login")
	}
	certs := s.Certificates()
	if len(certs) != 2 {
		t.Fatalf("%d certificates on the card", len(certs))
	}
	auth, _ := s.Pick(UsageAuthentication)
	sign, _ := s.Pick(UsageSignature)
	if auth.Cert.SerialNumber.Cmp(c.Auth.SerialNumber) != 0 || sign.Cert.SerialNumber.Cmp(c.Sign.SerialNumber) != 0 {
		t.Errorf("usages: auth %s, sign %s", auth.Cert.Subject, sign.Cert.Subject)
	}
	if auth.Cert.Subject.SerialNumber != "PN-100245" {
		t.Errorf("OIN %q", auth.Cert.Subject.SerialNumber)
	}
	digest := sha256.Sum256([]byte("bestelling"))
	rsaSigner := s.Signer(auth, c.PKI.Issuer, c.PKI.Root)
	if len(rsaSigner.Chain) != 3 {
		t.Errorf("chain of %d", len(rsaSigner.Chain))
	}
	pub := rsaSigner.Public().(*rsa.PublicKey)
	sig, err := rsaSigner.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil || rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig) != nil {
		t.Errorf("RSA PKCS#1 v1.5: %v", err)
	}
	pss := &rsa.PSSOptions{SaltLength: 32, Hash: crypto.SHA256}
	sig, err = rsaSigner.Sign(rand.Reader, digest[:], pss)
	if err != nil || rsa.VerifyPSS(pub, crypto.SHA256, digest[:], sig, pss) != nil {
		t.Errorf("RSA-PSS: %v", err)
	}
	ecSigner := s.Signer(sign)
	sig, err = ecSigner.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil || !ecdsa.VerifyASN1(ecSigner.Public().(*ecdsa.PublicKey), digest[:], sig) {
		t.Errorf("ECDSA: %v", err)
	}
	s.Close()
	s.Close() // twice is fine
	if _, err := rsaSigner.Sign(rand.Reader, digest[:], crypto.SHA256); !i18n.Is(err, "card.removed") {
		t.Errorf("sign after close: %v", err)
	}
	// A new login after the old session closed works.
	s2, err := loginByLabel(m, c.Module, "PKIo kaart", pin(testPIN))
	if err != nil {
		t.Fatal(err)
	}
	s2.Close()
}

func TestWrongPINIsReportedAndNotRetried(t *testing.T) {
	c := needCard(t)
	m := NewManager()
	_, err := loginByLabel(m, c.Module, "PKIo kaart", pin("000000"))
	if !i18n.Is(err, "card.pin_wrong") && !i18n.Is(err, "card.pin_count_low") {
		t.Fatalf("wrong PIN: %v", err)
	}
	if msg := i18n.Localize(i18n.NL, err); !strings.Contains(msg, "onjuiste PIN") {
		t.Errorf("Dutch message %q", msg)
	}
	// The right PIN still works: one wrong try did not lock the token.
	s, err := loginByLabel(m, c.Module, "PKIo kaart", pin(testPIN))
	if err != nil {
		t.Fatalf("after one wrong PIN: %v", err)
	}
	s.Close()
	if _, err := loginByLabel(m, c.Module, "PKIo kaart", nil); !i18n.Is(err, "card.pin_empty") {
		t.Errorf("empty PIN: %v", err)
	}
}

// SoftHSM never reports a final try or a locked PIN: FakeTokenInfo does.
func TestLockedTokenIsNeverSentAPIN(t *testing.T) {
	c := needCard(t)
	m := NewManager().WithTokenInfo(func(real TokenInfoSource) TokenInfoSource {
		return FakeTokenInfo{Real: real, State: PINState{Locked: true, LoginNeeded: true}}
	})
	// The right PIN: had it been sent, the login would have succeeded.
	_, err := loginByLabel(m, c.Module, "PKIo kaart", pin(testPIN))
	if !i18n.Is(err, "card.pin_locked") {
		t.Fatalf("locked: %v", err)
	}
	if msg := i18n.Localize(i18n.NL, err); !strings.Contains(msg, "PUK") {
		t.Errorf("advice missing: %q", msg)
	}
}

func TestFinalTryIsSaidAfterAWrongPIN(t *testing.T) {
	c := needCard(t)
	m := NewManager().WithTokenInfo(func(real TokenInfoSource) TokenInfoSource {
		return FakeTokenInfo{Real: real, State: PINState{FinalTry: true, LoginNeeded: true}}
	})
	tok, _ := m.Token(c.Module, "PKIo kaart")
	if tok.PIN.Message() != "card.state_final_try" {
		t.Errorf("before typing: %s", tok.PIN.Message())
	}
	_, err := loginByLabel(m, c.Module, "PKIo kaart", pin("999999"))
	if !i18n.Is(err, "card.pin_final_try") {
		t.Fatalf("final try: %v", err)
	}
}

// Two tokens with the same label (two cards of one kind) cannot be told
// apart by label: the user is told so and what to do, not "not found".
func TestTwoTokensWithOneLabel(t *testing.T) {
	c := needCard(t)
	m := NewManager()
	for i := 0; i < 2; i++ {
		if _, err := softhsm.InitToken(context.Background(), c.ConfPath, "dubbel", "so-1", testPIN); err != nil {
			t.Fatal(err)
		}
	}
	ts, err := m.Tokens(c.Module)
	if err != nil {
		t.Fatal(err)
	}
	who := testpki.Person{GivenName: "Sem", Surname: "Bakker", Email: "s.bakker@voorbeeldstad.nl", Organization: "Gemeente Voorbeeldstad", Number: "PN-8"}
	for _, ti := range ts {
		if ti.Label != "dubbel" {
			continue
		}
		tok := softhsm.Token{Module: c.Module, Label: ti.Label, PIN: testPIN, ConfPath: c.ConfPath, Serial: ti.Serial}
		t.Cleanup(func() {
			if err := tok.Delete(context.Background()); err != nil {
				t.Error(err)
			}
		})
		if _, err := tok.AddKey([]byte{1}, "Authenticatie", softhsm.ECP256, func(pub crypto.PublicKey) (*x509.Certificate, error) {
			return c.PKI.Personal(pub, who, false)
		}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = loginByLabel(m, c.Module, "dubbel", pin(testPIN))
	if !i18n.Is(err, "card.label_twice") {
		t.Fatalf("login by a shared label: %v", err)
	}
	if msg := i18n.Localize(i18n.NL, err); !strings.Contains(msg, `2 kaarten of tokens heten "dubbel"`) {
		t.Errorf("message %q", msg)
	}
	// Chosen by slot (as the login screen does), each can be logged in to.
	var slots []uint
	for _, ti := range ts {
		if ti.Label != "dubbel" {
			continue
		}
		s, err := m.LoginToken(context.Background(), ti, pin(testPIN))
		if err != nil {
			t.Fatalf("login to slot %d: %v", ti.Slot, err)
		}
		slots = append(slots, s.Token().Slot)
		s.Close()
	}
	if len(slots) != 2 || slots[0] == slots[1] {
		t.Errorf("sessions on slots %v", slots)
	}
}

func TestMissingModule(t *testing.T) {
	m := NewManager()
	_, err := loginByLabel(m, "/nergens/libgeen.so", "", pin(testPIN))
	if !i18n.Is(err, "card.module_missing") {
		t.Fatalf("missing module: %v", err)
	}
}

func TestDiscoverModules(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "softhsm2.module"), []byte("# comment\nmodule: /opt/x/libsofthsm2.so\ncritical: no\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "opensc.module"), []byte("module: opensc-pkcs11.so\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "broken.module"), []byte("no module line"), 0o644)
	opensc := p11KitModulePath([]byte("module: opensc-pkcs11.so"), "linux")
	exists := func(p string) bool {
		return p == "/opt/x/libsofthsm2.so" || p == "/mine/libaetpkss.so" || p == "/usr/lib/libaetpkss.so.3" || p == opensc
	}
	got := DiscoverModules(DiscoverOptions{Configured: []string{"/mine/libaetpkss.so", "/mine/missing.so"}, P11KitDirs: []string{dir}, GOOS: "linux", Exists: exists})
	var paths []string
	for _, c := range got {
		paths = append(paths, string(c.Source)+":"+c.Path)
	}
	want := "configured:/mine/libaetpkss.so p11-kit:" + opensc + " p11-kit:/opt/x/libsofthsm2.so known:/usr/lib/libaetpkss.so.3"
	if strings.Join(paths, " ") != want {
		t.Errorf("got  %s\nwant %s", strings.Join(paths, " "), want)
	}
	if MiddlewareForATR([]byte{0x3B, 0xD5, 0x18, 0x00, 0x81, 0x31, 0xFE, 0x7D, 0x80, 0x73, 0xC8, 0x21, 0x10, 0xF4}) != "SafeNet / IDPrime" {
		t.Error("ATR hint")
	}
	if MiddlewareForATR([]byte{0x3B, 0x00}) != "" {
		t.Error("unknown ATR got a hint")
	}
}

func waitFor(t *testing.T, ch <-chan Event, kind EventKind, within time.Duration) Event {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case e := <-ch:
			if e.Kind == kind {
				return e
			}
		case <-deadline:
			t.Fatalf("no %s within %v", kind, within)
			return Event{}
		}
	}
}

func TestWatchSeesInsertAndRemoveWithinASecond(t *testing.T) {
	vc := fixture.NewVirtualCard(t)
	ctx, cancel := context.WithCancel(context.Background())
	events := make(chan Event, 16)
	done := make(chan error, 1)
	go func() { done <- Watch(ctx, func(e Event) { events <- e }) }()
	r := waitFor(t, events, ReaderAdded, 2*time.Second)
	if !strings.HasPrefix(r.Reader, "Virtual PCD") {
		t.Errorf("reader %q", r.Reader)
	}
	time.Sleep(400 * time.Millisecond) // let the watcher settle on the readers
	start := time.Now()
	vc.Insert()
	ins := waitFor(t, events, CardInserted, 2*time.Second)
	if len(ins.ATR) == 0 {
		t.Error("no ATR")
	}
	readers, err := ListReaders()
	if err != nil || len(readers) < 1 {
		t.Fatalf("ListReaders: %v %v", readers, err)
	}
	if !readers[0].CardPresent && !(len(readers) > 1 && readers[1].CardPresent) {
		t.Errorf("no card present in %+v", readers)
	}
	t.Logf("insertion seen after %v (including vicc start-up)", time.Since(start))
	start = time.Now()
	vc.Remove()
	waitFor(t, events, CardRemoved, time.Second)
	t.Logf("removal seen after %v", time.Since(start))
	cancel()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("Watch did not stop when its context ended")
	}
}

// The card session: insert -> login -> pull the card -> logged out, every
// signer dead; insert again -> a new login works without a restart.
func TestCardSessionEndsWhenTheCardIsPulled(t *testing.T) {
	c := needCard(t)
	vc := fixture.NewVirtualCard(t)
	cs := NewCardSession(NewManager())
	states, unsub := cs.Subscribe()
	defer unsub()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go cs.Run(ctx)
	wait := func(want State, within time.Duration) {
		t.Helper()
		deadline := time.After(within)
		for {
			select {
			case s := <-states:
				if s == want {
					return
				}
			case <-deadline:
				got, _ := cs.State()
				t.Fatalf("state %s, want %s within %v", got, want, within)
			}
		}
	}
	for round := 1; round <= 2; round++ {
		vc.Insert()
		wait(CardPresent, 3*time.Second)
		tok, err := cs.m.Token(c.Module, "PKIo kaart")
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		s, err := cs.LoginToken(context.Background(), tok, pin(testPIN))
		if err != nil {
			t.Fatalf("round %d login: %v", round, err)
		}
		wait(LoggedIn, time.Second)
		auth, _ := s.Pick(UsageAuthentication)
		signer := s.Signer(auth)
		d := sha256.Sum256([]byte("x"))
		if _, err := signer.Sign(rand.Reader, d[:], crypto.SHA256); err != nil {
			t.Fatalf("sign while logged in: %v", err)
		}
		vc.Remove()
		wait(LoggedOut, time.Second)
		if !s.Closed() {
			t.Error("session still open after the card was pulled")
		}
		if _, err := signer.Sign(rand.Reader, d[:], crypto.SHA256); !i18n.Is(err, "card.removed") {
			t.Errorf("sign after removal: %v", err)
		}
	}
}

// BenchmarkLoginAndSign: one login with the PIN and one RSA-2048 signature.
func BenchmarkLoginAndSign(b *testing.B) {
	c := needCard(b)
	m := NewManager()
	d := sha256.Sum256([]byte("x"))
	for i := 0; i < b.N; i++ {
		s, err := loginByLabel(m, c.Module, "PKIo kaart", pin(testPIN))
		if err != nil {
			b.Fatal(err)
		}
		auth, _ := s.Pick(UsageAuthentication)
		if _, err := s.Signer(auth).Sign(rand.Reader, d[:], crypto.SHA256); err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}

// A key with CKA_ALWAYS_AUTHENTICATE gets the PIN again before each
// signature, through a context-specific login.
func TestSignatureKeyAsksForThePINEachTime(t *testing.T) {
	c := needCard(t)
	tok, err := softhsm.InitToken(context.Background(), c.ConfPath, "pin per handtekening", "so-1", testPIN)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := tok.Delete(context.Background()); err != nil {
			t.Error(err)
		}
	})
	who := testpki.Person{GivenName: "Iris", Surname: "Dekker", Email: "i.dekker@voorbeeldstad.nl", Organization: "Gemeente Voorbeeldstad", Number: "PN-7"}
	if _, err := tok.AddAlwaysAuthKey([]byte{9}, "Handtekening", func(pub crypto.PublicKey) (*x509.Certificate, error) {
		return c.PKI.Personal(pub, who, true)
	}); err != nil {
		t.Fatal(err)
	}
	m := NewManager()
	s, err := loginByLabel(m, tok.Module, tok.Label, pin(testPIN))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tc, _ := s.Pick(UsageSignature)
	if !s.NeedsPINPerSignature(tc) {
		t.Fatal("CKA_ALWAYS_AUTHENTICATE not seen")
	}
	d := sha256.Sum256([]byte("wijzigingsformulier"))
	if _, err := s.Signer(tc).Sign(rand.Reader, d[:], crypto.SHA256); !i18n.Is(err, "card.pin_empty") {
		t.Errorf("without a PIN prompt: %v", err)
	}
	asked := 0
	signer := s.Signer(tc).WithPINPrompt(func() ([]byte, error) { asked++; return pin(testPIN), nil })
	pub := signer.Public().(*rsa.PublicKey)
	sig, err := signer.Sign(rand.Reader, d[:], crypto.SHA256)
	if err != nil || rsa.VerifyPKCS1v15(pub, crypto.SHA256, d[:], sig) != nil {
		t.Fatalf("PKCS#1 v1.5 with context login: %v", err)
	}
	pss := &rsa.PSSOptions{SaltLength: 32, Hash: crypto.SHA256}
	sig, err = signer.Sign(rand.Reader, d[:], pss)
	if err != nil || rsa.VerifyPSS(pub, crypto.SHA256, d[:], sig, pss) != nil {
		t.Fatalf("PSS with context login: %v", err)
	}
	if asked != 2 {
		t.Errorf("PIN asked %d times for 2 signatures", asked)
	}
	wrong := s.Signer(tc).WithPINPrompt(func() ([]byte, error) { return pin("111111"), nil })
	if _, err := wrong.Sign(rand.Reader, d[:], crypto.SHA256); !i18n.Is(err, "card.pin_wrong") && !i18n.Is(err, "card.pin_count_low") {
		t.Errorf("wrong PIN for the signature: %v", err)
	}
}
