/*
 * aggctl parse: read one feed document offline, from a file or stdin,
 * through the same streaming parser the daemon uses (fed in 64 KiB
 * chunks, never read whole), and print the parse JSON of INTERFACE.md.
 * The exit status says whether the parse was clean.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "aggctl.h"
#include "feedparse.h"
#include "item.h"
#include "log.h"

static void
cmd_parse_item_cb(struct item *it, void *arg)
{
	json_array_append_new(arg, item_parse_json(it));
}

int
cmd_parse(int argc, char **argv)
{
	static const struct option	 longopts[] = {
		{ "base",	required_argument,	NULL, 'b' },
		{ "charset",	required_argument,	NULL, 'c' },
		{ "json",	no_argument,		NULL, 'j' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL,		0,			NULL, 0 }
	};
	struct feedparse	*fp;
	json_t			*out, *items, *it;
	const char		*base = NULL, *charset = NULL, *path;
	const char		*format, *author;
	size_t			 i;
	static char		 chunk[65536];
	ssize_t			 n;
	int			 ch, fd, rc;

	while ((ch = help_getopt(argc, argv, longopts, "parse")) != -1) {
		switch (ch) {
		case 'b':
			base = optarg;
			break;
		case 'c':
			charset = optarg;
			break;
		}
	}
	if (optind == argc)
		fatal_usage("parse", "missing FILE (- for stdin)");
	if (argc - optind != 1)
		fatal_usage("parse", "unexpected argument '%s'",
		    argv[optind + 1]);
	path = argv[optind];
	if (strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY)) == -1) {
		die("cannot open %s: %s", path, log_strerror(errno));
	}

	items = json_array();
	fp = feedparse_new(base, charset, cmd_parse_item_cb, items);
	for (;;) {
		n = read(fd, chunk, sizeof chunk);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			fprintf(stderr, "aggctl: cannot read %s: %s\n", path,
			    log_strerror(errno));
			feedparse_free(fp);
			json_decref(items);
			if (fd != STDIN_FILENO)
				close(fd);
			return (1);
		}
		/* After a fatal error the rest is ignored: stop reading. */
		if (n == 0 || feedparse_feed(fp, chunk, n) == -1)
			break;
	}
	if (fd != STDIN_FILENO)
		close(fd);
	feedparse_finish(fp);
	/* Atom entries read before the feed's <author> take it now. */
	if ((author = feedparse_entry_author(fp)) != NULL) {
		json_array_foreach(items, i, it) {
			if (json_is_null(json_object_get(it, "author")))
				json_object_set_new(it, "author",
				    json_string(author));
		}
	}
	/* INTERFACE.md: the status is 0 exactly when "error" is null. */
	rc = feedparse_error(fp) == NULL ? 0 : 1;

	format = feedparse_format(fp);
	out = json_object();
	json_object_set_new(out, "format", json_str_or_null(format));
	json_object_set_new(out, "encoding",
	    json_string(feedparse_encoding(fp)));
	json_object_set_new(out, "feed", feed_meta_json(feedparse_meta(fp)));
	json_object_set_new(out, "items", items);
	json_object_set_new(out, "error",
	    json_str_or_null(feedparse_error(fp)));
	feedparse_free(fp);

	if (json_dumpf(out, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) ==
	    -1 || fputc('\n', stdout) == EOF || fflush(stdout) == EOF ||
	    ferror(stdout)) {
		fprintf(stderr, "aggctl: cannot write output: %s\n",
		    log_strerror(errno));
		json_decref(out);
		return (1);
	}
	json_decref(out);
	return (rc);
}
