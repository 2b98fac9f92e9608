package modfile

import (
	"bytes"
	"os"
	"runtime"
	"testing"

	"pkiodesk/app/i18n"
	"pkiodesk/internal/fixture"
)

// Real files of this machine: PKCS#11 modules pass, a program, a plain
// shared library without the entry point, and a text file are refused.
func TestCheckRealFiles(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the files below are Linux paths")
	}
	softhsm := "/usr/lib/softhsm/libsofthsm2.so"
	if _, err := os.Stat(softhsm); err != nil {
		fixture.Missing(t, "SoftHSM module %s", softhsm)
	}
	for _, ok := range []string{softhsm, "/usr/lib/x86_64-linux-gnu/pkcs11/opensc-pkcs11.so", "/usr/lib/x86_64-linux-gnu/pkcs11/pkcs11-spy.so"} {
		if _, err := os.Stat(ok); err != nil {
			continue
		}
		if err := Check(ok); err != nil {
			t.Errorf("%s refused: %v", ok, err)
		}
	}
	for path, key := range map[string]string{
		"/bin/ls":       "modfile.executable_not_dlib",
		"/etc/hostname": "modfile.not_library",
		"/nergens/x.so": "modfile.unreadable",
		libWithoutEntry: "modfile.no_function_list",
	} {
		if _, err := os.Stat(path); err != nil && key != "modfile.unreadable" {
			continue
		}
		if err := Check(path); !i18n.Is(err, key) {
			t.Errorf("%s: %v, want %s", path, err, key)
		}
	}
	if err := Check(softhsm); err == nil {
		data, _ := os.ReadFile(softhsm)
		if err := CheckReader(bytes.NewReader(data), "linux", "arm64"); !i18n.Is(err, "modfile.wrong_architecture") && runtime.GOARCH == "amd64" {
			t.Errorf("an amd64 library for arm64: %v", err)
		}
	}
}

// libWithoutEntry is a shared library that is not a PKCS#11 module.
var libWithoutEntry = "/usr/lib/x86_64-linux-gnu/libz.so.1"

func FuzzCheckReader(f *testing.F) {
	f.Add([]byte("\x7fELF\x02\x01\x01\x00"))
	f.Add([]byte("MZ\x90\x00"))
	f.Add([]byte{0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1})
	f.Add([]byte("module: x\n"))
	for _, name := range []string{"testdata/pkcs11.dll", "testdata/other.dll"} {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
	if data, err := os.ReadFile("/usr/lib/softhsm/libsofthsm2.so"); err == nil && len(data) > 4096 {
		f.Add(data[:4096])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, goos := range []string{"linux", "windows", "darwin"} {
			if err := CheckReader(bytes.NewReader(data), goos, "amd64"); err == nil && len(data) < 64 {
				t.Errorf("%d bytes accepted as a PKCS#11 module for %s", len(data), goos)
			}
		}
	})
}

// Windows libraries (tiny DLLs built with mingw, in testdata): the export
// directory is read by hand, since debug/pe does not.
func TestCheckPE(t *testing.T) {
	for file, key := range map[string]string{
		"testdata/pkcs11.dll": "",
		"testdata/other.dll":  "modfile.no_function_list",
		"testdata/prog.exe":   "modfile.executable_not_dlib",
	} {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		err = CheckReader(bytes.NewReader(data), "windows", "amd64")
		switch {
		case key == "" && err != nil:
			t.Errorf("%s refused: %v", file, err)
		case key != "" && !i18n.Is(err, key):
			t.Errorf("%s: %v, want %s", file, err, key)
		}
		if key == "" {
			if err := CheckReader(bytes.NewReader(data), "linux", "amd64"); !i18n.Is(err, "modfile.not_library") {
				t.Errorf("%s on Linux: %v", file, err)
			}
			if err := CheckReader(bytes.NewReader(data), "windows", "arm64"); !i18n.Is(err, "modfile.wrong_architecture") {
				t.Errorf("%s for arm64: %v", file, err)
			}
		}
	}
}
