/*
 * Small portability and annotation macros shared by every file.
 */
#ifndef AGG_COMPAT_H
#define AGG_COMPAT_H

#define UNUSED __attribute__((__unused__))
#define PRINTFLIKE(a, b) __attribute__((__format__(__printf__, a, b)))
#define NORETURN __attribute__((__noreturn__))

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

#ifndef AGG_VERSION
#define AGG_VERSION "0.1.0"
#endif
#define AGG_URL "https://github.com/aggd/aggd"

#endif
