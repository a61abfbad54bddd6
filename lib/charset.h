/*
 * Character sets: labels read as browsers read them (the WHATWG Encoding
 * Standard's label table), byte-order-mark and XML declaration sniffing,
 * and streaming decoders from any supported charset to UTF-8.
 */
#ifndef AGG_CHARSET_H
#define AGG_CHARSET_H

#include <stddef.h>

#include "buf.h"

struct charset_dec;

/*
 * The canonical lower-case name of the charset LABEL names ("latin1" ->
 * "windows-1252", "cp1251" -> "windows-1251"), or NULL when no decoder can
 * be had for it.  Labels outside the WHATWG table that iconv still knows
 * (UTF-32, EBCDIC code pages) keep their own lower-case spelling in a
 * static buffer that is overwritten by the next call.
 */
const char	*charset_canonical(const char *);

/* A byte-order mark at the start of BUF: its charset and length, else
 * NULL. */
const char	*charset_bom(const char *, size_t, size_t *);

/* The family the first bytes show when there is no byte-order mark
 * ("utf-16le" for "<\0?\0", "utf-32be", ...), or NULL for ASCII-compatible
 * bytes. */
const char	*charset_pattern(const char *, size_t);

/* The encoding="..." of an XML declaration at the start of BUF (after
 * white space), read in the family FAMILY (NULL for ASCII-compatible);
 * allocated, caller frees; NULL when there is none. */
char		*charset_xmldecl(const char *, size_t, const char *);

/* Whether NAME is a charset of 16 or 32-bit code units. */
int		 charset_is_wide(const char *);

/* A decoder for the canonical NAME, or NULL when it cannot be had. */
struct charset_dec *charset_dec_new(const char *);
void		 charset_dec_free(struct charset_dec *);	/* takes NULL */

/*
 * Decode LEN bytes and append valid UTF-8 to OUT.  A sequence cut at the
 * end is kept for the next call unless LAST is set.  Invalid bytes become
 * U+FFFD (in UTF-8 input: the windows-1252 character of each stray byte).
 * Returns the number of invalid sequences met.
 */
size_t		 charset_dec_run(struct charset_dec *, const char *, size_t,
		     struct buf *, int);

/* Whether BUF decodes in the canonical NAME without an invalid sequence (a
 * sequence cut at the end does not count). */
int		 charset_valid(const char *, const char *, size_t);

/* The single-byte charset BUF is most likely in, when no label fits it:
 * windows-1251 or KOI8-R for text that is plainly Cyrillic, else
 * windows-1252. */
const char	*charset_guess_8bit(const char *, size_t);

/* Append the UTF-8 of code point C to OUT. */
void		 charset_put(struct buf *, unsigned int);

/* The length of the valid UTF-8 sequence at S (LEN bytes left): >0 when
 * valid, 0 when invalid, -1 when cut short by the end of the buffer. */
int		 charset_utf8_seq(const unsigned char *, size_t);

/* The code point of byte B in windows-1252. */
unsigned int	 charset_cp1252(unsigned int);

#endif
