/*
 * HTML to text.  Feed content is HTML of every quality (unclosed <p>,
 * stray '<', entities without ';', whole documents with <head>), so this
 * is a tolerant scanner, not a parser: tags open and close blocks, text is
 * decoded and its white space collapsed, and what cannot be a tag is
 * text.  The writer below turns "a block ends here" and "words" into
 * lines, wrapped and prefixed (list markers, quote marks); the same scan
 * serves the plain form for indexing, with no wrapping and no links.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "entities.h"
#include "htmltext.h"
#include "xmalloc.h"

#define HTMLTEXT_MAX_LIST	16	/* nesting kept track of */

struct htmltext {
	struct buf	*out;
	int		 plain;		/* the indexing form */
	int		 width;		/* wrap column, 0 none */
	int		 col;		/* columns on the current line */
	int		 started;	/* any text written yet */
	int		 nl;		/* line breaks owed before the text */
	int		 space;		/* a space owed before the text */
	int		 pre;		/* inside <pre>: keep white space */
	int		 keeplines;	/* text without markup: keep its
					 * line breaks, collapse the rest */
	int		 quote;		/* <blockquote> depth */
	int		 list;		/* list depth */
	int		 ordered[HTMLTEXT_MAX_LIST];
	int		 number[HTMLTEXT_MAX_LIST];
	const char	*marker;	/* a list item's "- " owed */
	char		 markbuf[16];
	int		 indent;	/* columns of list indentation */
	struct buf	 links;		/* "[N] URL\n" lines */
	int		 nlinks;
	char		*href;		/* the open <a>'s, owned */
};

/* Columns of UTF-8 text (continuation bytes take none). */
static int
htmltext_cols(const char *s, size_t len)
{
	size_t	i;
	int	n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return (n);
}

/* Start a new line: the line's prefix (quote marks, list indent). */
static void
htmltext_newline(struct htmltext *h)
{
	int	i;

	buf_addc(h->out, '\n');
	h->col = 0;
	if (h->plain)
		return;
	for (i = 0; i < h->quote; i++) {
		buf_adds(h->out, "> ");
		h->col += 2;
	}
	for (i = 0; i < h->indent; i++)
		buf_addc(h->out, ' ');
	h->col += h->indent;
}

/* Owe at least N line breaks before the next text (2: a blank line). */
static void
htmltext_break(struct htmltext *h, int n)
{
	if (h->plain)
		n = 1;
	if (h->nl < n)
		h->nl = n;
	h->space = 0;
}

/* Write a word (or, in <pre>, a run of text without line breaks). */
static void
htmltext_word(struct htmltext *h, const char *w, size_t len)
{
	int	cols = htmltext_cols(w, len), i, m, r;

	if (len == 0)
		return;
	if (h->started && h->nl > 0) {
		for (i = 0; i < h->nl; i++) {
			/* A blank line carries the quote marks alone. */
			if (i + 1 < h->nl) {
				buf_addc(h->out, '\n');
				continue;
			}
			htmltext_newline(h);
		}
		h->space = 0;
	} else if (!h->started && !h->plain) {
		h->col = 0;
		for (i = 0; i < h->quote; i++) {
			buf_adds(h->out, "> ");
			h->col += 2;
		}
		for (i = 0; i < h->indent; i++)
			buf_addc(h->out, ' ');
		h->col += h->indent;
	}
	h->nl = 0;
	if (h->marker != NULL) {
		/* The marker hangs in the item's indentation, just written. */
		m = (int)strlen(h->marker);
		r = m < h->indent ? m : h->indent;
		if (h->col == h->indent + 2 * h->quote) {
			h->out->len -= (size_t)r;
			h->out->data[h->out->len] = '\0';
			h->col -= r;
		}
		buf_adds(h->out, h->marker);
		h->col += m;
		h->marker = NULL;
		h->space = 0;
	}
	if (h->space && h->started) {
		if (h->width > 0 && !h->pre && h->col + 1 + cols > h->width &&
		    h->col > h->indent + 2 * h->quote)
			htmltext_newline(h);
		else {
			buf_addc(h->out, ' ');
			h->col++;
		}
	}
	h->space = 0;
	buf_add(h->out, w, len);
	h->col += cols;
	h->started = 1;
}

/* Text between tags, entities already decoded. */
static void
htmltext_text(struct htmltext *h, const char *s, size_t len)
{
	size_t	i, start;

	for (i = 0; i < len;) {
		if (h->pre && (s[i] == '\n')) {
			if (h->started)
				htmltext_newline(h);
			i++;
			continue;
		}
		if (h->keeplines && s[i] == '\n') {
			if (h->started && h->nl < 2)
				htmltext_break(h, h->nl + 1);
			i++;
			continue;
		}
		if (!h->pre && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' ||
		    s[i] == '\r' || s[i] == '\f')) {
			h->space = 1;
			i++;
			continue;
		}
		start = i;
		if (h->pre)
			while (i < len && s[i] != '\n')
				i++;
		else
			while (i < len && s[i] != ' ' && s[i] != '\t' &&
			    s[i] != '\n' && s[i] != '\r' && s[i] != '\f')
				i++;
		htmltext_word(h, s + start, i - start);
	}
}

/* Append the UTF-8 of code point CP (replacement character if bad). */
static void
htmltext_utf8(struct buf *b, unsigned long cp)
{
	char	u[4];

	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x80) {
		buf_addc(b, (char)cp);
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		buf_add(b, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		buf_add(b, u, 3);
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		buf_add(b, u, 4);
	}
}

/*
 * Decode the character references of S into OUT.  A reference that is
 * not one (an '&' in "AT&T", an unknown name) stays as written.  A
 * no-break space becomes a plain space: it is layout, not text.
 */
static void
htmltext_decode(const char *s, size_t len, struct buf *out)
{
	size_t		 i, j;
	char		 name[40], *end;
	const char	*u, *amp;
	unsigned long	 cp;

	for (i = 0; i < len; i++) {
		if (s[i] != '&') {
			/* The run up to the next reference, at once. */
			amp = memchr(s + i, '&', len - i);
			j = amp != NULL ? (size_t)(amp - s) : len;
			buf_add(out, s + i, j - i);
			i = j - 1;
			continue;
		}
		for (j = i + 1; j < len && j - i < sizeof name - 1 &&
		    (isalnum((unsigned char)s[j]) || s[j] == '#'); j++)
			;
		if (j >= len || s[j] != ';' || j == i + 1) {
			buf_addc(out, '&');
			continue;
		}
		memcpy(name, s + i + 1, j - i - 1);
		name[j - i - 1] = '\0';
		if (name[0] == '#') {
			if (name[1] == 'x' || name[1] == 'X')
				cp = strtoul(name + 2, &end, 16);
			else
				cp = strtoul(name + 1, &end, 10);
			if (*end != '\0' || end == name + 1) {
				buf_addc(out, '&');
				continue;
			}
			if (cp == 0xa0)
				cp = ' ';
			htmltext_utf8(out, cp);
		} else if ((u = entities_lookup(name)) != NULL) {
			if (strcmp(name, "nbsp") == 0)
				u = " ";
			buf_adds(out, u);
		} else {
			buf_addc(out, '&');
			continue;
		}
		i = j;
	}
}

/* The value of attribute NAME in a tag's attribute text, decoded. */
static char *
htmltext_attr(const char *a, size_t len, const char *name)
{
	size_t		 i = 0, ns, ne, vs, ve;
	struct buf	 v;
	char		 q;

	while (i < len) {
		while (i < len && (isspace((unsigned char)a[i]) || a[i] == '/'))
			i++;
		ns = i;
		while (i < len && !isspace((unsigned char)a[i]) && a[i] != '=' &&
		    a[i] != '/')
			i++;
		ne = i;
		while (i < len && isspace((unsigned char)a[i]))
			i++;
		vs = ve = i;
		if (i < len && a[i] == '=') {
			i++;
			while (i < len && isspace((unsigned char)a[i]))
				i++;
			if (i < len && (a[i] == '"' || a[i] == '\'')) {
				q = a[i++];
				vs = i;
				while (i < len && a[i] != q)
					i++;
				ve = i;
				if (i < len)
					i++;
			} else {
				vs = i;
				while (i < len && !isspace((unsigned char)a[i]))
					i++;
				ve = i;
			}
		}
		if (ne - ns == strlen(name) &&
		    strncasecmp(a + ns, name, ne - ns) == 0) {
			buf_init(&v);
			htmltext_decode(a + vs, ve - vs, &v);
			if (v.data == NULL)
				buf_addc(&v, '\0'), v.len = 0;
			return (buf_detach(&v));
		}
		if (ne == ns && i == vs)
			i++;	/* a stray character: step over it */
	}
	return (NULL);
}

/* Elements whose content is never text. */
static const char *htmltext_skipped[] = {
	"script", "style", "template", "head", "title", "svg", "math",
	"iframe", "object", "noembed", "select", "textarea",
};

/* Elements that are blocks of their own: a blank line around them. */
static const char *htmltext_paragraphs[] = {
	"p", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "table", "figure",
	"hr", "address", "dl", "fieldset", "form", "details", "ul", "ol",
	"blockquote",
};

/* Elements that start a line. */
static const char *htmltext_lines[] = {
	"div", "li", "tr", "dt", "dd", "section", "article", "header",
	"footer", "aside", "nav", "main", "figcaption", "caption", "summary",
	"center", "body", "html",
};

/*
 * Phrasing elements that change nothing here, the most common tags of
 * all: known at a glance, before the lists above are searched.
 */
static int
htmltext_inline(const char *n)
{
	switch (n[0]) {
	case 'b':
		return (n[1] == '\0' || strcmp(n, "big") == 0 ||
		    strcmp(n, "bdi") == 0 || strcmp(n, "bdo") == 0);
	case 'c':
		return (strcmp(n, "code") == 0 || strcmp(n, "cite") == 0);
	case 'e':
		return (strcmp(n, "em") == 0);
	case 'f':
		return (strcmp(n, "font") == 0);
	case 'i':
		return (n[1] == '\0' || strcmp(n, "ins") == 0);
	case 'm':
		return (strcmp(n, "mark") == 0);
	case 's':
		return (n[1] == '\0' || strcmp(n, "strong") == 0 ||
		    strcmp(n, "span") == 0 || strcmp(n, "small") == 0 ||
		    strcmp(n, "sup") == 0 || strcmp(n, "sub") == 0);
	case 'u':
		return (n[1] == '\0');
	default:
		return (0);
	}
}

static int
htmltext_in(const char *name, const char **set, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcmp(name, set[i]) == 0)
			return (1);
	return (0);
}

static void
htmltext_link_end(struct htmltext *h)
{
	char	ref[32];

	if (h->href == NULL)
		return;
	if (!h->plain) {
		h->nlinks++;
		snprintf(ref, sizeof ref, "[%d]", h->nlinks);
		htmltext_word(h, ref, strlen(ref));
		buf_addf(&h->links, "[%d] %s\n", h->nlinks, h->href);
	}
	free(h->href);
	h->href = NULL;
}

/* One tag: NAME lower case, ATTRS its attribute text. */
static void
htmltext_tag(struct htmltext *h, const char *name, int closing,
    const char *attrs, size_t alen)
{
	char	*v, *alt;
	int	 d;

	if (strcmp(name, "br") == 0) {
		if (h->started) {
			if (h->nl < 1)
				h->nl = 1;
			else if (h->nl < 2)
				h->nl++;
		}
		h->space = 0;
		return;
	}
	if (strcmp(name, "a") == 0) {
		if (closing) {
			htmltext_link_end(h);
			return;
		}
		htmltext_link_end(h);
		v = htmltext_attr(attrs, alen, "href");
		if (v != NULL && (*v == '\0' || *v == '#' ||
		    strncasecmp(v, "javascript:", 11) == 0)) {
			free(v);
			v = NULL;
		}
		h->href = v;
		return;
	}
	if (strcmp(name, "img") == 0 && !closing) {
		alt = htmltext_attr(attrs, alen, "alt");
		if (alt != NULL && *alt != '\0') {
			if (!h->plain)
				htmltext_text(h, "[image: ", 8);
			else
				h->space = 1;
			htmltext_text(h, alt, strlen(alt));
			if (!h->plain)
				htmltext_word(h, "]", 1);
			h->space = 1;
		}
		free(alt);
		return;
	}
	if (strcmp(name, "td") == 0 || strcmp(name, "th") == 0) {
		h->space = 1;
		return;
	}
	if (strcmp(name, "ul") == 0 || strcmp(name, "ol") == 0) {
		if (!closing) {
			if (h->list < HTMLTEXT_MAX_LIST) {
				h->ordered[h->list] = name[0] == 'o';
				h->number[h->list] = 0;
			}
			h->list++;
			h->indent = 2 * h->list;
		} else if (h->list > 0) {
			h->list--;
			h->indent = 2 * h->list;
		}
		/* A nested list is a line, not a paragraph. */
		htmltext_break(h, h->list > 0 && !closing ? 1 :
		    (h->list > 0 ? 1 : 2));
		return;
	}
	if (strcmp(name, "li") == 0) {
		htmltext_break(h, 1);
		if (closing || h->list == 0)
			return;
		d = h->list - 1 < HTMLTEXT_MAX_LIST ? h->list - 1 :
		    HTMLTEXT_MAX_LIST - 1;
		if (h->ordered[d])
			snprintf(h->markbuf, sizeof h->markbuf, "%d. ",
			    ++h->number[d]);
		else
			snprintf(h->markbuf, sizeof h->markbuf, "- ");
		if (!h->plain)
			h->marker = h->markbuf;
		return;
	}
	if (strcmp(name, "blockquote") == 0) {
		htmltext_break(h, 2);
		if (!closing)
			h->quote++;
		else if (h->quote > 0)
			h->quote--;
		return;
	}
	if (strcmp(name, "pre") == 0) {
		htmltext_break(h, 2);
		h->pre = !closing;
		return;
	}
	if (htmltext_in(name, htmltext_paragraphs, nitems(htmltext_paragraphs)))
		htmltext_break(h, 2);
	else if (htmltext_in(name, htmltext_lines, nitems(htmltext_lines)))
		htmltext_break(h, 1);
}

/* Whether S holds anything that looks like a tag or a reference. */
static int
htmltext_has_markup(const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i + 1 < len; i++)
		if (s[i] == '<' && (isalpha((unsigned char)s[i + 1]) ||
		    s[i + 1] == '/' || s[i + 1] == '!'))
			return (1);
	return (0);
}

/* Text, decoded, into the writer. */
static void
htmltext_chunk(struct htmltext *h, const char *s, size_t len)
{
	struct buf	t;

	if (len == 0)
		return;
	buf_init(&t);
	htmltext_decode(s, len, &t);
	if (t.len > 0)
		htmltext_text(h, t.data, t.len);
	buf_release(&t);
}

/* Find NEEDLE (ASCII, matched without case) in S at or after I. */
static size_t
htmltext_find(const char *s, size_t len, size_t i, const char *needle)
{
	size_t	n = strlen(needle);

	for (; i + n <= len; i++)
		if (strncasecmp(s + i, needle, n) == 0)
			return (i);
	return (len);
}

static void
htmltext_run(struct htmltext *h, const char *s, size_t len)
{
	size_t	 i = 0, text = 0, ns, ne, ae, end;
	char	 name[16], close[24];
	int	 closing;
	size_t	 k;

	if (!htmltext_has_markup(s, len)) {
		/* Plain text: its line breaks are its layout. */
		h->keeplines = 1;
		htmltext_chunk(h, s, len);
		return;
	}
	while (i < len) {
		if (s[i] != '<') {
			i++;
			continue;
		}
		if (i + 3 < len && strncmp(s + i, "<!--", 4) == 0) {
			htmltext_chunk(h, s + text, i - text);
			end = htmltext_find(s, len, i + 4, "-->");
			i = text = end < len ? end + 3 : len;
			continue;
		}
		if (i + 8 < len && strncmp(s + i, "<![CDATA[", 9) == 0) {
			htmltext_chunk(h, s + text, i - text);
			end = htmltext_find(s, len, i + 9, "]]>");
			htmltext_text(h, s + i + 9, end - (i + 9));
			i = text = end < len ? end + 3 : len;
			continue;
		}
		if (i + 1 < len && (s[i + 1] == '!' || s[i + 1] == '?')) {
			htmltext_chunk(h, s + text, i - text);
			end = htmltext_find(s, len, i, ">");
			i = text = end < len ? end + 1 : len;
			continue;
		}
		closing = i + 1 < len && s[i + 1] == '/';
		ns = i + 1 + (closing ? 1 : 0);
		if (ns >= len || !isalpha((unsigned char)s[ns])) {
			i++;	/* a '<' that opens nothing is text */
			continue;
		}
		for (ne = ns; ne < len && (isalnum((unsigned char)s[ne]) ||
		    s[ne] == '-' || s[ne] == ':'); ne++)
			;
		/* The tag ends at the first '>' outside quotes. */
		for (ae = ne; ae < len && s[ae] != '>'; ae++) {
			if (s[ae] == '"' || s[ae] == '\'') {
				end = ae;
				while (++end < len && s[end] != s[ae])
					;
				if (end >= len)
					break;
				ae = end;
			}
		}
		htmltext_chunk(h, s + text, i - text);
		for (k = 0; k < sizeof name - 1 && ns + k < ne; k++)
			name[k] = (char)tolower((unsigned char)s[ns + k]);
		name[k] = '\0';
		if (ne - ns >= sizeof name)
			name[0] = '\0';	/* no element we know */
		i = text = ae < len ? ae + 1 : len;
		if (htmltext_inline(name))
			continue;
		if (!closing && htmltext_in(name, htmltext_skipped,
		    nitems(htmltext_skipped)) && (ae == 0 || s[ae - 1] != '/')) {
			snprintf(close, sizeof close, "</%s", name);
			end = htmltext_find(s, len, i, close);
			end = htmltext_find(s, len, end, ">");
			i = text = end < len ? end + 1 : len;
			continue;
		}
		if (name[0] != '\0')
			htmltext_tag(h, name, closing, s + ne, ae < len ?
			    ae - ne : len - ne);
	}
	htmltext_chunk(h, s + text, len - text);
	htmltext_link_end(h);
}

void
htmltext_render(const char *html, size_t len, int width, struct buf *out)
{
	struct htmltext	h;

	memset(&h, 0, sizeof h);
	h.out = out;
	h.width = width;
	buf_init(&h.links);
	htmltext_run(&h, html, len);
	if (h.started)
		buf_addc(out, '\n');
	if (h.links.len > 0) {
		if (h.started)
			buf_addc(out, '\n');
		buf_add(out, h.links.data, h.links.len);
	}
	buf_release(&h.links);
	free(h.href);
}

void
htmltext_plain(const char *html, size_t len, struct buf *out)
{
	struct htmltext	h;

	memset(&h, 0, sizeof h);
	h.out = out;
	h.plain = 1;
	buf_init(&h.links);
	htmltext_run(&h, html, len);
	if (h.started)
		buf_addc(out, '\n');
	buf_release(&h.links);
	free(h.href);
}

void
htmltext_append(struct buf *out, const char *html, size_t len)
{
	if (out->len > 0)
		buf_addc(out, ' ');
	htmltext_plain(html, len, out);
}
