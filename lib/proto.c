/*
 * Frames of the control protocol: encoding and decoding of JSON lines, the
 * hello exchange and the blocking reader aggctl uses.  aggd does its own
 * non-blocking reading on bufferevents (daemon/server-client.c) but decodes
 * through here, so both sides agree on what a frame is.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "log.h"
#include "proto.h"
#include "xmalloc.h"

json_t *
proto_decode(const char *line, size_t len, char **cause)
{
	json_t		*j;
	json_error_t	 e;

	if (len > 0 && line[len - 1] == '\r')
		len--;
	j = json_loadb(line, len, JSON_REJECT_DUPLICATES, &e);
	if (j == NULL) {
		xasprintf(cause, "malformed frame: %s", e.text);
		return (NULL);
	}
	if (!json_is_object(j)) {
		json_decref(j);
		xasprintf(cause, "malformed frame: not a JSON object");
		return (NULL);
	}
	return (j);
}

char *
proto_encode(const json_t *j)
{
	char	*s, *line;
	size_t	 len;

	s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (s == NULL)
		fatalx("proto_encode: cannot encode frame");
	len = strlen(s);
	line = xmalloc(len + 2);
	memcpy(line, s, len);
	line[len] = '\n';
	line[len + 1] = '\0';
	free(s);
	return (line);
}

json_t *
proto_hello(const char *program)
{
	return (json_pack("{s:s, s:s, s:i}", "hello", program, "version",
	    AGG_VERSION, "proto", PROTO_VERSION));
}

int
proto_check_hello(const json_t *j, const char *self, char **cause)
{
	json_t		*h, *p;
	const char	*peer;

	h = json_object_get(j, "hello");
	p = json_object_get(j, "proto");
	if (!json_is_string(h) || !json_is_integer(p)) {
		xasprintf(cause, "expected a hello frame first");
		return (-1);
	}
	if (json_integer_value(p) != PROTO_VERSION) {
		peer = json_string_value(h);
		/* Worded from the client's side either way, since aggctl
		 * prints aggd's refusal as it is. */
		if (strcmp(self, "aggd") == 0)
			xasprintf(cause, "protocol mismatch: %s speaks %lld, "
			    "%s speaks %d", peer,
			    (long long)json_integer_value(p), self,
			    PROTO_VERSION);
		else
			xasprintf(cause, "protocol mismatch: %s speaks %d, "
			    "%s speaks %lld", self, PROTO_VERSION, peer,
			    (long long)json_integer_value(p));
		return (-1);
	}
	return (0);
}

json_t *
proto_ok(json_t *data)
{
	json_t	*j;

	j = json_pack("{s:s}", "type", "ok");
	if (data != NULL)
		json_object_set_new(j, "data", data);
	return (j);
}

json_t *
proto_row(json_t *data)
{
	json_t	*j;

	j = json_pack("{s:s}", "type", "row");
	json_object_set_new(j, "data", data);
	return (j);
}

json_t *
proto_end(void)
{
	return (json_pack("{s:s}", "type", "end"));
}

json_t *
proto_error(const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	json_t	*j;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		fatalx("proto_error: vasprintf");
	va_end(ap);
	j = json_pack("{s:s, s:s}", "type", "error", "error", s);
	free(s);
	return (j);
}

int
proto_read(int fd, struct buf *in, json_t **out, char **cause)
{
	char	*nl, chunk[65536];
	size_t	 linelen;
	ssize_t	 n;

	for (;;) {
		if (in->len > 0 &&
		    (nl = memchr(in->data, '\n', in->len)) != NULL) {
			linelen = (size_t)(nl - in->data);
			*out = proto_decode(in->data, linelen, cause);
			memmove(in->data, nl + 1, in->len - linelen - 1);
			in->len -= linelen + 1;
			in->data[in->len] = '\0';
			return (*out == NULL ? -1 : 1);
		}
		if (in->len > PROTO_MAX_REPLY) {
			xasprintf(cause, "reply longer than %d bytes",
			    PROTO_MAX_REPLY);
			return (-1);
		}
		n = read(fd, chunk, sizeof chunk);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			xasprintf(cause, "read: %s", log_strerror(errno));
			return (-1);
		}
		if (n == 0)
			return (0);
		buf_add(in, chunk, (size_t)n);
	}
}

int
proto_write(int fd, const json_t *j)
{
	char	*line, *p;
	size_t	 left;
	ssize_t	 n;

	line = proto_encode(j);
	p = line;
	left = strlen(line);
	while (left > 0) {
		n = write(fd, p, left);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			free(line);
			return (-1);
		}
		p += n;
		left -= (size_t)n;
	}
	free(line);
	return (0);
}
