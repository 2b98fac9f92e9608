package smartcard

/*
#cgo linux LDFLAGS: -ldl
#include <stdlib.h>
#ifdef _WIN32
#include <windows.h>
#else
#include <dlfcn.h>
#endif

// CK_ULONG is an unsigned long on every platform PKCS#11 defines (32 bits
// on Windows). Only the head of CK_FUNCTION_LIST is declared: its order is
// fixed by the standard, and C_Login is the 19th function.
typedef unsigned long p11_ulong;
#ifdef _WIN32
#pragma pack(push, 1)
#endif
typedef struct { unsigned char major, minor; } p11_version;
typedef p11_ulong (*p11_login_fn)(p11_ulong session, p11_ulong user, unsigned char *pin, p11_ulong len);
typedef struct {
	p11_version version;
	void *before_login[18]; // C_Initialize ... C_SetOperationState
	p11_login_fn C_Login;
} p11_head;
#ifdef _WIN32
#pragma pack(pop)
#endif
typedef p11_ulong (*p11_get_list_fn)(p11_head **);

// p11_login calls the module's C_Login with the caller's buffer. The module
// is already loaded and initialised (by crypto11): opening it again only
// takes a reference to the same copy, which is dropped before returning.
static p11_ulong p11_login(const char *module, p11_ulong session, p11_ulong user, unsigned char *pin, p11_ulong len) {
	p11_head *list = NULL;
	p11_ulong rv;
#ifdef _WIN32
	HMODULE h = LoadLibraryA(module);
	if (h == NULL) return 0x5; // CKR_GENERAL_ERROR
	p11_get_list_fn get = (p11_get_list_fn) GetProcAddress(h, "C_GetFunctionList");
#else
	void *h = dlopen(module, RTLD_LAZY);
	if (h == NULL) return 0x5;
	p11_get_list_fn get = (p11_get_list_fn) dlsym(h, "C_GetFunctionList");
#endif
	if (get == NULL || get(&list) != 0 || list == NULL || list->C_Login == NULL) {
		rv = 0x5;
	} else {
		rv = list->C_Login(session, user, pin, len);
	}
#ifdef _WIN32
	FreeLibrary(h);
#else
	dlclose(h);
#endif
	return rv;
}
*/
import "C"

import (
	"unsafe"

	"github.com/miekg/pkcs11"
)

// login calls C_Login on an open session with the PIN bytes themselves.
// miekg/pkcs11 takes the PIN as a Go string and copies it into C memory it
// frees without clearing; this passes a pointer to pin, which the caller
// wipes. An empty pin is sent as NULL: a PIN-pad reader asks on its keys.
func login(module string, sh pkcs11.SessionHandle, userType uint, pin []byte) error {
	cmod := C.CString(module)
	defer C.free(unsafe.Pointer(cmod))
	var p *C.uchar
	if len(pin) > 0 {
		p = (*C.uchar)(unsafe.Pointer(unsafe.SliceData(pin)))
	}
	rv := C.p11_login(cmod, C.p11_ulong(sh), C.p11_ulong(userType), p, C.p11_ulong(len(pin)))
	if rv != 0 {
		return pkcs11.Error(rv)
	}
	return nil
}
