/*
 * bcryptprimitives.dll for wine 8, which lacks it: Go 1.22+ on Windows
 * draws its random numbers from bcryptprimitives!ProcessPrng and stops at
 * start when the function is missing. This one function is enough to run
 * pkiodesk.exe under wine in CI (scripts/wine-check.sh builds it with
 * mingw-w64; it never ships with pkiodesk: real Windows has the DLL).
 *
 * ProcessPrng fills the buffer from the system's random generator and,
 * like the real one, always succeeds.
 */
#include <windows.h>
#include <ntsecapi.h> /* RtlGenRandom, exported by advapi32 as SystemFunction036 */

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
		if (!RtlGenRandom(data, chunk)) {
			return FALSE;
		}
		data += chunk;
		len -= chunk;
	}
	return TRUE;
}

BOOL WINAPI DllMain(HINSTANCE inst, DWORD reason, LPVOID reserved)
{
	(void)inst;
	(void)reason;
	(void)reserved;
	return TRUE;
}
