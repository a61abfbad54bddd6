/*
 * OPML import and export.  Reading goes through expat with no external
 * entities or DTD; every <outline> with an xmlUrl is a feed, and the text
 * of the outlines around it become its tags (how feed readers export
 * folders).  Writing escapes everything it prints.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <expat.h>

#include "opml.h"
#include "xmalloc.h"

#define OPML_MAX_DEPTH	64

struct opml_state {
	void		(*cb)(const struct opml_feed *, void *);
	void		*arg;
	const char	*folders[OPML_MAX_DEPTH];
	char		*owned[OPML_MAX_DEPTH];
	int		 depth;
	int		 nfeeds;
	int		 saw_opml;
};

static const char *
opml_attr(const XML_Char **attrs, const char *name)
{
	size_t	i;

	for (i = 0; attrs[i] != NULL; i += 2)
		if (strcasecmp(attrs[i], name) == 0)
			return (attrs[i + 1]);
	return (NULL);
}

static void XMLCALL
opml_start(void *arg, const XML_Char *name, const XML_Char **attrs)
{
	struct opml_state	*s = arg;
	struct opml_feed	 f;
	const char		*url, *text, *tags[OPML_MAX_DEPTH], *cat;
	char			*catcopy = NULL, *p, *one, *last;
	int			 i, n = 0;

	if (strcasecmp(name, "opml") == 0)
		s->saw_opml = 1;
	if (strcasecmp(name, "outline") != 0)
		return;
	url = opml_attr(attrs, "xmlUrl");
	text = opml_attr(attrs, "text");
	if (text == NULL || *text == '\0')
		text = opml_attr(attrs, "title");
	if (s->depth < OPML_MAX_DEPTH) {
		s->owned[s->depth] = NULL;
		s->folders[s->depth] = NULL;
		if (url == NULL && text != NULL) {
			s->owned[s->depth] = xstrdup(text);
			s->folders[s->depth] = s->owned[s->depth];
		}
	}
	s->depth++;
	if (url == NULL || *url == '\0')
		return;
	for (i = 0; i < s->depth - 1 && i < OPML_MAX_DEPTH; i++)
		if (s->folders[i] != NULL)
			tags[n++] = s->folders[i];
	/* OPML 2.0's category="/a,/b/c": each last path element is a tag. */
	if ((cat = opml_attr(attrs, "category")) != NULL) {
		catcopy = xstrdup(cat);
		for (p = catcopy; (one = strsep(&p, ",")) != NULL;) {
			if ((last = strrchr(one, '/')) != NULL)
				one = last + 1;
			while (*one == ' ')
				one++;
			if (*one != '\0' && n < OPML_MAX_DEPTH)
				tags[n++] = one;
		}
	}
	memset(&f, 0, sizeof f);
	f.url = url;
	f.title = opml_attr(attrs, "title");
	if (f.title == NULL || *f.title == '\0')
		f.title = opml_attr(attrs, "text");
	f.site = opml_attr(attrs, "htmlUrl");
	if (f.site != NULL && *f.site == '\0')
		f.site = NULL;
	f.tags = tags;
	f.ntags = (size_t)n;
	s->cb(&f, s->arg);
	s->nfeeds++;
	free(catcopy);
}

static void XMLCALL
opml_end(void *arg, const XML_Char *name)
{
	struct opml_state	*s = arg;

	if (strcasecmp(name, "outline") != 0 || s->depth == 0)
		return;
	s->depth--;
	if (s->depth < OPML_MAX_DEPTH) {
		free(s->owned[s->depth]);
		s->owned[s->depth] = NULL;
		s->folders[s->depth] = NULL;
	}
}

int
opml_parse(const char *doc, size_t len, void (*cb)(const struct opml_feed *,
    void *), void *arg, char **cause)
{
	struct opml_state	 s;
	XML_Parser		 p;
	int			 rv = -1, i;

	memset(&s, 0, sizeof s);
	s.cb = cb;
	s.arg = arg;
	if ((p = XML_ParserCreate(NULL)) == NULL) {
		xasprintf(cause, "out of memory");
		return (-1);
	}
	XML_SetUserData(p, &s);
	XML_SetElementHandler(p, opml_start, opml_end);
	XML_SetParamEntityParsing(p, XML_PARAM_ENTITY_PARSING_NEVER);
	while (len > 0 && (*doc == ' ' || *doc == '\n' || *doc == '\r' ||
	    *doc == '\t'))
		doc++, len--;
	if (XML_Parse(p, doc, (int)len, 1) == XML_STATUS_ERROR)
		xasprintf(cause, "%lu:%lu: %s",
		    (unsigned long)XML_GetCurrentLineNumber(p),
		    (unsigned long)XML_GetCurrentColumnNumber(p) + 1,
		    XML_ErrorString(XML_GetErrorCode(p)));
	else if (!s.saw_opml)
		xasprintf(cause, "not an OPML document");
	else
		rv = s.nfeeds;
	for (i = 0; i < OPML_MAX_DEPTH; i++)
		free(s.owned[i]);
	XML_ParserFree(p);
	return (rv);
}

static void
opml_escape(FILE *fp, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		switch (*s) {
		case '&': fputs("&amp;", fp); break;
		case '<': fputs("&lt;", fp); break;
		case '>': fputs("&gt;", fp); break;
		case '"': fputs("&quot;", fp); break;
		case '\n': fputs("&#10;", fp); break;
		case '\r': fputs("&#13;", fp); break;
		case '\t': fputs("&#9;", fp); break;
		default:
			if ((unsigned char)*s >= 0x20)
				fputc(*s, fp);
		}
	}
}

void
opml_write_head(FILE *fp, const char *title)
{
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<opml version=\"2.0\">\n  <head>\n    <title>", fp);
	opml_escape(fp, title);
	fputs("</title>\n  </head>\n  <body>\n", fp);
}

void
opml_write_feed(FILE *fp, const char *url, const char *title,
    const char *site, const char **tags, size_t ntags)
{
	size_t	i;

	fputs("    <outline type=\"rss\" text=\"", fp);
	opml_escape(fp, title != NULL ? title : url);
	if (title != NULL) {
		fputs("\" title=\"", fp);
		opml_escape(fp, title);
	}
	fputs("\" xmlUrl=\"", fp);
	opml_escape(fp, url);
	if (site != NULL) {
		fputs("\" htmlUrl=\"", fp);
		opml_escape(fp, site);
	}
	for (i = 0; i < ntags; i++) {
		fputs(i == 0 ? "\" category=\"/" : ",/", fp);
		opml_escape(fp, tags[i]);
	}
	fputs("\"/>\n", fp);
}

void
opml_write_tail(FILE *fp)
{
	fputs("  </body>\n</opml>\n", fp);
}
