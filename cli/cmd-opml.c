/*
 * aggctl import FILE.opml and export: OPML 2.0 in and out.  The file is
 * read here, so the daemon never opens paths on a client's behalf; a feed
 * listed in several folders is merged here into one entry with every
 * folder's tag, and the daemon merges those tags into a feed it has.
 */
#include <errno.h>
#include <getopt.h>
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

struct cmd_import {
	json_t	*feeds;		/* in file order */
	json_t	*byurl;		/* url -> the same objects */
};

/* Add TAG to the array unless it is there. */
static void
cmd_import_tag(json_t *tags, const char *tag)
{
	json_t	*t;
	size_t	 i;

	json_array_foreach(tags, i, t)
		if (strcmp(json_string_value(t), tag) == 0)
			return;
	json_array_append_new(tags, json_string(tag));
}

/*
 * One feed outline.  A feed that sits in several folders comes once per
 * folder: it is sent once, with every folder's tag.
 */
static void
cmd_import_feed(const struct opml_feed *f, void *arg)
{
	struct cmd_import	*im = arg;
	json_t			*o, *tags;
	size_t			 i;

	if ((o = json_object_get(im->byurl, f->url)) == NULL) {
		o = json_pack("{s:s, s:[]}", "url", f->url, "tags");
		json_array_append_new(im->feeds, o);
		json_object_set(im->byurl, f->url, o);
	}
	tags = json_object_get(o, "tags");
	for (i = 0; i < f->ntags; i++)
		cmd_import_tag(tags, f->tags[i]);
	/* A title that is only the URL again (readers export that for
	 * untitled feeds) would hide the feed's own title forever. */
	if (json_object_get(o, "title") == NULL && f->title != NULL &&
	    *f->title != '\0' && strcmp(f->title, f->url) != 0)
		json_object_set_new(o, "title", json_string(f->title));
	if (json_object_get(o, "link") == NULL && f->site != NULL)
		json_object_set_new(o, "link", json_string(f->site));
}

/* "a, b" from a JSON array of strings, into a static buffer. */
static const char *
cmd_import_list(json_t *tags)
{
	static struct buf	 b;
	json_t			*t;
	size_t			 i;

	buf_clear(&b);
	json_array_foreach(tags, i, t) {
		if (i > 0)
			buf_adds(&b, ", ");
		buf_adds(&b, json_string_value(t));
	}
	return (b.data != NULL ? b.data : "");
}

int
cmd_import(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dry-run",	no_argument,	NULL,	'n' },
		{ "json",	no_argument,	NULL,	'j' },
		{ "help",	no_argument,	NULL,	'h' },
		{ NULL,		0,		NULL,	0 }
	};
	struct cmd_import	 im;
	FILE			*fp;
	struct buf		 b;
	char			 chunk[65536], *cause = NULL;
	const char		*path, *action;
	size_t			 n;
	json_t			*data, *v, *batch, *all, *results;
	size_t			 i, k, e, nerr = 0, size;
	json_int_t		 added = 0, existing = 0, tagged = 0;
	int			 ch, dry = 0, json = 0;

	while ((ch = help_getopt(argc, argv, longopts, "import")) != -1) {
		if (ch == 'n')
			dry = 1;
		else
			json = 1;
	}
	if (optind == argc)
		fatal_usage("import", "missing FILE.opml");
	if (optind < argc - 1)
		fatal_usage("import", "unexpected argument '%s'",
		    argv[optind + 1]);
	path = argv[optind];
	if (strcmp(path, "-") == 0)
		fp = stdin;
	else if ((fp = fopen(path, "r")) == NULL)
		die("cannot open %s: %s", path, log_strerror(errno));
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) {
		buf_add(&b, chunk, n);
		if (b.len > 64 * 1024 * 1024)
			die("%s: larger than 64M", path);
	}
	if (ferror(fp))
		die("cannot read %s: %s", path, log_strerror(errno));
	if (fp != stdin)
		fclose(fp);
	im.feeds = json_array();
	im.byurl = json_object();
	if (opml_parse(b.data != NULL ? b.data : "", b.len, cmd_import_feed,
	    &im, &cause) == -1)
		die("%s: %s", path, cause);
	buf_release(&b);
	json_decref(im.byurl);
	all = json_array();
	results = json_array();
	/*
	 * In batches: a request must stay under the daemon's frame limit,
	 * and a list of thousands would not.  Each batch is one transaction
	 * (a dry run's, rolled back).
	 */
	for (i = 0; i < json_array_size(im.feeds); i = k) {
		batch = json_array();
		for (k = i, size = 0; k < json_array_size(im.feeds) &&
		    size < IMPORT_BATCH_BYTES; k++) {
			v = json_array_get(im.feeds, k);
			size += json_dumpb(v, NULL, 0, JSON_COMPACT) + 1;
			json_array_append(batch, v);
		}
		data = client_call(json_pack("{s:s, s:o, s:b}", "cmd",
		    "import", "feeds", batch, "dry_run", dry), NULL);
		json_array_foreach(json_object_get(data, "errors"), e, v) {
			if (!json)
				fprintf(stderr, "aggctl: %s\n",
				    json_string_value(v));
			json_array_append(all, v);
		}
		added += json_integer_value(json_object_get(data, "added"));
		existing += json_integer_value(json_object_get(data,
		    "existing"));
		tagged += json_integer_value(json_object_get(data, "tagged"));
		nerr += json_array_size(json_object_get(data, "errors"));
		json_array_extend(results, json_object_get(data, "feeds"));
		json_decref(data);
	}
	json_decref(im.feeds);
	if (json) {
		data = json_pack("{s:I, s:I, s:I, s:b, s:o, s:o}", "added",
		    added, "existing", existing, "tagged", tagged, "dry_run",
		    dry, "feeds", results, "errors", all);
		output_json(data);
		json_decref(data);
	} else if (dry) {
		json_array_foreach(results, i, v) {
			action = json_string_value(json_object_get(v,
			    "action"));
			if (strcmp(action, "add") == 0)
				printf("would add %s%s%s%s\n",
				    json_string_value(json_object_get(v, "url")),
				    json_array_size(json_object_get(v,
				    "tags")) > 0 ? " (tags: " : "",
				    cmd_import_list(json_object_get(v, "tags")),
				    json_array_size(json_object_get(v,
				    "tags")) > 0 ? ")" : "");
			else if (strcmp(action, "tag") == 0)
				printf("would tag %s: %s\n",
				    json_string_value(json_object_get(v, "url")),
				    cmd_import_list(json_object_get(v, "tags")));
		}
		printf("dry run: %lld would be added, %lld already subscribed "
		    "(%lld would get new tags); nothing changed\n",
		    (long long)added, (long long)existing, (long long)tagged);
		json_decref(results);
		json_decref(all);
	} else {
		printf("%lld added, %lld already subscribed", (long long)added,
		    (long long)existing);
		if (tagged > 0)
			printf(" (%lld given new tags)", (long long)tagged);
		putchar('\n');
		json_decref(results);
		json_decref(all);
	}
	output_finish();
	return (nerr > 0);
}

/*
 * OPML on stdout; with --json the same feeds as JSON Lines (the feed
 * objects of aggctl feeds --json), for a script that wants more than
 * OPML carries.
 */
int
cmd_export(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json",	no_argument,	NULL,	'j' },
		{ "help",	no_argument,	NULL,	'h' },
		{ NULL,		0,		NULL,	0 }
	};
	json_t		*j, *f, *tv;
	const char	**tags;
	size_t		 ntags, k;
	int		 ch, json = 0;

	while ((ch = help_getopt(argc, argv, longopts, "export")) != -1)
		json = 1;
	if (optind < argc)
		fatal_usage("export", "unexpected argument '%s'",
		    argv[optind]);
	client_send(json_pack("{s:s}", "cmd", "feeds"));
	if (!json)
		opml_write_head(stdout, "aggd subscriptions");
	while ((j = client_next_row()) != NULL) {
		f = json_object_get(j, "data");
		if (json) {
			output_json(f);
			json_decref(j);
			continue;
		}
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
	if (!json)
		opml_write_tail(stdout);
	output_finish();
	return (0);
}
