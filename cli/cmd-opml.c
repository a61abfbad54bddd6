/*
 * aggctl import FILE.opml and export: OPML 2.0 in and out.  The file is
 * read here, so the daemon never opens paths on a client's behalf.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggctl.h"
#include "buf.h"
#include "log.h"
#include "opml.h"
#include "xmalloc.h"

/* Bytes of feeds per import request, well under PROTO_MAX_REQUEST. */
#define IMPORT_BATCH_BYTES	(64 * 1024)

static void
cmd_import_feed(const struct opml_feed *f, void *arg)
{
	json_t	*feeds = arg, *o, *tags;
	size_t	 i;

	tags = json_array();
	for (i = 0; i < f->ntags; i++)
		json_array_append_new(tags, json_string(f->tags[i]));
	o = json_pack("{s:s, s:o}", "url", f->url, "tags", tags);
	/* A title that is only the URL again (readers export that for
	 * untitled feeds) would hide the feed's own title forever. */
	if (f->title != NULL && *f->title != '\0' &&
	    strcmp(f->title, f->url) != 0)
		json_object_set_new(o, "title", json_string(f->title));
	json_array_append_new(feeds, o);
}

int
cmd_import(int argc, char **argv)
{
	FILE		*fp;
	struct buf	 b;
	char		 chunk[65536], *cause = NULL;
	size_t		 n;
	json_t		*feeds, *data, *v, *batch;
	size_t		 i, k, e, nerr = 0, size;
	json_int_t	 added = 0, existing = 0;

	output_help(argc, argv, "aggctl import FILE.opml");
	if (argc != 2 || (argv[1][0] == '-' && argv[1][1] != '\0'))
		die("usage: aggctl import FILE.opml");
	if (strcmp(argv[1], "-") == 0)
		fp = stdin;
	else if ((fp = fopen(argv[1], "r")) == NULL)
		die("cannot open %s: %s", argv[1], log_strerror(errno));
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) {
		buf_add(&b, chunk, n);
		if (b.len > 64 * 1024 * 1024)
			die("%s: larger than 64M", argv[1]);
	}
	if (ferror(fp))
		die("cannot read %s: %s", argv[1], log_strerror(errno));
	if (fp != stdin)
		fclose(fp);
	feeds = json_array();
	if (opml_parse(b.data != NULL ? b.data : "", b.len, cmd_import_feed,
	    feeds, &cause) == -1)
		die("%s: %s", argv[1], cause);
	buf_release(&b);
	/*
	 * In batches: a request must stay under the daemon's frame limit,
	 * and a list of thousands would not.  Each batch is one transaction.
	 */
	for (i = 0; i < json_array_size(feeds); i = k) {
		batch = json_array();
		for (k = i, size = 0; k < json_array_size(feeds) &&
		    size < IMPORT_BATCH_BYTES; k++) {
			v = json_array_get(feeds, k);
			size += json_dumpb(v, NULL, 0, JSON_COMPACT) + 1;
			json_array_append(batch, v);
		}
		data = client_call(json_pack("{s:s, s:o}", "cmd", "import",
		    "feeds", batch), NULL);
		json_array_foreach(json_object_get(data, "errors"), e, v)
			fprintf(stderr, "aggctl: %s\n", json_string_value(v));
		added += json_integer_value(json_object_get(data, "added"));
		existing += json_integer_value(json_object_get(data,
		    "existing"));
		nerr += json_array_size(json_object_get(data, "errors"));
		json_decref(data);
	}
	json_decref(feeds);
	printf("%lld added, %lld already subscribed\n", (long long)added,
	    (long long)existing);
	output_finish();
	return (nerr > 0);
}

int
cmd_export(int argc, char **argv)
{
	json_t		*j, *f, *tv;
	const char	**tags;
	size_t		 ntags, k;

	output_help(argc, argv, "aggctl export");
	if (argc != 1)
		die("usage: aggctl export");
	client_send(json_pack("{s:s}", "cmd", "feeds"));
	opml_write_head(stdout, "aggd subscriptions");
	while ((j = client_next_row()) != NULL) {
		f = json_object_get(j, "data");
		tv = json_object_get(f, "tags");
		ntags = json_array_size(tv);
		tags = xreallocarray(NULL, ntags + 1, sizeof *tags);
		for (k = 0; k < ntags; k++)
			tags[k] = json_string_value(json_array_get(tv, k));
		opml_write_feed(stdout,
		    json_string_value(json_object_get(f, "url")),
		    json_string_value(json_object_get(f, "title")),
		    json_string_value(json_object_get(f, "link")), tags, ntags);
		free(tags);
		json_decref(j);
	}
	opml_write_tail(stdout);
	output_finish();
	return (0);
}
