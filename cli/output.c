/*
 * Output: JSON Lines for --json (each line flushed, so a pipe sees items as
 * they come), tables for people, and the checks that make a failed write to
 * stdout an error (sfeed's checkfileerror).
 */
#include <sys/ioctl.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "aggctl.h"
#include "item.h"
#include "log.h"
#include "timefmt.h"

void
die(const char *fmt, ...)
{
	va_list	ap;

	fflush(stdout);
	fputs("aggctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

void
output_json(const json_t *j)
{
	if (json_dumpf(j, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER) == -1)
		die("cannot write JSON: %s", log_strerror(errno));
	putchar('\n');
	if (fflush(stdout) == EOF)
		die("write error: %s", log_strerror(errno));
}

int
output_isatty(void)
{
	return (isatty(STDOUT_FILENO));
}

int
isatty_stderr(void)
{
	return (isatty(STDERR_FILENO));
}

/*
 * The terminal's width, or 0 when stdout is no terminal: a table in a
 * pipe or a file keeps every value whole, for grep and awk.
 */
int
output_width(void)
{
	struct winsize	ws;
	const char	*e;

	if (!isatty(STDOUT_FILENO))
		return (0);
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
		return (ws.ws_col);
	if ((e = getenv("COLUMNS")) != NULL && atoi(e) > 20)
		return (atoi(e));
	return (80);
}

/* Display width of a UTF-8 string (wide characters count two). */
static int
output_strwidth_max(const char *s, size_t *bytes_for, int max)
{
	mbstate_t	ps;
	wchar_t		wc;
	size_t		n, off = 0;
	int		w = 0, cw;

	memset(&ps, 0, sizeof ps);
	while (s[off] != '\0') {
		n = mbrtowc(&wc, s + off, strlen(s + off), &ps);
		if (n == (size_t)-1 || n == (size_t)-2) {
			memset(&ps, 0, sizeof ps);
			n = 1;
			cw = 1;
		} else
			cw = wcwidth(wc) < 0 ? 1 : wcwidth(wc);
		if (max >= 0 && w + cw > max)
			break;
		w += cw;
		off += n;
	}
	if (bytes_for != NULL)
		*bytes_for = off;
	return (w);
}

int
output_strwidth(const char *s)
{
	return (s != NULL ? output_strwidth_max(s, NULL, -1) : 0);
}

/*
 * Print s padded to width columns (width 0: as is), and cut to it with
 * an ellipsis on a terminal only: through a pipe values stay whole.
 */
void
output_cell(const char *s, int width, int last)
{
	size_t	bytes;
	int	w, i;
	char	*clean, *p;

	if (s == NULL)
		s = "";
	clean = strdup(s);
	if (clean == NULL)
		die("out of memory");
	for (p = clean; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	if (width <= 0) {
		fputs(clean, stdout);
	} else {
		w = output_strwidth_max(clean, NULL, -1);
		if (w > width && output_isatty()) {
			output_strwidth_max(clean, &bytes, width - 1);
			fwrite(clean, 1, bytes, stdout);
			fputs("…", stdout);
			w = output_strwidth_max(clean, NULL, width - 1) + 1;
		} else
			fputs(clean, stdout);
		if (!last)
			for (i = w; i < width; i++)
				putchar(' ');
	}
	if (!last)
		fputs("  ", stdout);
	else
		putchar('\n');
	free(clean);
}

/* An RFC 3339 UTC time from the daemon shown in local time. */
void
output_localtime(const char *rfc3339, char *buf, size_t len)
{
	int64_t		t;
	time_t		tt;
	struct tm	tm;

	if (rfc3339 == NULL || (t = timefmt_parse_rfc3339(rfc3339)) ==
	    TIME_NONE) {
		snprintf(buf, len, "-");
		return;
	}
	tt = (time_t)t;
	localtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M", &tm);
}

void
output_finish(void)
{
	if (fflush(stdout) == EOF || ferror(stdout))
		die("write error: %s", log_strerror(errno));
}

/*
 * Feed titles for lists of items, which carry only the feed's id and
 * URL: one feeds request on the same connection, made before the list.
 */
json_t *
output_feed_titles(void)
{
	json_t		*titles, *j, *f, *t;
	char		 id[32];

	titles = json_object();
	client_send(json_pack("{s:s}", "cmd", "feeds"));
	while ((j = client_next_row()) != NULL) {
		f = json_object_get(j, "data");
		snprintf(id, sizeof id, "%lld", (long long)json_integer_value(
		    json_object_get(f, "id")));
		if (!json_is_string(t = json_object_get(f, "title")) ||
		    *json_string_value(t) == '\0')
			t = json_object_get(f, "url");
		json_object_set(titles, id, t);
		json_decref(j);
	}
	return (titles);
}

/* The title of an item's feed, else its URL (borrowed). */
const char *
output_feed_title(json_t *titles, json_t *item)
{
	const char	*t;
	char		 id[32];

	snprintf(id, sizeof id, "%lld", (long long)json_integer_value(
	    json_object_get(item, "feed_id")));
	if ((t = json_string_value(json_object_get(titles, id))) != NULL)
		return (t);
	t = json_string_value(json_object_get(item, "feed_url"));
	return (t != NULL ? t : "");
}
