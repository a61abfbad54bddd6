/*
 * Character sets.  Labels are read through the WHATWG Encoding Standard's
 * table, so that "latin1", "iso-8859-1" and "us-ascii" all mean
 * windows-1252 as they do in browsers (publishers label by what their
 * browser showed, not by what the bytes are).  Every charset is decoded to
 * UTF-8 here, before expat sees the bytes: single-byte charsets through a
 * 256-entry table built once from iconv, multi-byte ones through iconv,
 * UTF-8 by a validating copy.  Choosing which charset to use is the
 * parser's job (feedparse.c).
 */
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "charset.h"
#include "xmalloc.h"

enum charset_kind {
	CHARSET_UTF8,
	CHARSET_TABLE,		/* single-byte: table */
	CHARSET_ICONV,		/* multi-byte: iconv */
	CHARSET_USERDEF,	/* x-user-defined: a fixed rule */
};

struct charset_info {
	const char		*name;
	const char		*iconv;
	enum charset_kind	 kind;
};

struct charset_label {
	const char	*label;
	const char	*name;
};

struct charset_dec {
	enum charset_kind kind;
	char		 tab[256][4];	/* UTF-8 of each byte */
	unsigned char	 tablen[256];	/* 0: not a character */
	int		 ascii;		/* table keeps 0x00-0x7f as is */
	iconv_t		 cd;
	char		 pend[16];	/* a sequence cut by a chunk's end */
	size_t		 npend;
	struct buf	 scratch;
};

/* The WHATWG label table (encodings.json), plus the few labels outside it
 * that real feeds use and iconv reads: UTF-32 and EBCDIC code pages. */
static const struct charset_label charset_labels[] = {
	{ "437", "cp437" },
	{ "866", "ibm866" },
	{ "ansi_x3.4-1968", "windows-1252" },
	{ "arabic", "iso-8859-6" },
	{ "ascii", "windows-1252" },
	{ "asmo-708", "iso-8859-6" },
	{ "big5", "big5" },
	{ "big5-hkscs", "big5" },
	{ "chinese", "gbk" },
	{ "cn-big5", "big5" },
	{ "cp037", "cp037" },
	{ "cp1250", "windows-1250" },
	{ "cp1251", "windows-1251" },
	{ "cp1252", "windows-1252" },
	{ "cp1253", "windows-1253" },
	{ "cp1254", "windows-1254" },
	{ "cp1255", "windows-1255" },
	{ "cp1256", "windows-1256" },
	{ "cp1257", "windows-1257" },
	{ "cp1258", "windows-1258" },
	{ "cp437", "cp437" },
	{ "cp500", "cp500" },
	{ "cp819", "windows-1252" },
	{ "cp866", "ibm866" },
	{ "csbig5", "big5" },
	{ "cseuckr", "euc-kr" },
	{ "cseucpkdfmtjapanese", "euc-jp" },
	{ "csgb2312", "gbk" },
	{ "csibm037", "cp037" },
	{ "csibm866", "ibm866" },
	{ "csiso2022jp", "iso-2022-jp" },
	{ "csiso2022kr", "replacement" },
	{ "csiso58gb231280", "gbk" },
	{ "csiso88596e", "iso-8859-6" },
	{ "csiso88596i", "iso-8859-6" },
	{ "csiso88598e", "iso-8859-8" },
	{ "csiso88598i", "iso-8859-8-i" },
	{ "csisolatin1", "windows-1252" },
	{ "csisolatin2", "iso-8859-2" },
	{ "csisolatin3", "iso-8859-3" },
	{ "csisolatin4", "iso-8859-4" },
	{ "csisolatin5", "windows-1254" },
	{ "csisolatin6", "iso-8859-10" },
	{ "csisolatin9", "iso-8859-15" },
	{ "csisolatinarabic", "iso-8859-6" },
	{ "csisolatincyrillic", "iso-8859-5" },
	{ "csisolatingreek", "iso-8859-7" },
	{ "csisolatinhebrew", "iso-8859-8" },
	{ "cskoi8r", "koi8-r" },
	{ "csksc56011987", "euc-kr" },
	{ "csmacintosh", "macintosh" },
	{ "csshiftjis", "shift_jis" },
	{ "csunicode", "utf-16le" },
	{ "cyrillic", "iso-8859-5" },
	{ "dos-874", "windows-874" },
	{ "ebcdic-cp-ca", "cp037" },
	{ "ebcdic-cp-us", "cp037" },
	{ "ecma-114", "iso-8859-6" },
	{ "ecma-118", "iso-8859-7" },
	{ "elot_928", "iso-8859-7" },
	{ "euc-jp", "euc-jp" },
	{ "euc-kr", "euc-kr" },
	{ "gb18030", "gb18030" },
	{ "gb2312", "gbk" },
	{ "gb_2312", "gbk" },
	{ "gb_2312-80", "gbk" },
	{ "gbk", "gbk" },
	{ "greek", "iso-8859-7" },
	{ "greek8", "iso-8859-7" },
	{ "hebrew", "iso-8859-8" },
	{ "hz-gb-2312", "replacement" },
	{ "ibm037", "cp037" },
	{ "ibm437", "cp437" },
	{ "ibm500", "cp500" },
	{ "ibm819", "windows-1252" },
	{ "ibm866", "ibm866" },
	{ "iso-10646-ucs-2", "utf-16le" },
	{ "iso-10646-ucs-4", "utf-32" },
	{ "iso-2022-cn", "replacement" },
	{ "iso-2022-cn-ext", "replacement" },
	{ "iso-2022-jp", "iso-2022-jp" },
	{ "iso-2022-kr", "replacement" },
	{ "iso-8859-1", "windows-1252" },
	{ "iso-8859-10", "iso-8859-10" },
	{ "iso-8859-11", "windows-874" },
	{ "iso-8859-13", "iso-8859-13" },
	{ "iso-8859-14", "iso-8859-14" },
	{ "iso-8859-15", "iso-8859-15" },
	{ "iso-8859-16", "iso-8859-16" },
	{ "iso-8859-2", "iso-8859-2" },
	{ "iso-8859-3", "iso-8859-3" },
	{ "iso-8859-4", "iso-8859-4" },
	{ "iso-8859-5", "iso-8859-5" },
	{ "iso-8859-6", "iso-8859-6" },
	{ "iso-8859-6-e", "iso-8859-6" },
	{ "iso-8859-6-i", "iso-8859-6" },
	{ "iso-8859-7", "iso-8859-7" },
	{ "iso-8859-8", "iso-8859-8" },
	{ "iso-8859-8-e", "iso-8859-8" },
	{ "iso-8859-8-i", "iso-8859-8-i" },
	{ "iso-8859-9", "windows-1254" },
	{ "iso-ir-100", "windows-1252" },
	{ "iso-ir-101", "iso-8859-2" },
	{ "iso-ir-109", "iso-8859-3" },
	{ "iso-ir-110", "iso-8859-4" },
	{ "iso-ir-126", "iso-8859-7" },
	{ "iso-ir-127", "iso-8859-6" },
	{ "iso-ir-138", "iso-8859-8" },
	{ "iso-ir-144", "iso-8859-5" },
	{ "iso-ir-148", "windows-1254" },
	{ "iso-ir-149", "euc-kr" },
	{ "iso-ir-157", "iso-8859-10" },
	{ "iso-ir-58", "gbk" },
	{ "iso8859-1", "windows-1252" },
	{ "iso8859-10", "iso-8859-10" },
	{ "iso8859-11", "windows-874" },
	{ "iso8859-13", "iso-8859-13" },
	{ "iso8859-14", "iso-8859-14" },
	{ "iso8859-15", "iso-8859-15" },
	{ "iso8859-2", "iso-8859-2" },
	{ "iso8859-3", "iso-8859-3" },
	{ "iso8859-4", "iso-8859-4" },
	{ "iso8859-5", "iso-8859-5" },
	{ "iso8859-6", "iso-8859-6" },
	{ "iso8859-7", "iso-8859-7" },
	{ "iso8859-8", "iso-8859-8" },
	{ "iso8859-9", "windows-1254" },
	{ "iso88591", "windows-1252" },
	{ "iso885910", "iso-8859-10" },
	{ "iso885911", "windows-874" },
	{ "iso885913", "iso-8859-13" },
	{ "iso885914", "iso-8859-14" },
	{ "iso885915", "iso-8859-15" },
	{ "iso88592", "iso-8859-2" },
	{ "iso88593", "iso-8859-3" },
	{ "iso88594", "iso-8859-4" },
	{ "iso88595", "iso-8859-5" },
	{ "iso88596", "iso-8859-6" },
	{ "iso88597", "iso-8859-7" },
	{ "iso88598", "iso-8859-8" },
	{ "iso88599", "windows-1254" },
	{ "iso_8859-1", "windows-1252" },
	{ "iso_8859-15", "iso-8859-15" },
	{ "iso_8859-1:1987", "windows-1252" },
	{ "iso_8859-2", "iso-8859-2" },
	{ "iso_8859-2:1987", "iso-8859-2" },
	{ "iso_8859-3", "iso-8859-3" },
	{ "iso_8859-3:1988", "iso-8859-3" },
	{ "iso_8859-4", "iso-8859-4" },
	{ "iso_8859-4:1988", "iso-8859-4" },
	{ "iso_8859-5", "iso-8859-5" },
	{ "iso_8859-5:1988", "iso-8859-5" },
	{ "iso_8859-6", "iso-8859-6" },
	{ "iso_8859-6:1987", "iso-8859-6" },
	{ "iso_8859-7", "iso-8859-7" },
	{ "iso_8859-7:1987", "iso-8859-7" },
	{ "iso_8859-8", "iso-8859-8" },
	{ "iso_8859-8:1988", "iso-8859-8" },
	{ "iso_8859-9", "windows-1254" },
	{ "iso_8859-9:1989", "windows-1254" },
	{ "koi", "koi8-r" },
	{ "koi8", "koi8-r" },
	{ "koi8-r", "koi8-r" },
	{ "koi8-ru", "koi8-u" },
	{ "koi8-u", "koi8-u" },
	{ "koi8_r", "koi8-r" },
	{ "korean", "euc-kr" },
	{ "ks_c_5601-1987", "euc-kr" },
	{ "ks_c_5601-1989", "euc-kr" },
	{ "ksc5601", "euc-kr" },
	{ "ksc_5601", "euc-kr" },
	{ "l1", "windows-1252" },
	{ "l2", "iso-8859-2" },
	{ "l3", "iso-8859-3" },
	{ "l4", "iso-8859-4" },
	{ "l5", "windows-1254" },
	{ "l6", "iso-8859-10" },
	{ "l9", "iso-8859-15" },
	{ "latin1", "windows-1252" },
	{ "latin2", "iso-8859-2" },
	{ "latin3", "iso-8859-3" },
	{ "latin4", "iso-8859-4" },
	{ "latin5", "windows-1254" },
	{ "latin6", "iso-8859-10" },
	{ "logical", "iso-8859-8-i" },
	{ "mac", "macintosh" },
	{ "macintosh", "macintosh" },
	{ "ms932", "shift_jis" },
	{ "ms_kanji", "shift_jis" },
	{ "replacement", "replacement" },
	{ "shift-jis", "shift_jis" },
	{ "shift_jis", "shift_jis" },
	{ "sjis", "shift_jis" },
	{ "sun_eu_greek", "iso-8859-7" },
	{ "tis-620", "windows-874" },
	{ "ucs-2", "utf-16le" },
	{ "ucs-4", "utf-32" },
	{ "ucs-4be", "utf-32be" },
	{ "ucs-4le", "utf-32le" },
	{ "unicode", "utf-16le" },
	{ "unicode-1-1-utf-8", "utf-8" },
	{ "unicode11utf8", "utf-8" },
	{ "unicode20utf8", "utf-8" },
	{ "unicodefeff", "utf-16le" },
	{ "unicodefffe", "utf-16be" },
	{ "us-ascii", "windows-1252" },
	{ "utf-16", "utf-16le" },
	{ "utf-16be", "utf-16be" },
	{ "utf-16le", "utf-16le" },
	{ "utf-32", "utf-32" },
	{ "utf-32be", "utf-32be" },
	{ "utf-32le", "utf-32le" },
	{ "utf-8", "utf-8" },
	{ "utf32", "utf-32" },
	{ "utf8", "utf-8" },
	{ "visual", "iso-8859-8" },
	{ "windows-1250", "windows-1250" },
	{ "windows-1251", "windows-1251" },
	{ "windows-1252", "windows-1252" },
	{ "windows-1253", "windows-1253" },
	{ "windows-1254", "windows-1254" },
	{ "windows-1255", "windows-1255" },
	{ "windows-1256", "windows-1256" },
	{ "windows-1257", "windows-1257" },
	{ "windows-1258", "windows-1258" },
	{ "windows-31j", "shift_jis" },
	{ "windows-874", "windows-874" },
	{ "windows-949", "euc-kr" },
	{ "x-cp1250", "windows-1250" },
	{ "x-cp1251", "windows-1251" },
	{ "x-cp1252", "windows-1252" },
	{ "x-cp1253", "windows-1253" },
	{ "x-cp1254", "windows-1254" },
	{ "x-cp1255", "windows-1255" },
	{ "x-cp1256", "windows-1256" },
	{ "x-cp1257", "windows-1257" },
	{ "x-cp1258", "windows-1258" },
	{ "x-euc-jp", "euc-jp" },
	{ "x-gbk", "gbk" },
	{ "x-mac-cyrillic", "x-mac-cyrillic" },
	{ "x-mac-roman", "macintosh" },
	{ "x-mac-ukrainian", "x-mac-cyrillic" },
	{ "x-sjis", "shift_jis" },
	{ "x-unicode20utf8", "utf-8" },
	{ "x-user-defined", "x-user-defined" },
	{ "x-x-big5", "big5" },
};

static const struct charset_info charset_infos[] = {
	{ "utf-8",		"UTF-8",	CHARSET_UTF8 },
	{ "ibm866",		"IBM866",	CHARSET_TABLE },
	{ "iso-8859-2",		"ISO-8859-2",	CHARSET_TABLE },
	{ "iso-8859-3",		"ISO-8859-3",	CHARSET_TABLE },
	{ "iso-8859-4",		"ISO-8859-4",	CHARSET_TABLE },
	{ "iso-8859-5",		"ISO-8859-5",	CHARSET_TABLE },
	{ "iso-8859-6",		"ISO-8859-6",	CHARSET_TABLE },
	{ "iso-8859-7",		"ISO-8859-7",	CHARSET_TABLE },
	{ "iso-8859-8",		"ISO-8859-8",	CHARSET_TABLE },
	{ "iso-8859-8-i",	"ISO-8859-8",	CHARSET_TABLE },
	{ "iso-8859-10",	"ISO-8859-10",	CHARSET_TABLE },
	{ "iso-8859-13",	"ISO-8859-13",	CHARSET_TABLE },
	{ "iso-8859-14",	"ISO-8859-14",	CHARSET_TABLE },
	{ "iso-8859-15",	"ISO-8859-15",	CHARSET_TABLE },
	{ "iso-8859-16",	"ISO-8859-16",	CHARSET_TABLE },
	{ "koi8-r",		"KOI8-R",	CHARSET_TABLE },
	{ "koi8-u",		"KOI8-RU",	CHARSET_TABLE },
	{ "macintosh",		"MACINTOSH",	CHARSET_TABLE },
	{ "windows-874",	"CP874",	CHARSET_TABLE },
	{ "windows-1250",	"CP1250",	CHARSET_TABLE },
	{ "windows-1251",	"CP1251",	CHARSET_TABLE },
	{ "windows-1252",	"CP1252",	CHARSET_TABLE },
	{ "windows-1253",	"CP1253",	CHARSET_TABLE },
	{ "windows-1254",	"CP1254",	CHARSET_TABLE },
	{ "windows-1255",	"CP1255",	CHARSET_TABLE },
	{ "windows-1256",	"CP1256",	CHARSET_TABLE },
	{ "windows-1257",	"CP1257",	CHARSET_TABLE },
	{ "windows-1258",	"CP1258",	CHARSET_TABLE },
	{ "x-mac-cyrillic",	"MAC-CYRILLIC",	CHARSET_TABLE },
	/* The Standard decodes gbk with its gb18030 decoder. */
	{ "gbk",		"GB18030",	CHARSET_ICONV },
	{ "gb18030",		"GB18030",	CHARSET_ICONV },
	{ "big5",		"BIG5-HKSCS",	CHARSET_ICONV },
	{ "euc-jp",		"EUC-JP",	CHARSET_ICONV },
	{ "iso-2022-jp",	"ISO-2022-JP",	CHARSET_ICONV },
	{ "shift_jis",		"CP932",	CHARSET_ICONV },
	{ "euc-kr",		"CP949",	CHARSET_ICONV },
	{ "utf-16le",		"UTF-16LE",	CHARSET_ICONV },
	{ "utf-16be",		"UTF-16BE",	CHARSET_ICONV },
	{ "x-user-defined",	NULL,		CHARSET_USERDEF },
	{ "utf-32",		"UTF-32",	CHARSET_ICONV },
	{ "utf-32le",		"UTF-32LE",	CHARSET_ICONV },
	{ "utf-32be",		"UTF-32BE",	CHARSET_ICONV },
	{ "cp037",		"CP037",	CHARSET_TABLE },
	{ "cp500",		"CP500",	CHARSET_TABLE },
	{ "cp437",		"CP437",	CHARSET_TABLE },
};

/* windows-1252's 0x80-0x9f; the Standard maps its five holes to C1. */
static const unsigned short charset_cp1252_c1[32] = {
	0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f,
	0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178,
};

static int
charset_label_cmp(const void *key, const void *elem)
{
	const struct charset_label	*l = elem;

	return (strcmp(key, l->label));
}

static const struct charset_info *
charset_info(const char *name)
{
	size_t	i;

	for (i = 0; i < nitems(charset_infos); i++) {
		if (strcmp(charset_infos[i].name, name) == 0)
			return (&charset_infos[i]);
	}
	return (NULL);
}

const char *
charset_canonical(const char *label)
{
	char				 key[64];
	const struct charset_label	*l;
	size_t				 n;

	if (label == NULL)
		return (NULL);
	while (*label == ' ' || *label == '\t' || *label == '\n' ||
	    *label == '\r' || *label == '\f')
		label++;
	for (n = 0; label[n] != '\0' && n < sizeof key - 1; n++)
		key[n] = tolower((unsigned char)label[n]);
	if (label[n] != '\0')
		return (NULL);
	while (n > 0 && strchr(" \t\n\r\f", key[n - 1]) != NULL)
		n--;
	key[n] = '\0';
	l = bsearch(key, charset_labels, nitems(charset_labels),
	    sizeof charset_labels[0], charset_label_cmp);
	if (l == NULL || strcmp(l->name, "replacement") == 0)
		return (NULL);
	return (l->name);
}

unsigned int
charset_cp1252(unsigned int b)
{
	if (b >= 0x80 && b < 0xa0)
		return (charset_cp1252_c1[b - 0x80]);
	return (b);
}

int
charset_is_wide(const char *name)
{
	return (name != NULL && (strncmp(name, "utf-16", 6) == 0 ||
	    strncmp(name, "utf-32", 6) == 0));
}

const char *
charset_bom(const char *buf, size_t len, size_t *bomlen)
{
	const unsigned char	*s = (const unsigned char *)buf;

	if (len >= 4 && memcmp(s, "\xff\xfe\0\0", 4) == 0) {
		*bomlen = 4;
		return ("utf-32le");
	}
	if (len >= 4 && memcmp(s, "\0\0\xfe\xff", 4) == 0) {
		*bomlen = 4;
		return ("utf-32be");
	}
	if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
		*bomlen = 3;
		return ("utf-8");
	}
	if (len >= 2 && s[0] == 0xff && s[1] == 0xfe) {
		*bomlen = 2;
		return ("utf-16le");
	}
	if (len >= 2 && s[0] == 0xfe && s[1] == 0xff) {
		*bomlen = 2;
		return ("utf-16be");
	}
	*bomlen = 0;
	return (NULL);
}

const char *
charset_pattern(const char *buf, size_t len)
{
	const unsigned char	*s = (const unsigned char *)buf;

	if (len < 4)
		return (NULL);
	if (s[0] == 0 && s[1] == 0 && s[2] == 0 && s[3] != 0)
		return ("utf-32be");
	if (s[0] != 0 && s[1] == 0 && s[2] == 0 && s[3] == 0)
		return ("utf-32le");
	if (s[0] == 0 && s[1] != 0 && s[2] == 0 && s[3] != 0)
		return ("utf-16be");
	if (s[0] != 0 && s[1] == 0 && s[2] != 0 && s[3] == 0)
		return ("utf-16le");
	if (memcmp(s, "\x4c\x6f\xa7\x94", 4) == 0)
		return ("cp037");
	return (NULL);
}

char *
charset_xmldecl(const char *buf, size_t len, const char *family)
{
	struct charset_dec	*dec;
	struct buf		 view;
	const char		*s, *end, *p, *q;
	char			*ret = NULL, quote;

	buf_init(&view);
	if (len > 1024)
		len = 1024;
	if (family != NULL) {
		if ((dec = charset_dec_new(family)) == NULL)
			return (NULL);
		charset_dec_run(dec, buf, len, &view, 0);
		charset_dec_free(dec);
	} else
		buf_add(&view, buf, len);
	s = view.data;
	end = s + view.len;
	if (view.len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3;
	while (s < end && strchr(" \t\r\n", *s) != NULL && *s != '\0')
		s++;
	if (end - s < 6 || strncmp(s, "<?xml", 5) != 0)
		goto out;
	if ((q = memmem(s, end - s, "?>", 2)) == NULL)
		goto out;
	if ((p = memmem(s, q - s, "encoding", 8)) == NULL)
		goto out;
	p += 8;
	while (p < q && strchr(" \t\r\n", *p) != NULL)
		p++;
	if (p >= q || *p++ != '=')
		goto out;
	while (p < q && strchr(" \t\r\n", *p) != NULL)
		p++;
	if (p >= q || (*p != '"' && *p != '\''))
		goto out;
	quote = *p++;
	for (s = p; p < q && *p != quote; p++)
		;
	if (p < q && p - s < 64)
		ret = xstrndup(s, p - s);
out:
	buf_release(&view);
	return (ret);
}

void
charset_put(struct buf *out, unsigned int c)
{
	char	u[4];

	if (c < 0x80)
		buf_addc(out, (char)c);
	else if (c < 0x800) {
		u[0] = 0xc0 | (c >> 6);
		u[1] = 0x80 | (c & 0x3f);
		buf_add(out, u, 2);
	} else if (c < 0x10000) {
		u[0] = 0xe0 | (c >> 12);
		u[1] = 0x80 | ((c >> 6) & 0x3f);
		u[2] = 0x80 | (c & 0x3f);
		buf_add(out, u, 3);
	} else {
		u[0] = 0xf0 | (c >> 18);
		u[1] = 0x80 | ((c >> 12) & 0x3f);
		u[2] = 0x80 | ((c >> 6) & 0x3f);
		u[3] = 0x80 | (c & 0x3f);
		buf_add(out, u, 4);
	}
}

/* Build the table of a single-byte charset, one byte at a time through
 * iconv, flushing after each so that the combining code pages (1255, 1258)
 * give their character rather than hold it back. */
static int
charset_dec_table(struct charset_dec *dec, const struct charset_info *ci)
{
	iconv_t		 cd;
	char		 in[1], out[8], *ip, *op;
	size_t		 il, ol;
	unsigned int	 b;

	if ((cd = iconv_open("UTF-8", ci->iconv)) == (iconv_t)-1)
		return (-1);
	for (b = 0; b < 256; b++) {
		in[0] = (char)b;
		ip = in;
		il = 1;
		op = out;
		ol = sizeof out;
		iconv(cd, NULL, NULL, NULL, NULL);
		if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1 || il != 0 ||
		    iconv(cd, NULL, NULL, &op, &ol) == (size_t)-1 ||
		    op - out > 4 || op == out) {
			dec->tablen[b] = 0;
			continue;
		}
		memcpy(dec->tab[b], out, op - out);
		dec->tablen[b] = op - out;
	}
	iconv_close(cd);
	dec->ascii = 1;
	for (b = 0; b < 0x80; b++) {
		if (dec->tablen[b] != 1 || (unsigned char)dec->tab[b][0] != b)
			dec->ascii = 0;
	}
	if (strcmp(ci->name, "windows-1252") == 0) {
		for (b = 0x80; b < 0xa0; b++) {
			if (dec->tablen[b] != 0)
				continue;
			dec->tab[b][0] = 0xc2;
			dec->tab[b][1] = b;
			dec->tablen[b] = 2;
		}
	}
	return (0);
}

struct charset_dec *
charset_dec_new(const char *name)
{
	const struct charset_info	*ci;
	struct charset_dec		*dec;
	unsigned int			 b;

	if (name == NULL || (ci = charset_info(name)) == NULL)
		return (NULL);
	dec = xcalloc(1, sizeof *dec);
	dec->kind = ci->kind;
	dec->cd = (iconv_t)-1;
	buf_init(&dec->scratch);
	switch (ci->kind) {
	case CHARSET_UTF8:
		break;
	case CHARSET_TABLE:
		if (charset_dec_table(dec, ci) == -1)
			goto fail;
		break;
	case CHARSET_USERDEF:
		dec->kind = CHARSET_TABLE;
		dec->ascii = 1;
		for (b = 0; b < 256; b++) {
			struct buf	t;

			buf_init(&t);
			charset_put(&t, b < 0x80 ? b : 0xf780 + b - 0x80);
			memcpy(dec->tab[b], t.data, t.len);
			dec->tablen[b] = t.len;
			buf_release(&t);
		}
		break;
	case CHARSET_ICONV:
		dec->cd = iconv_open("UTF-8", ci->iconv);
		if (dec->cd == (iconv_t)-1)
			goto fail;
		break;
	}
	return (dec);
fail:
	charset_dec_free(dec);
	return (NULL);
}

void
charset_dec_free(struct charset_dec *dec)
{
	if (dec == NULL)
		return;
	if (dec->cd != (iconv_t)-1)
		iconv_close(dec->cd);
	buf_release(&dec->scratch);
	free(dec);
}

int
charset_utf8_seq(const unsigned char *s, size_t len)
{
	unsigned char	c = s[0], lo = 0x80, hi = 0xbf;
	int		n, i;

	if (c < 0x80)
		return (1);
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else
		return (0);
	for (i = 1; i < n; i++) {
		if ((size_t)i >= len)
			return (-1);
		if (s[i] < lo || s[i] > hi)
			return (0);
		lo = 0x80;
		hi = 0xbf;
	}
	return (n);
}

static size_t
charset_run_utf8(const char *buf, size_t len, struct buf *out, int last,
    size_t *invalid)
{
	const unsigned char	*s = (const unsigned char *)buf;
	size_t			 i = 0, start;
	int			 n;

	while (i < len) {
		start = i;
		/* Most feeds are mostly ASCII: step eight bytes at a time. */
		for (;;) {
			while (i + 8 <= len) {
				uint64_t	w;

				memcpy(&w, s + i, 8);
				if (w & 0x8080808080808080ULL)
					break;
				i += 8;
			}
			while (i < len && s[i] < 0x80)
				i++;
			if (i >= len || (n = charset_utf8_seq(s + i,
			    len - i)) <= 0)
				break;
			i += n;
		}
		if (i > start)
			buf_add(out, buf + start, i - start);
		if (i >= len)
			break;
		n = charset_utf8_seq(s + i, len - i);
		if (n == -1 && !last)
			return (i);
		/* A stray byte: most often windows-1252 pasted into UTF-8. */
		(*invalid)++;
		if (s[i] >= 0x80 && s[i] < 0xa0)
			charset_put(out, charset_cp1252_c1[s[i] - 0x80]);
		else
			charset_put(out, s[i]);
		i++;
	}
	return (i);
}

static size_t
charset_run_table(struct charset_dec *dec, const char *buf, size_t len,
    struct buf *out, size_t *invalid)
{
	const unsigned char	*s = (const unsigned char *)buf;
	size_t			 i, start;

	for (i = 0; i < len; i++) {
		start = i;
		while (dec->ascii && i < len && s[i] < 0x80)
			i++;
		if (i > start)
			buf_add(out, buf + start, i - start);
		if (i >= len)
			break;
		if (dec->tablen[s[i]] == 0) {
			(*invalid)++;
			buf_add(out, "\xef\xbf\xbd", 3);
		} else
			buf_add(out, dec->tab[s[i]], dec->tablen[s[i]]);
	}
	return (len);
}

static size_t
charset_run_iconv(struct charset_dec *dec, const char *buf, size_t len,
    struct buf *out, int last, size_t *invalid)
{
	char	 tmp[4096], *ip = (char *)buf, *op;
	size_t	 il = len, ol, r;

	while (il > 0) {
		op = tmp;
		ol = sizeof tmp;
		r = iconv(dec->cd, &ip, &il, &op, &ol);
		buf_add(out, tmp, op - tmp);
		if (r != (size_t)-1 || errno == E2BIG)
			continue;
		if (errno == EINVAL && !last)
			break;
		/* EILSEQ, or a sequence cut short at the very end. */
		(*invalid)++;
		buf_add(out, "\xef\xbf\xbd", 3);
		ip++;
		il--;
	}
	if (last) {
		op = tmp;
		ol = sizeof tmp;
		iconv(dec->cd, NULL, NULL, &op, &ol);
		buf_add(out, tmp, op - tmp);
	}
	return (ip - buf);
}

size_t
charset_dec_run(struct charset_dec *dec, const char *buf, size_t len,
    struct buf *out, int last)
{
	size_t	used = 0, invalid = 0;

	if (dec->npend > 0) {
		buf_clear(&dec->scratch);
		buf_add(&dec->scratch, dec->pend, dec->npend);
		buf_add(&dec->scratch, buf, len);
		buf = dec->scratch.data;
		len = dec->scratch.len;
		dec->npend = 0;
	}
	switch (dec->kind) {
	case CHARSET_UTF8:
		used = charset_run_utf8(buf, len, out, last, &invalid);
		break;
	case CHARSET_TABLE:
	case CHARSET_USERDEF:
		used = charset_run_table(dec, buf, len, out, &invalid);
		break;
	case CHARSET_ICONV:
		used = charset_run_iconv(dec, buf, len, out, last, &invalid);
		break;
	}
	if (used < len) {
		if (len - used > sizeof dec->pend) {
			/* Cannot be a cut sequence: count it as invalid. */
			invalid++;
			buf_add(out, "\xef\xbf\xbd", 3);
		} else {
			memcpy(dec->pend, buf + used, len - used);
			dec->npend = len - used;
		}
	}
	return (invalid);
}

int
charset_valid(const char *name, const char *buf, size_t len)
{
	struct charset_dec	*dec;
	struct buf		 out;
	size_t			 invalid;

	if ((dec = charset_dec_new(name)) == NULL)
		return (0);
	buf_init(&out);
	invalid = charset_dec_run(dec, buf, len, &out, 0);
	buf_release(&out);
	charset_dec_free(dec);
	return (invalid == 0);
}

/*
 * Text outside markup ('<' to '>') in which letters from 0xc0 up outnumber
 * ASCII letters is Cyrillic in a single-byte charset: Latin languages
 * write most letters in ASCII, Russian or Ukrainian none.  Lower case is
 * most of any text: 0xe0-0xff in windows-1251, 0xc0-0xdf in KOI8-R.  What
 * is not plainly Cyrillic stays windows-1252, the web's default.
 */
const char *
charset_guess_8bit(const char *buf, size_t len)
{
	const unsigned char	*s = (const unsigned char *)buf;
	size_t			 i, ascii = 0, upper = 0, lower = 0;
	int			 tag = 0;

	for (i = 0; i < len; i++) {
		if (tag) {
			tag = s[i] != '>';
			continue;
		}
		if (s[i] == '<')
			tag = 1;
		else if ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z')
			ascii++;
		else if (s[i] >= 0xe0)
			upper++;
		else if (s[i] >= 0xc0)
			lower++;
	}
	if (upper + lower <= ascii || upper + lower < 6)
		return ("windows-1252");
	return (upper >= lower ? "windows-1251" : "koi8-r");
}
