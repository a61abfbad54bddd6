/*
 * HTML to plain text for the search index.  Not a renderer: it only has to
 * find the words a reader sees, so a tag is a word break, an attribute's
 * value is never text (a word only in a link's URL or an image's alt is
 * not found), and an entity is decoded as a browser would.  A '<' that
 * cannot open a tag (a title saying "a < b") stays text.  It must be
 * deterministic: the index deletes an item by feeding it the same text.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "entities.h"
#include "htmltext.h"

static void
htmltext_utf8(struct buf *b, uint32_t c)
{
	char	u[4];

	if (c == 0 || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		c = 0xfffd;
	if (c < 0x80) {
		buf_addc(b, (char)c);
		return;
	}
	if (c < 0x800) {
		u[0] = (char)(0xc0 | c >> 6);
		u[1] = (char)(0x80 | (c & 0x3f));
		buf_add(b, u, 2);
	} else if (c < 0x10000) {
		u[0] = (char)(0xe0 | c >> 12);
		u[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		u[2] = (char)(0x80 | (c & 0x3f));
		buf_add(b, u, 3);
	} else {
		u[0] = (char)(0xf0 | c >> 18);
		u[1] = (char)(0x80 | ((c >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((c >> 6) & 0x3f));
		u[3] = (char)(0x80 | (c & 0x3f));
		buf_add(b, u, 4);
	}
}

/* A space, unless the text so far ends in one (or is empty). */
static void
htmltext_space(struct buf *b, size_t start)
{
	if (b->len > start && b->data[b->len - 1] != ' ')
		buf_addc(b, ' ');
}

/* Decode the reference at p (p[0] == '&'); returns the bytes used, 0 when
 * it is no reference (the '&' is then text). */
static size_t
htmltext_entity(struct buf *b, const char *p, size_t n)
{
	char		 name[40];
	const char	*utf8;
	uint32_t	 c = 0;
	size_t		 i = 1, k;
	int		 hex = 0, digits = 0;

	if (i < n && p[i] == '#') {
		i++;
		if (i < n && (p[i] == 'x' || p[i] == 'X')) {
			hex = 1;
			i++;
		}
		for (; i < n && digits < 8; i++, digits++) {
			if (hex && isxdigit((unsigned char)p[i]))
				c = c * 16 + (uint32_t)(isdigit((unsigned char)
				    p[i]) ? p[i] - '0' : (tolower((unsigned
				    char)p[i]) - 'a' + 10));
			else if (!hex && isdigit((unsigned char)p[i]))
				c = c * 10 + (uint32_t)(p[i] - '0');
			else
				break;
		}
		if (digits == 0)
			return (0);
		if (i < n && p[i] == ';')
			i++;
		htmltext_utf8(b, c);
		return (i);
	}
	for (k = 0; i < n && k < sizeof name - 1 &&
	    isalnum((unsigned char)p[i]); i++, k++)
		name[k] = p[i];
	name[k] = '\0';
	if (k == 0 || i >= n || p[i] != ';')
		return (0);
	if ((utf8 = entities_lookup(name)) == NULL)
		return (0);
	buf_adds(b, utf8);
	return (i + 1);
}

/* Skip the tag, comment or declaration at p (p[0] == '<'); 0 when it is
 * no markup.  *skip_to names an element whose body is not text. */
static size_t
htmltext_tag(const char *p, size_t n, const char **skip_to)
{
	const char	*e;
	size_t		 i = 1;
	char		 q;

	*skip_to = NULL;
	if (n >= 4 && strncmp(p, "<!--", 4) == 0) {
		e = memmem(p + 4, n - 4, "-->", 3);
		return (e != NULL ? (size_t)(e - p) + 3 : n);
	}
	if (i < n && p[i] == '/')
		i++;
	if (i >= n || !(isalpha((unsigned char)p[i]) || p[i] == '!' ||
	    p[i] == '?'))
		return (0);
	if (p[1] != '/' && (strncasecmp(p + 1, "script", 6) == 0 ||
	    strncasecmp(p + 1, "style", 5) == 0)) {
		*skip_to = tolower((unsigned char)p[2]) == 'c' ? "</script" :
		    "</style";
	}
	for (; i < n && p[i] != '>'; i++) {
		if (p[i] == '"' || p[i] == '\'') {
			q = p[i];
			e = memchr(p + i + 1, q, n - i - 1);
			if (e == NULL)
				return (n);
			i = (size_t)(e - p);
		}
	}
	return (i < n ? i + 1 : n);
}

void
htmltext_append(struct buf *b, const char *html, size_t len)
{
	const char	*p = html, *end = html + len, *skip_to, *e;
	size_t		 start = b->len, used, k;

	if (html == NULL || len == 0)
		return;
	if (b->len > 0 && b->data[b->len - 1] != ' ')
		buf_addc(b, ' ');
	start = b->len;
	while (p < end) {
		if (*p == '<' &&
		    (used = htmltext_tag(p, (size_t)(end - p), &skip_to)) > 0) {
			htmltext_space(b, start);
			p += used;
			if (skip_to == NULL)
				continue;
			/* Find the closing tag, in any case. */
			k = strlen(skip_to);
			for (e = p; e + k <= end; e++)
				if (strncasecmp(e, skip_to, k) == 0)
					break;
			p = e + k <= end ? e : end;
			continue;
		}
		if (*p == '&' &&
		    (used = htmltext_entity(b, p, (size_t)(end - p))) > 0) {
			p += used;
			continue;
		}
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' ||
		    *p == '\f') {
			htmltext_space(b, start);
			p++;
			continue;
		}
		buf_addc(b, *p++);
	}
	while (b->len > start && b->data[b->len - 1] == ' ')
		b->data[--b->len] = '\0';
}
