/*
 * Unit tests for lib/proto.c: frames encode to one line and decode back to
 * the same object, malformed lines are refused with a reason, the hello
 * check names both versions on a mismatch, and the blocking reader copes
 * with frames split across reads, several frames in one read, CRLF, bad
 * lines between good ones and the end of the stream.
 */
#include <sys/socket.h>

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "buf.h"
#include "proto.h"

static void
test_round_trip(void **state UNUSED)
{
	static const char *t[] = {
		"{}",
		"{\"cmd\":\"add\",\"url\":\"https://example.org/feed\","
		    "\"tags\":[\"a\",\"b\"],\"interval\":900}",
		"{\"s\":\"line\\nbreak and \\\"quotes\\\"\\t\\u0001\"}",
		"{\"u\":\"\\u00e9t\\u00e9 \\u043a\\u043e\\u0442 "
		    "\\ud83d\\ude00\"}",
		"{\"n\":null,\"t\":true,\"f\":false,\"big\":9007199254740993,"
		    "\"neg\":-1,\"real\":1.5}",
		"{\"nested\":{\"a\":[{\"b\":[]}]}}",
	};
	json_t		*in, *out;
	json_error_t	 e;
	char		*line, *cause;
	size_t		 i, len;

	for (i = 0; i < nitems(t); i++) {
		in = json_loads(t[i], JSON_ALLOW_NUL, &e);
		if (in == NULL)
			fail_msg("case %zu: bad test JSON: %s", i, e.text);
		line = proto_encode(in);
		len = strlen(line);
		/* One line, ending in its newline and nowhere else. */
		assert_true(len > 1);
		assert_int_equal(line[len - 1], '\n');
		assert_null(memchr(line, '\n', len - 1));
		cause = NULL;
		out = proto_decode(line, len - 1, &cause);
		if (out == NULL)
			fail_msg("case %zu: %s does not decode: %s", i, line,
			    cause);
		if (!json_equal(in, out))
			fail_msg("case %zu: %s changed on the way", i, line);
		json_decref(in);
		json_decref(out);
		free(line);
	}
}

static void
test_decode_bad(void **state UNUSED)
{
	static const struct {
		const char	*in;
		size_t		 len;		/* 0: strlen */
		const char	*prefix;	/* of the cause */
	} t[] = {
		{ "", 0, "malformed frame: " },
		{ "not json", 0, "malformed frame: " },
		{ "{\"a\":1", 0, "malformed frame: " },
		{ "{\"a\":1}}", 0, "malformed frame: " },
		{ "{\"a\":1} {\"b\":2}", 0, "malformed frame: " },
		{ "{'a':1}", 0, "malformed frame: " },
		{ "{\"a\":1,\"a\":2}", 0, "malformed frame: " },
		{ "{\"a\":\"\xff\xfe\"}", 0, "malformed frame: " },
		{ "{\"a\":\0\"x\"}", 10, "malformed frame: " },
		{ "\x01\x02\x03", 0, "malformed frame: " },
		{ "[1,2,3]", 0, "malformed frame: not a JSON object" },
		{ "\"string\"", 0, "malformed frame: " },
		{ "42", 0, "malformed frame: " },
		{ "null", 0, "malformed frame: " },
		/* NUL is not allowed in a frame's strings. */
		{ "{\"a\":\"\\u0000\"}", 0, "malformed frame: " },
	};
	json_t	*j;
	char	*cause;
	size_t	 i, len;

	for (i = 0; i < nitems(t); i++) {
		len = t[i].len != 0 ? t[i].len : strlen(t[i].in);
		cause = NULL;
		j = proto_decode(t[i].in, len, &cause);
		if (j != NULL)
			fail_msg("case %zu: accepted", i);
		if (cause == NULL ||
		    strncmp(cause, t[i].prefix, strlen(t[i].prefix)) != 0)
			fail_msg("case %zu: cause '%s', want '%s...'", i,
			    cause, t[i].prefix);
		free(cause);
	}
}

static void
test_decode_good(void **state UNUSED)
{
	static const char *t[] = {
		"{\"cmd\":\"status\"}",
		"{\"cmd\":\"status\"}\r",	/* CRLF, the LF already cut */
		"  {\"cmd\":\"status\"}  ",
	};
	json_t	*j;
	char	*cause;
	size_t	 i;

	for (i = 0; i < nitems(t); i++) {
		cause = NULL;
		j = proto_decode(t[i], strlen(t[i]), &cause);
		if (j == NULL)
			fail_msg("case %zu: refused: %s", i, cause);
		assert_string_equal(json_string_value(json_object_get(j,
		    "cmd")), "status");
		json_decref(j);
	}
}

static void
test_frames(void **state UNUSED)
{
	json_t	*j;
	char	*line;

	j = proto_ok(NULL);
	line = proto_encode(j);
	assert_string_equal(line, "{\"type\":\"ok\"}\n");
	free(line);
	json_decref(j);

	j = proto_ok(json_pack("{s:i}", "id", 3));
	line = proto_encode(j);
	assert_string_equal(line, "{\"type\":\"ok\",\"data\":{\"id\":3}}\n");
	free(line);
	json_decref(j);

	j = proto_row(json_pack("{s:s}", "url", "http://x/"));
	line = proto_encode(j);
	assert_string_equal(line,
	    "{\"type\":\"row\",\"data\":{\"url\":\"http://x/\"}}\n");
	free(line);
	json_decref(j);

	j = proto_end();
	line = proto_encode(j);
	assert_string_equal(line, "{\"type\":\"end\"}\n");
	free(line);
	json_decref(j);

	j = proto_error("no such feed: %d (%s)", 99, "gone");
	line = proto_encode(j);
	assert_string_equal(line,
	    "{\"type\":\"error\",\"error\":\"no such feed: 99 (gone)\"}\n");
	free(line);
	json_decref(j);

	/* An error text is JSON-escaped, never breaks the line. */
	j = proto_error("%s", "a\nb\"c");
	line = proto_encode(j);
	assert_string_equal(line,
	    "{\"type\":\"error\",\"error\":\"a\\nb\\\"c\"}\n");
	free(line);
	json_decref(j);
}

static void
test_hello(void **state UNUSED)
{
	static const struct {
		const char	*frame;
		int		 rv;
		const char	*cause;	/* %d: PROTO_VERSION, %d: peer's */
	} t[] = {
		{ "{\"hello\":\"aggd\",\"version\":\"9.9.9\",\"proto\":%d}",
		    0, NULL },
		{ "{\"hello\":\"aggd\",\"proto\":%d}", 0, NULL },
		{ "{\"hello\":\"aggd\",\"version\":\"0.1.0\",\"proto\":%d}",
		    -1, "protocol mismatch: aggctl speaks %d, aggd speaks %d" },
		{ "{\"hello\":\"aggd\",\"proto\":0}", -1,
		    "protocol mismatch: aggctl speaks %d, aggd speaks 0" },
		{ "{\"type\":\"ok\"}", -1, "expected a hello frame first" },
		{ "{\"hello\":\"aggd\",\"proto\":\"1\"}", -1,
		    "expected a hello frame first" },
		{ "{\"hello\":1,\"proto\":1}", -1,
		    "expected a hello frame first" },
		{ "{\"proto\":1}", -1, "expected a hello frame first" },
	};
	json_t		*j;
	json_error_t	 e;
	char		 frame[256], want[256], *cause;
	size_t		 i;
	int		 rv;

	for (i = 0; i < nitems(t); i++) {
		/* The mismatch case speaks the next version up. */
		snprintf(frame, sizeof frame, t[i].frame,
		    i == 2 ? PROTO_VERSION + 1 : PROTO_VERSION);
		if ((j = json_loads(frame, 0, &e)) == NULL)
			fail_msg("case %zu: bad test JSON: %s", i, e.text);
		cause = NULL;
		rv = proto_check_hello(j, "aggctl", &cause);
		if (rv != t[i].rv)
			fail_msg("case %zu: %s: returned %d", i, frame, rv);
		if (t[i].cause != NULL) {
			snprintf(want, sizeof want, t[i].cause, PROTO_VERSION,
			    PROTO_VERSION + 1);
			if (cause == NULL || strcmp(cause, want) != 0)
				fail_msg("case %zu: cause '%s', want '%s'", i,
				    cause, want);
		}
		free(cause);
		json_decref(j);
	}
	/* The spelling of the interface, with today's versions. */
	if (PROTO_VERSION == 1) {
		j = json_pack("{s:s, s:i}", "hello", "aggd", "proto", 2);
		cause = NULL;
		assert_int_equal(proto_check_hello(j, "aggctl", &cause), -1);
		assert_string_equal(cause,
		    "protocol mismatch: aggctl speaks 1, aggd speaks 2");
		free(cause);
		json_decref(j);
	}
	/* Our own hello passes our own check. */
	j = proto_hello("aggctl");
	assert_string_equal(json_string_value(json_object_get(j, "hello")),
	    "aggctl");
	assert_true(json_is_string(json_object_get(j, "version")));
	assert_int_equal(json_integer_value(json_object_get(j, "proto")),
	    PROTO_VERSION);
	cause = NULL;
	assert_int_equal(proto_check_hello(j, "aggd", &cause), 0);
	json_decref(j);
}

/* Write all of s to fd. */
static void
put(int fd, const char *s)
{
	size_t	len = strlen(s);
	ssize_t	n;

	while (len > 0) {
		n = write(fd, s, len);
		assert_true(n > 0);
		s += n;
		len -= (size_t)n;
	}
}

static void
test_read(void **state UNUSED)
{
	int		 sv[2], rc;
	struct buf	 in;
	json_t		*j;
	char		*cause;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	buf_init(&in);

	/* Two frames in one write, a third split over two, with CRLF. */
	put(sv[0], "{\"n\":1}\n{\"n\":2}\n{\"n\"");
	rc = proto_read(sv[1], &in, &j, &cause);
	assert_int_equal(rc, 1);
	assert_int_equal(json_integer_value(json_object_get(j, "n")), 1);
	json_decref(j);
	rc = proto_read(sv[1], &in, &j, &cause);
	assert_int_equal(rc, 1);
	assert_int_equal(json_integer_value(json_object_get(j, "n")), 2);
	json_decref(j);
	put(sv[0], ":3}\r\n");
	rc = proto_read(sv[1], &in, &j, &cause);
	assert_int_equal(rc, 1);
	assert_int_equal(json_integer_value(json_object_get(j, "n")), 3);
	json_decref(j);
	assert_int_equal(in.len, 0);

	/* A bad line is reported, and the next good one still read. */
	put(sv[0], "garbage\n{\"n\":4}\n");
	cause = NULL;
	rc = proto_read(sv[1], &in, &j, &cause);
	assert_int_equal(rc, -1);
	assert_non_null(cause);
	assert_true(strncmp(cause, "malformed frame: ", 17) == 0);
	free(cause);
	rc = proto_read(sv[1], &in, &j, &cause);
	assert_int_equal(rc, 1);
	assert_int_equal(json_integer_value(json_object_get(j, "n")), 4);
	json_decref(j);

	/* proto_write's frames come out as proto_read's. */
	j = proto_error("x");
	assert_int_equal(proto_write(sv[0], j), 0);
	json_decref(j);
	rc = proto_read(sv[1], &in, &j, &cause);
	assert_int_equal(rc, 1);
	assert_string_equal(json_string_value(json_object_get(j, "error")),
	    "x");
	json_decref(j);

	/* End of stream, also after half a frame. */
	put(sv[0], "{\"half\":");
	close(sv[0]);
	rc = proto_read(sv[1], &in, &j, &cause);
	assert_int_equal(rc, 0);
	close(sv[1]);
	buf_release(&in);
}

static void
test_write_closed(void **state UNUSED)
{
	int	 sv[2];
	json_t	*j;

	signal(SIGPIPE, SIG_IGN);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	close(sv[1]);
	j = proto_end();
	assert_int_equal(proto_write(sv[0], j), -1);
	assert_int_equal(errno, EPIPE);
	json_decref(j);
	close(sv[0]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_decode_bad),
		cmocka_unit_test(test_decode_good),
		cmocka_unit_test(test_frames),
		cmocka_unit_test(test_hello),
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_write_closed),
	};

	return (cmocka_run_group_tests_name("proto", tests, NULL, NULL));
}
