/* Version and build report (wsx_base.h). */
#include "wsx_internal.h"
#include "wsx_base.h"

unsigned long wsx_version(void) { return WSX_VERSION_NUM; }

const char *wsx_version_string(void) { return WSX_VERSION_STRING; }

#ifdef WSX_SMALL
#define BUILD_SMALL_ WSX_BUILD_SMALL
#define BUILD_SMALL_TEXT_ " small"
#else
#define BUILD_SMALL_ 0u
#define BUILD_SMALL_TEXT_ " fast"
#endif
#ifdef WSX_USE_OPENSSL
#define BUILD_SHA1_ WSX_BUILD_OPENSSL
#define BUILD_SHA1_TEXT_ " openssl-sha1"
#else
#define BUILD_SHA1_ 0u
#define BUILD_SHA1_TEXT_ " builtin-sha1"
#endif
#ifdef WSX_NO_ERROR_STRINGS
#define BUILD_STRINGS_ 0u
#define BUILD_STRINGS_TEXT_ " no-error-strings"
#else
#define BUILD_STRINGS_ WSX_BUILD_ERROR_STRINGS
#define BUILD_STRINGS_TEXT_ " error-strings"
#endif

unsigned wsx_build_flags(void) { return BUILD_SMALL_ | BUILD_SHA1_ | BUILD_STRINGS_; }

const char *wsx_build_string(void)
{
    return WSX_VERSION_STRING BUILD_SMALL_TEXT_ BUILD_SHA1_TEXT_ BUILD_STRINGS_TEXT_;
}
