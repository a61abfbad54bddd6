/*
 * URI references (RFC 3986): resolving a relative reference against a
 * base, and the normal form the store compares links in.
 */
#ifndef AGG_URI_H
#define AGG_URI_H

/*
 * REF resolved against BASE (RFC 3986 section 5.2), allocated, caller
 * frees.  When BASE is NULL or not absolute, REF itself is returned (a
 * copy); NULL only when REF is NULL.
 */
char	*uri_resolve(const char *base, const char *ref);

/*
 * URL in normal form: scheme and host in lower case, the scheme's default
 * port dropped, dot segments removed, the fragment dropped, an empty path
 * made "/".  Allocated, caller frees; NULL when URL is not absolute
 * (no scheme and authority).
 */
char	*uri_normalize(const char *url);

/* Whether S starts with a scheme ("http:", "mailto:"). */
int	 uri_is_absolute(const char *s);

#endif
