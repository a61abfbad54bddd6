/*
 * URI references after RFC 3986: split into five parts, resolve a
 * reference against a base (section 5.2, with remove_dot_segments), and
 * put a URL into the normal form used to compare links.  Nothing here
 * percent-decodes or checks characters: feeds carry every kind of URL and
 * what they wrote is kept.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "uri.h"
#include "xmalloc.h"

/* The parts of a reference; each is a span of the original string, absent
 * when its pointer is NULL (an empty query is present, empty). */
struct uri_parts {
	const char	*scheme;
	size_t		 scheme_len;
	const char	*auth;
	size_t		 auth_len;
	const char	*path;
	size_t		 path_len;
	const char	*query;
	size_t		 query_len;
	const char	*frag;
	size_t		 frag_len;
};

/* Length of the scheme at S including nothing after it, or 0. */
static size_t
uri_scheme_len(const char *s)
{
	size_t	n;

	if (!isalpha((unsigned char)s[0]))
		return (0);
	for (n = 1; s[n] != '\0'; n++) {
		if (s[n] == ':')
			return (n);
		if (!isalnum((unsigned char)s[n]) && s[n] != '+' &&
		    s[n] != '-' && s[n] != '.')
			return (0);
	}
	return (0);
}

int
uri_is_absolute(const char *s)
{
	return (s != NULL && uri_scheme_len(s) > 0);
}

static void
uri_split(const char *s, struct uri_parts *p)
{
	size_t	n;

	memset(p, 0, sizeof *p);
	if ((n = uri_scheme_len(s)) > 0) {
		p->scheme = s;
		p->scheme_len = n;
		s += n + 1;
	}
	if (s[0] == '/' && s[1] == '/') {
		s += 2;
		p->auth = s;
		p->auth_len = strcspn(s, "/?#");
		s += p->auth_len;
	}
	p->path = s;
	p->path_len = strcspn(s, "?#");
	s += p->path_len;
	if (*s == '?') {
		p->query = ++s;
		p->query_len = strcspn(s, "#");
		s += p->query_len;
	}
	if (*s == '#') {
		p->frag = ++s;
		p->frag_len = strlen(s);
	}
}

/* RFC 3986 5.2.4, on a path of LEN bytes, appended to OUT. */
static void
uri_remove_dots(const char *in, size_t len, struct buf *out)
{
	const char	*end = in + len, *seg;
	size_t		 start = out->len, n;

	while (in < end) {
		n = end - in;
		if (n >= 3 && memcmp(in, "../", 3) == 0)
			in += 3;
		else if (n >= 2 && memcmp(in, "./", 2) == 0)
			in += 2;
		else if (n >= 3 && memcmp(in, "/./", 3) == 0)
			in += 2;
		else if (n == 2 && memcmp(in, "/.", 2) == 0) {
			buf_addc(out, '/');
			in += 2;
		} else if ((n >= 4 && memcmp(in, "/../", 4) == 0) ||
		    (n == 3 && memcmp(in, "/..", 3) == 0)) {
			in += 3;
			while (out->len > start && out->data[out->len - 1] != '/')
				out->len--;
			if (out->len > start)
				out->len--;
			out->data[out->len] = '\0';
			if (n == 3)
				buf_addc(out, '/');
		} else if ((n == 1 && in[0] == '.') ||
		    (n == 2 && memcmp(in, "..", 2) == 0))
			in = end;
		else {
			seg = in;
			if (*in == '/')
				in++;
			while (in < end && *in != '/')
				in++;
			buf_add(out, seg, in - seg);
		}
	}
}

/* Merge (5.2.3) then remove dots, into OUT. */
static void
uri_merge(const struct uri_parts *b, const struct uri_parts *r,
    struct buf *out)
{
	struct buf	 tmp;
	const char	*slash;
	size_t		 i;

	buf_init(&tmp);
	if (b->auth != NULL && b->path_len == 0)
		buf_addc(&tmp, '/');
	else {
		slash = NULL;
		for (i = 0; i < b->path_len; i++) {
			if (b->path[i] == '/')
				slash = b->path + i;
		}
		if (slash != NULL)
			buf_add(&tmp, b->path, slash - b->path + 1);
	}
	buf_add(&tmp, r->path, r->path_len);
	uri_remove_dots(tmp.data, tmp.len, out);
	buf_release(&tmp);
}

char *
uri_resolve(const char *base, const char *ref)
{
	struct uri_parts	 b, r;
	struct buf		 out;
	const struct uri_parts	*q;

	if (ref == NULL)
		return (NULL);
	/* Most links in feeds are absolute already; without a dot segment
	 * anywhere, resolution would give them back unchanged. */
	if (base == NULL || !uri_is_absolute(base) ||
	    (uri_is_absolute(ref) && strstr(ref, "/.") == NULL))
		return (xstrdup(ref));
	uri_split(base, &b);
	uri_split(ref, &r);
	buf_init(&out);
	if (r.scheme != NULL) {
		buf_add(&out, r.scheme, r.scheme_len + 1);
		if (r.auth != NULL) {
			buf_adds(&out, "//");
			buf_add(&out, r.auth, r.auth_len);
		}
		uri_remove_dots(r.path, r.path_len, &out);
		q = &r;
	} else {
		buf_add(&out, b.scheme, b.scheme_len + 1);
		if (r.auth != NULL) {
			buf_adds(&out, "//");
			buf_add(&out, r.auth, r.auth_len);
			uri_remove_dots(r.path, r.path_len, &out);
			q = &r;
		} else {
			if (b.auth != NULL) {
				buf_adds(&out, "//");
				buf_add(&out, b.auth, b.auth_len);
			}
			if (r.path_len == 0) {
				buf_add(&out, b.path, b.path_len);
				q = r.query != NULL ? &r : &b;
			} else {
				if (r.path[0] == '/')
					uri_remove_dots(r.path, r.path_len,
					    &out);
				else
					uri_merge(&b, &r, &out);
				q = &r;
			}
		}
	}
	if (q->query != NULL) {
		buf_addc(&out, '?');
		buf_add(&out, q->query, q->query_len);
	}
	if (r.frag != NULL) {
		buf_addc(&out, '#');
		buf_add(&out, r.frag, r.frag_len);
	}
	if (out.data == NULL)
		buf_adds(&out, "");
	return (buf_detach(&out));
}

char *
uri_normalize(const char *url)
{
	struct uri_parts	 p;
	struct buf		 out;
	const char		*host, *port, *end, *s;
	size_t			 i;

	if (url == NULL)
		return (NULL);
	uri_split(url, &p);
	if (p.scheme == NULL || p.auth == NULL)
		return (NULL);
	buf_init(&out);
	for (i = 0; i < p.scheme_len; i++)
		buf_addc(&out, tolower((unsigned char)p.scheme[i]));
	buf_adds(&out, "://");
	end = p.auth + p.auth_len;
	host = p.auth;
	for (s = p.auth; s < end; s++) {
		if (*s == '@')
			host = s + 1;
	}
	buf_add(&out, p.auth, host - p.auth);
	/* The port follows the last ':' outside an IPv6 literal. */
	port = NULL;
	for (s = host; s < end; s++) {
		if (*s == ']')
			port = NULL;
		else if (*s == ':')
			port = s;
	}
	for (s = host; s < (port != NULL ? port : end); s++)
		buf_addc(&out, tolower((unsigned char)*s));
	if (port != NULL && port + 1 < end) {
		i = end - port - 1;
		if (!(i == 2 && memcmp(port + 1, "80", 2) == 0 &&
		    strncmp(out.data, "http://", 7) == 0) &&
		    !(i == 3 && memcmp(port + 1, "443", 3) == 0 &&
		    strncmp(out.data, "https://", 8) == 0))
			buf_add(&out, port, end - port);
	}
	if (p.path_len == 0)
		buf_addc(&out, '/');
	else
		uri_remove_dots(p.path, p.path_len, &out);
	if (p.query != NULL) {
		buf_addc(&out, '?');
		buf_add(&out, p.query, p.query_len);
	}
	return (buf_detach(&out));
}
