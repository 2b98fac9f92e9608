// Package modfile tells whether a file is a PKCS#11 module without loading
// it: a shared library (ELF, PE or Mach-O) for this processor that exports
// C_GetFunctionList. Loading a library runs its code, so a file the user
// points at is only read here. Pure Go, no cgo: the core (app/) uses it.
package modfile

import (
	"bytes"
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"

	"pkiodesk/app/i18n"
)

// entryPoint is the one symbol every PKCS#11 module exports.
const entryPoint = "C_GetFunctionList"

// Check reads the file at path and returns nil when it looks like a PKCS#11
// module for this machine.
func Check(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return i18n.E("modfile.unreadable", err)
	}
	defer f.Close()
	return CheckReader(f, runtime.GOOS, runtime.GOARCH)
}

// CheckReader checks a library for system goos and processor goarch (Go's
// names): ELF on Linux and the BSDs, PE on Windows, Mach-O on macOS.
func CheckReader(r io.ReaderAt, goos, goarch string) (err error) {
	// The parsers of debug/* are meant for trusted input; a hostile file
	// must give an error, not stop pkiodesk.
	defer func() {
		if p := recover(); p != nil {
			err = i18n.E("modfile.not_library", fmt.Errorf("malformed: %v", p))
		}
	}()
	var magic [4]byte
	if _, err := r.ReadAt(magic[:], 0); err != nil {
		return i18n.E("modfile.not_library", err)
	}
	format := map[string]string{"windows": "PE", "darwin": "Mach-O", "ios": "Mach-O"}[goos]
	if format == "" {
		format = "ELF"
	}
	switch {
	case bytes.Equal(magic[:], []byte(elf.ELFMAG)) && format == "ELF":
		return checkELF(r, goarch)
	case magic[0] == 'M' && magic[1] == 'Z' && format == "PE":
		return checkPE(r, goarch)
	case isMachO(magic) && format == "Mach-O":
		return checkMachO(r, goarch)
	}
	return i18n.E("modfile.not_library", nil)
}

var elfMachine = map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64, "386": elf.EM_386, "arm": elf.EM_ARM, "riscv64": elf.EM_RISCV, "ppc64le": elf.EM_PPC64, "s390x": elf.EM_S390}

func checkELF(r io.ReaderAt, goarch string) error {
	f, err := elf.NewFile(r)
	if err != nil {
		return i18n.E("modfile.not_library", err)
	}
	if f.Type != elf.ET_DYN {
		return i18n.E("modfile.not_library", nil)
	}
	if want, ok := elfMachine[goarch]; ok && f.Machine != want {
		return i18n.E("modfile.wrong_architecture", nil, f.Machine.String())
	}
	syms, err := f.DynamicSymbols()
	if err != nil && !errors.Is(err, elf.ErrNoSymbols) {
		return i18n.E("modfile.not_library", err)
	}
	for _, s := range syms {
		typ := elf.ST_TYPE(s.Info)
		if s.Name == entryPoint && s.Section != elf.SHN_UNDEF && (typ == elf.STT_FUNC || typ == elf.STT_GNU_IFUNC) {
			return nil
		}
	}
	// A position-independent program (/bin/ls) is ET_DYN too; it has an
	// interpreter and no PKCS#11 entry point.
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return i18n.E("modfile.executable_not_dlib", nil)
		}
	}
	return i18n.E("modfile.no_function_list", nil)
}

var peMachine = map[string]uint16{"amd64": pe.IMAGE_FILE_MACHINE_AMD64, "arm64": pe.IMAGE_FILE_MACHINE_ARM64, "386": pe.IMAGE_FILE_MACHINE_I386}

func checkPE(r io.ReaderAt, goarch string) error {
	f, err := pe.NewFile(r)
	if err != nil {
		return i18n.E("modfile.not_library", err)
	}
	if f.Characteristics&pe.IMAGE_FILE_DLL == 0 {
		return i18n.E("modfile.executable_not_dlib", nil)
	}
	if want, ok := peMachine[goarch]; ok && f.Machine != want {
		return i18n.E("modfile.wrong_architecture", nil, fmt.Sprintf("PE 0x%x", f.Machine))
	}
	names, err := peExports(f)
	if err != nil {
		return i18n.E("modfile.not_library", err)
	}
	for _, n := range names {
		if n == entryPoint {
			return nil
		}
	}
	return i18n.E("modfile.no_function_list", nil)
}

// peExports reads the names in a PE file's export directory, which
// debug/pe does not parse.
func peExports(f *pe.File) ([]string, error) {
	var dir pe.DataDirectory
	switch h := f.OptionalHeader.(type) {
	case *pe.OptionalHeader32:
		if h.NumberOfRvaAndSizes > pe.IMAGE_DIRECTORY_ENTRY_EXPORT {
			dir = h.DataDirectory[pe.IMAGE_DIRECTORY_ENTRY_EXPORT]
		}
	case *pe.OptionalHeader64:
		if h.NumberOfRvaAndSizes > pe.IMAGE_DIRECTORY_ENTRY_EXPORT {
			dir = h.DataDirectory[pe.IMAGE_DIRECTORY_ENTRY_EXPORT]
		}
	}
	if dir.VirtualAddress == 0 || dir.Size < 40 {
		return nil, nil
	}
	// at reads n bytes at a relative virtual address.
	at := func(rva uint32, n uint32) ([]byte, error) {
		for _, s := range f.Sections {
			if rva >= s.VirtualAddress && uint64(rva)+uint64(n) <= uint64(s.VirtualAddress)+uint64(s.Size) {
				b := make([]byte, n)
				_, err := s.ReadAt(b, int64(rva-s.VirtualAddress))
				return b, err
			}
		}
		return nil, errors.New("export directory outside every section")
	}
	hdr, err := at(dir.VirtualAddress, 40)
	if err != nil {
		return nil, err
	}
	count := binary.LittleEndian.Uint32(hdr[24:])
	namesRVA := binary.LittleEndian.Uint32(hdr[32:])
	if count > 1<<16 {
		return nil, errors.New("too many exports")
	}
	table, err := at(namesRVA, 4*count)
	if err != nil {
		return nil, err
	}
	var names []string
	for i := uint32(0); i < count; i++ {
		rva := binary.LittleEndian.Uint32(table[4*i:])
		name, err := at(rva, uint32(len(entryPoint)+1))
		if err != nil {
			continue // a shorter name at the end of a section
		}
		if j := bytes.IndexByte(name, 0); j >= 0 {
			names = append(names, string(name[:j]))
		}
	}
	return names, nil
}

func isMachO(m [4]byte) bool {
	le := binary.LittleEndian.Uint32(m[:])
	be := binary.BigEndian.Uint32(m[:])
	for _, v := range []uint32{macho.Magic32, macho.Magic64, macho.MagicFat} {
		if le == v || be == v {
			return true
		}
	}
	return false
}

var machoCPU = map[string]macho.Cpu{"amd64": macho.CpuAmd64, "arm64": macho.CpuArm64}

func checkMachO(r io.ReaderAt, goarch string) error {
	if fat, err := macho.NewFatFile(r); err == nil {
		defer fat.Close()
		for _, a := range fat.Arches {
			if a.Cpu == machoCPU[goarch] {
				return checkMachOFile(a.File, goarch)
			}
		}
		return i18n.E("modfile.wrong_architecture", nil, "Mach-O")
	}
	f, err := macho.NewFile(r)
	if err != nil {
		return i18n.E("modfile.not_library", err)
	}
	return checkMachOFile(f, goarch)
}

func checkMachOFile(f *macho.File, goarch string) error {
	if f.Type != macho.TypeDylib && f.Type != macho.TypeBundle {
		return i18n.E("modfile.executable_not_dlib", nil)
	}
	if want, ok := machoCPU[goarch]; ok && f.Cpu != want {
		return i18n.E("modfile.wrong_architecture", nil, f.Cpu.String())
	}
	if f.Symtab != nil {
		for _, s := range f.Symtab.Syms {
			// N_EXT (0x01) and defined in a section.
			if s.Name == "_"+entryPoint && s.Type&0x01 != 0 && s.Sect != 0 {
				return nil
			}
		}
	}
	return i18n.E("modfile.no_function_list", nil)
}
