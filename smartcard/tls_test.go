package smartcard

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/ebfe/scard"
)

// The card signer authenticates a TLS client, as the API gateway's mTLS to
// RvIG needs: a TLS 1.3 handshake on loopback with a client certificate
// whose key stays on the token (RSA-PSS) and one on ECDSA.
func TestSignerDoesTLSClientAuthentication(t *testing.T) {
	c := needCard(t)
	s, err := loginByLabel(NewManager(), c.Module, "PKIo kaart", pin(testPIN))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	roots := x509.NewCertPool()
	roots.AddCert(c.PKI.Root)

	// The server's own certificate: the card's authentication certificate
	// will do, since the client trusts nothing but the server's key here.
	for _, usage := range []Usage{UsageAuthentication, UsageSignature} {
		tc, _ := s.Pick(usage)
		signer := s.Signer(tc, c.PKI.Issuer, c.PKI.Root)
		var chain [][]byte
		for _, cc := range signer.Chain {
			chain = append(chain, cc.Raw)
		}
		clientCert := tls.Certificate{Certificate: chain, PrivateKey: signer, Leaf: tc.Cert}

		serverCert := selfSigned(t)
		ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
			Certificates: []tls.Certificate{serverCert}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: roots,
			MinVersion: tls.VersionTLS13,
		})
		if err != nil {
			t.Fatal(err)
		}
		got := make(chan string, 1)
		go func() {
			conn, err := ln.Accept()
			if err != nil {
				got <- err.Error()
				return
			}
			defer conn.Close()
			tc := conn.(*tls.Conn)
			if err := tc.Handshake(); err != nil {
				got <- "handshake: " + err.Error()
				return
			}
			got <- tc.ConnectionState().PeerCertificates[0].Subject.CommonName
			io.WriteString(conn, "ok")
		}()
		conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", ln.Addr().String(), &tls.Config{
			Certificates: []tls.Certificate{clientCert}, InsecureSkipVerify: true, MinVersion: tls.VersionTLS13,
		})
		if err != nil {
			t.Fatalf("%s: dial: %v", usage, err)
		}
		io.ReadAll(conn)
		conn.Close()
		ln.Close()
		if cn := <-got; cn != tc.Cert.Subject.CommonName {
			t.Errorf("%s: server saw %q", usage, cn)
		}
	}
}

func selfSigned(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"}, DNSNames: []string{"localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// Readers plugged in and out while watching are reported, and a card in a
// reader that disappears is reported removed first.
func TestSyncReaders(t *testing.T) {
	var events []Event
	record := func(e Event) { events = append(events, e) }
	states := syncReaders(nil, []string{"A", "B"}, record)
	if len(states) != 2 || len(events) != 2 || events[0].Kind != ReaderAdded {
		t.Fatalf("added: %v %v", states, events)
	}
	states[1].CurrentState = scard.StatePresent
	events = nil
	states = syncReaders(states, []string{"A", "C"}, record)
	want := []Event{{Kind: CardRemoved, Reader: "B"}, {Kind: ReaderRemoved, Reader: "B"}, {Kind: ReaderAdded, Reader: "C"}}
	if len(events) != len(want) {
		t.Fatalf("events %v", events)
	}
	for i := range want {
		if events[i].Kind != want[i].Kind || events[i].Reader != want[i].Reader {
			t.Errorf("event %d: %v, want %v", i, events[i], want[i])
		}
	}
	if len(states) != 2 || states[0].Reader != "A" || states[1].Reader != "C" {
		t.Errorf("states %v", states)
	}
}
