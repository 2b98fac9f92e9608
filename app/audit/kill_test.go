package audit

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"pkiodesk/app/store"
)

func TestMain(m *testing.M) {
	if path := os.Getenv("PKIODESK_TEST_JOURNAL_WRITER"); path != "" {
		writeForever(path)
		return
	}
	os.Exit(m.Run())
}

// writeForever makes recorded changes until it is killed: record i in the
// collection "x" with its entry naming afnemer i.
func writeForever(path string) {
	st, err := store.OpenBolt(path, store.BoltOptions{})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(2)
	}
	j := New(st, HeadPath(path), nil)
	fmt.Println("writing")
	for i := 100000; ; i++ {
		id := strconv.Itoa(i)
		err := j.Change(context.Background(), Entry{Who: cli, Action: BRPAdd, Object: Afnemer(id)}, func(ctx context.Context) error {
			return st.UpdateRecords(ctx, "x", func(tx store.RecordTx) error { return tx.Put(id, make([]byte, 2048)) })
		})
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(2)
		}
	}
}

// A SIGKILL in the middle of recorded changes leaves every change with its
// entry and every entry with its change, and a chain that verifies.
func TestKillLeavesChangeAndEntryTogether(t *testing.T) {
	for trial := 0; trial < 3; trial++ {
		path := filepath.Join(t.TempDir(), "pkiodesk.db")
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "PKIODESK_TEST_JOURNAL_WRITER="+path)
		stdout, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		if line != "writing\n" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("child: %q", line)
		}
		time.Sleep(time.Duration(150+trial*170) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()

		f := open(t, path)
		ctx := context.Background()
		changes := map[string]bool{}
		f.st.ViewRecords(ctx, "x", func(tx store.RecordTx) error {
			return tx.ForEach(func(k string, _ []byte) error { changes[k] = true; return nil })
		})
		es, err := f.j.List(ctx, Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(es) == 0 {
			t.Fatalf("trial %d: nothing written before the kill", trial)
		}
		for _, e := range es {
			if !changes[e.Object.ID] {
				t.Errorf("trial %d: entry %d without its change", trial, e.Seq)
			}
			delete(changes, e.Object.ID)
		}
		if len(changes) > 0 {
			t.Errorf("trial %d: %d changes without entry", trial, len(changes))
		}
		rep := f.verify()
		// The checkpoint file may lag one entry behind the database (killed
		// between commit and file), never ahead of it.
		if !rep.OK() {
			t.Errorf("trial %d: %+v", trial, *rep.Problem)
		}
		if !strings.HasSuffix(HeadPath(path), ".journal-head") {
			t.Error(HeadPath(path))
		}
	}
}

// BenchmarkVerify100k verifies a journal of 100,000 entries.
func BenchmarkVerify100k(b *testing.B) {
	path := filepath.Join(b.TempDir(), "pkiodesk.db")
	st, err := store.OpenBolt(path, store.BoltOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	j := New(st, HeadPath(path), nil)
	ctx := context.Background()
	const n = 100000
	for done := 0; done < n; {
		err := st.AppendJournal(ctx, func(tx store.JournalTx) error {
			for k := 0; k < 5000 && done < n; k++ {
				w, err := j.writer(Entry{Who: alice, Action: Download, Object: Cert(strings.Repeat("0f", 32))})
				if err != nil {
					return err
				}
				if err := w(tx); err != nil {
					return err
				}
				done++
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	if err := j.saveHead(ctx); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rep, err := j.Verify(ctx)
		if err != nil || !rep.OK() || rep.Entries != n {
			b.Fatalf("%v %+v", err, rep)
		}
	}
}
