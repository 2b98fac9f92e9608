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

// pcscd is this test binary's own pcscd (scripts/private-pcscd.sh), which
// the watcher tests stop and start again. libpcsclite reads
// PCSCLITE_CSOCK_NAME once per process, so TestMain points the process at
// it before any PC/SC call.
var pcscd struct {
	*fixture.PCSCD
	err error
}

func TestMain(m *testing.M) {
	dir, _ := os.MkdirTemp("", "smartcard-softhsm-")
	card.Card, card.err = provision(dir)
	pcscd.PCSCD, pcscd.err = fixture.StartPCSCD()
	if pcscd.err == nil {
		pcscd.Use()
	}
	code := m.Run()
	if pcscd.err == nil {
		pcscd.Close()
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// needPCSCD is the private pcscd, running.
func needPCSCD(t *testing.T) *fixture.PCSCD {
	t.Helper()
	if pcscd.err != nil {
		fixture.Missing(t, "a private pcscd: %v", pcscd.err)
	}
	if err := pcscd.Start(); err != nil {
		t.Fatal(err)
	}
	return pcscd.PCSCD
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

// typed is a prompt that answers with this PIN and records what it was told.
func typed(s string, asked *[]PINRequest) PINPrompt {
	return func(_ context.Context, req PINRequest) ([]byte, error) {
		if asked != nil {
			*asked = append(*asked, req)
		}
		return []byte(s), nil
	}
}

// loginByLabel is what the CLI does: find the token by label, then log in to
// it. The PIN is wiped on every path.
func loginByLabel(m *Manager, module, label string, pin []byte) (*Session, error) {
	tok, err := m.Token(module, label)
	if err != nil {
		wipe(pin)
		return nil, err
	}
	return m.LoginToken(context.Background(), tok, GivenPIN(pin))
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
	// SoftHSM's limits (MIN_PIN_LEN, MAX_PIN_LEN), read from the token.
	if tok.MinPIN != 4 || tok.MaxPIN != 255 {
		t.Errorf("PIN limits %d..%d", tok.MinPIN, tok.MaxPIN)
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
	if msg := i18n.Localize(i18n.NL, err); !strings.Contains(msg, `2 kaarten of tokens heten "dubbel"`) || !strings.Contains(msg, "--slot") {
		t.Errorf("message %q", msg)
	}
	// --serial and --slot tell them apart, and name what is not there.
	var serials []string
	for _, ti := range ts {
		if ti.Label == "dubbel" {
			serials = append(serials, ti.Serial)
			bySerial, err := m.Select(c.Module, TokenSelector{Label: "dubbel", Serial: ti.Serial})
			if err != nil || bySerial.Slot != ti.Slot {
				t.Errorf("by serial %s: %+v %v", ti.Serial, bySerial, err)
			}
			slot := ti.Slot
			bySlot, err := m.Select(c.Module, TokenSelector{Slot: &slot})
			if err != nil || bySlot.Serial != ti.Serial {
				t.Errorf("by slot %d: %+v %v", slot, bySlot, err)
			}
		}
	}
	if len(serials) != 2 || serials[0] == serials[1] {
		t.Fatalf("serials %v", serials)
	}
	if _, err := m.Select(c.Module, TokenSelector{Serial: "geen"}); !i18n.Is(err, "card.serial_not_found") {
		t.Errorf("unknown serial: %v", err)
	}
	none := uint(4242)
	if _, err := m.Select(c.Module, TokenSelector{Slot: &none}); !i18n.Is(err, "card.slot_not_found") {
		t.Errorf("unknown slot: %v", err)
	}
	// Chosen by slot (as the login screen does), each can be logged in to.
	var slots []uint
	for _, ti := range ts {
		if ti.Label != "dubbel" {
			continue
		}
		s, err := m.LoginToken(context.Background(), ti, typed(testPIN, nil))
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

func TestATRHints(t *testing.T) {
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
	needPCSCD(t)
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
	needPCSCD(t)
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
		s, err := cs.LoginToken(context.Background(), tok, typed(testPIN, nil))
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
// signature, through a context-specific login behind the same PIN guard as
// the first login: the token's state is read first, a warning reaches the
// prompt before it asks, a locked token is neither asked nor sent a PIN.
// The spy counts every C_Login.
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
	spy := fixture.NewSpy(t, tok.Module)
	m := NewManager()
	ti, err := m.Token(spy.Module, tok.Label)
	if err != nil {
		t.Fatal(err)
	}
	s, err := m.LoginToken(context.Background(), ti, typed(testPIN, nil))
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
	var asked []PINRequest
	signer := s.Signer(tc).WithPINPrompt(context.Background(), typed(testPIN, &asked))
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
	if len(asked) != 2 || !asked[0].PerSignature {
		t.Errorf("PIN asked %d times for 2 signatures: %+v", len(asked), asked)
	}
	if n := spy.Calls("C_Login"); n != 3 {
		t.Errorf("%d C_Login calls for one login and two signatures", n)
	}
	// The counter is low (another program tried a wrong PIN): the prompt
	// is told before it asks.
	fixture.SetSoftHSMFlags(t, tok.ConfPath, ti.Serial, fixture.FlagUserPINCountLow, 0)
	t.Cleanup(func() {
		fixture.SetSoftHSMFlags(t, tok.ConfPath, ti.Serial, 0, fixture.FlagUserPINCountLow|fixture.FlagUserPINLocked)
	})
	asked = nil
	if _, err := signer.Sign(rand.Reader, d[:], crypto.SHA256); err != nil {
		t.Fatalf("sign with few attempts left: %v", err)
	}
	if len(asked) != 1 || !asked[0].Token.PIN.CountLow {
		t.Errorf("the prompt was not told of the low counter: %+v", asked)
	}
	// Locked now: no prompt, no PIN, the right message, once.
	fixture.SetSoftHSMFlags(t, tok.ConfPath, ti.Serial, fixture.FlagUserPINLocked, 0)
	before := spy.Calls("C_Login")
	asked = nil
	_, err = signer.Sign(rand.Reader, d[:], crypto.SHA256)
	if !i18n.Is(err, "card.pin_locked") {
		t.Errorf("locked token for a signature: %v", err)
	}
	if len(asked) != 0 || spy.Calls("C_Login") != before {
		t.Errorf("a locked token was asked %d times and sent %d PINs", len(asked), spy.Calls("C_Login")-before)
	}
	// Locked while the user typed (the prompt locks it): nothing is sent.
	fixture.SetSoftHSMFlags(t, tok.ConfPath, ti.Serial, 0, fixture.FlagUserPINLocked|fixture.FlagUserPINCountLow)
	lockWhileTyping := s.Signer(tc).WithPINPrompt(context.Background(), func(context.Context, PINRequest) ([]byte, error) {
		fixture.SetSoftHSMFlags(t, tok.ConfPath, ti.Serial, fixture.FlagUserPINLocked, 0)
		return pin(testPIN), nil
	})
	before = spy.Calls("C_Login")
	if _, err := lockWhileTyping.Sign(rand.Reader, d[:], crypto.SHA256); !i18n.Is(err, "card.pin_locked") || spy.Calls("C_Login") != before {
		t.Errorf("locked while typing: %v, %d PINs sent", err, spy.Calls("C_Login")-before)
	}
	fixture.SetSoftHSMFlags(t, tok.ConfPath, ti.Serial, 0, fixture.FlagUserPINLocked)
	wrong := s.Signer(tc).WithPINPrompt(context.Background(), typed("111111", nil))
	if _, err := wrong.Sign(rand.Reader, d[:], crypto.SHA256); !i18n.Is(err, "card.pin_wrong") && !i18n.Is(err, "card.pin_count_low") {
		t.Errorf("wrong PIN for the signature: %v", err)
	}
}

// The trust check's proof of possession: a random challenge signed with the
// login certificate's key on the card verifies against that certificate
// (RSA and EC), and not against another one.
func TestSignChallenge(t *testing.T) {
	c := needCard(t)
	s, err := loginByLabel(NewManager(), c.Module, "PKIo kaart", pin(testPIN))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	challenge := make([]byte, 32)
	rand.Read(challenge)
	for _, login := range []*x509.Certificate{c.Auth, c.Sign} {
		sig, alg, err := s.SignChallenge(context.Background(), login, challenge, nil)
		if err != nil {
			t.Fatalf("%s: %v", login.Subject.CommonName, err)
		}
		if err := login.CheckSignature(alg, challenge, sig); err != nil {
			t.Errorf("%v signature does not verify: %v", alg, err)
		}
		other := c.Sign
		if login == c.Sign {
			other = c.Auth
		}
		if other.CheckSignature(alg, challenge, sig) == nil {
			t.Error("the signature verifies against another certificate")
		}
	}
	if _, _, err := s.SignChallenge(context.Background(), c.PKI.Issuer, challenge, nil); !i18n.Is(err, "card.no_certificate") {
		t.Errorf("a certificate not on the card: %v", err)
	}
}
