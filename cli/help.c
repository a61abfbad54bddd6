/*
 * What aggctl says about itself: one table with every command, its
 * arguments, a line for the command list, a paragraph, and each option
 * explained.  `aggctl --help`, `aggctl help COMMAND`, `aggctl COMMAND
 * --help` and every usage error read it, so a command is described in one
 * place: adding one is adding an entry here.  Parsing a command's options
 * through help_getopt() gives it --help and one-line errors that name the
 * unknown option.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggctl.h"

struct help_option {
	const char	*option;	/* as typed, with its argument */
	const char	*text;
};

struct help_command {
	const char		*name;
	const char		*args;		/* after the name */
	const char		*summary;	/* one line for aggctl --help */
	const char		*text;		/* what it does, wrapped */
	struct help_option	 options[12];
};

#define HELP_JSON_ONE	{ "--json", "print the result as one JSON object" }
#define HELP_JSON_LINES	{ "--json", "print JSON Lines: one object a line, " \
	"each line flushed" }

static const struct help_command help_commands[] = {
	{ "add", "URL [--title T] [--interval DUR] [--tag TAG]... "
	    "[--announce-existing] [--json]",
	    "subscribe to a feed",
	    "Subscribe to the feed at URL (http or https) and fetch it at\n"
	    "once.  Prints the feed's id.  A URL already subscribed (also the\n"
	    "old URL of a feed that moved) prints its id and changes nothing.",
	    {
		{ "--title T", "the feed's title, instead of the one it gives" },
		{ "--interval DUR", "poll every DUR (30s, 15m, 2h, 1d) instead "
		    "of adapting to the feed; raised to min_interval" },
		{ "--tag TAG", "tag the feed (repeat for several)" },
		{ "--announce-existing", "announce the items of the first "
		    "fetch too (hooks, follow); by default they are only "
		    "stored" },
		{ "--json", "print the feed object instead of its id" },
	    } },
	{ "remove", "FEED... [--json]",
	    "unsubscribe from feeds",
	    "Unsubscribe from each FEED (an id or a URL); its items go with\n"
	    "it.  A feed from the configuration file is removed there.",
	    {
		HELP_JSON_ONE,
	    } },
	{ "set", "FEED [--title T] [--interval DUR|default] [--tag TAG]... "
	    "[--untag TAG]... [--hook CMD|--no-hook] [--retain DUR] "
	    "[--retain-items N] [--json]",
	    "change a subscription",
	    "Change a subscription made with add or import, and print it.",
	    {
		{ "--title T", "the feed's title" },
		{ "--interval DUR|default", "poll every DUR, or adapt to the "
		    "feed again" },
		{ "--tag TAG", "add a tag (repeat for several)" },
		{ "--untag TAG", "remove a tag (repeat for several)" },
		{ "--hook CMD", "run CMD for the feed's new items instead of "
		    "the global hook" },
		{ "--no-hook", "use the global hook again" },
		{ "--retain DUR", "remove items first seen longer ago" },
		{ "--retain-items N", "keep at most N items, the newest" },
		{ "--json", "print the feed object" },
	    } },
	{ "pause", "FEED... [--json]",
	    "stop polling feeds",
	    "Stop polling each FEED until it is resumed.",
	    {
		HELP_JSON_ONE,
	    } },
	{ "resume", "FEED... [--json]",
	    "poll paused feeds again",
	    "Poll each FEED again: a paused one, or one disabled because its\n"
	    "server said it is gone (HTTP 410).",
	    {
		HELP_JSON_ONE,
	    } },
	{ "feeds", "[--failing] [--tag TAG] [--json]",
	    "list the subscriptions and their state",
	    "List the subscriptions: id, state, unread and total items, poll\n"
	    "interval, next poll, title and tags.  STATE is the last HTTP\n"
	    "status, \"new\" before the first poll, \"error\" (the reason is\n"
	    "shown under the feed), \"paused\" or \"disabled\".  On a\n"
	    "terminal the table is cut to its width; through a pipe every\n"
	    "value is whole.",
	    {
		{ "--failing", "only feeds whose last poll failed" },
		{ "--tag TAG", "only feeds with this tag" },
		HELP_JSON_LINES,
	    } },
	{ "items", "[--feed FEED] [--tag TAG] [--unread] [--since TIME] "
	    "[--after-id N] [--limit N] [--search QUERY] [--json]",
	    "list stored items",
	    "List stored items, newest first: id, a '*' for an unread item,\n"
	    "date (local time), the feed's title and the item's title.",
	    {
		{ "--feed FEED", "only this feed's items (an id or a URL)" },
		{ "--tag TAG", "only items of feeds with this tag" },
		{ "--unread", "only unread items" },
		{ "--since TIME", "only items since TIME: a date, an RFC 3339 "
		    "time, or a duration meaning ago (2h, 3d)" },
		{ "--after-id N", "only items with an id above N, in id order" },
		{ "--limit N", "at most N items" },
		{ "--search QUERY", "full text: all words, \"a phrase\", "
		    "prefix*, OR, -word" },
		HELP_JSON_LINES,
	    } },
	{ "show", "ITEM [--json|--html]",
	    "print one item",
	    "Print one item whole: a header (title, feed, author, dates,\n"
	    "link, categories, enclosures), then its content as readable\n"
	    "text, the links it holds listed at the end as [N] URL.",
	    {
		{ "--html", "print the content as stored, markup and all" },
		{ "--json", "print the item object" },
	    } },
	{ "read", "ITEM... | --feed FEED | --all [--json]",
	    "mark items read",
	    "Mark items read: the ITEMs given by id, a feed's, or all.",
	    {
		{ "--feed FEED", "every item of FEED" },
		{ "--all", "every item" },
		{ "--json", "print the result ({\"changed\": N})" },
	    } },
	{ "unread", "ITEM... | --feed FEED | --all [--json]",
	    "mark items unread",
	    "Mark items unread: the ITEMs given by id, a feed's, or all.",
	    {
		{ "--feed FEED", "every item of FEED" },
		{ "--all", "every item" },
		{ "--json", "print the result ({\"changed\": N})" },
	    } },
	{ "refresh", "[FEED...] [--wait] [--json]",
	    "poll feeds now",
	    "Poll the FEEDs given, or all, now, whatever their interval or\n"
	    "backoff; a feed inside a Retry-After its server gave is named\n"
	    "and not polled.",
	    {
		{ "--wait", "return when the polls are over (a progress line "
		    "on a terminal), name each feed that failed, and exit 1 "
		    "if any did" },
		{ "--json", "print the result: the feeds polled, skipped and "
		    "failed" },
	    } },
	{ "log", "[FEED] [--limit N] [--json]",
	    "show the fetch history",
	    "Show the fetch history, newest first: time, feed, HTTP status,\n"
	    "bytes, duration, new and changed items, error, and why the next\n"
	    "poll is when it is.",
	    {
		{ "--limit N", "at most N attempts" },
		HELP_JSON_LINES,
	    } },
	{ "backup", "FILE [--force] [--json]",
	    "copy the database",
	    "Write a consistent copy of the database to FILE while the\n"
	    "daemon runs, a few pages per turn of its loop so that polling\n"
	    "goes on.  The copy is made under a temporary name beside FILE\n"
	    "(mode 0600) and renamed into place; FILE is taken relative to\n"
	    "the current directory.",
	    {
		{ "--force", "replace FILE if it exists (else refused)" },
		HELP_JSON_ONE,
	    } },
	{ "follow", "[--feed FEED] [--after-id N] [--json]",
	    "print items as they are announced",
	    "Stay connected and print each announced item as it is stored,\n"
	    "until interrupted.",
	    {
		{ "--feed FEED", "only this feed's items" },
		{ "--after-id N", "first replay the announced items stored "
		    "after id N" },
		HELP_JSON_LINES,
	    } },
	{ "import", "FILE.opml [--dry-run] [--json]",
	    "subscribe to the feeds of an OPML file",
	    "Subscribe to every feed of an OPML file (- for stdin).  Every\n"
	    "folder a feed sits in, at any depth, becomes a tag; a feed\n"
	    "already subscribed gets the tags it lacks; a feed's htmlUrl is\n"
	    "its link until the feed gives one.",
	    {
		{ "--dry-run", "print what would be added or changed, and "
		    "change nothing" },
		{ "--json", "print the result as one object, with each feed's "
		    "outcome" },
	    } },
	{ "export", "[--json]",
	    "print the subscriptions as OPML",
	    "Print the subscriptions as OPML 2.0 on stdout: title, URL,\n"
	    "htmlUrl and tags (as categories, which import reads back).",
	    {
		{ "--json", "print the feed objects as JSON Lines instead" },
	    } },
	{ "status", "[--json]",
	    "show the daemon's figures",
	    "Show the daemon's figures: version, uptime, feeds, items,\n"
	    "unread, transfers in flight, next poll, hooks pending and\n"
	    "failed, failing feeds, database size.",
	    {
		HELP_JSON_ONE,
	    } },
	{ "parse", "[--base URL] [--charset NAME] [--json] FILE|-",
	    "parse a feed document offline",
	    "Parse one feed document (- for stdin) without a daemon and\n"
	    "print it as one JSON object; exit 1 when it had an error.",
	    {
		{ "--base URL", "the URL the document was fetched from, for "
		    "relative links" },
		{ "--charset NAME", "the charset an HTTP Content-Type gave" },
		{ "--json", "accepted: the output is always JSON" },
	    } },
	{ "help", "[COMMAND]",
	    "explain a command and its options",
	    "Explain COMMAND and each of its options, or list the commands.",
	    { { NULL, NULL } } },
};

static const struct help_command *
help_find(const char *name)
{
	size_t	i;

	for (i = 0; i < nitems(help_commands); i++)
		if (strcmp(help_commands[i].name, name) == 0)
			return (&help_commands[i]);
	return (NULL);
}

/* Print TEXT from column COL, wrapped at 79 columns, indented to COL. */
static void
help_wrap(FILE *fp, const char *text, int col)
{
	const char	*w, *e;
	int		 at = col, len;

	for (w = text; *w != '\0'; w = e) {
		while (*w == ' ')
			w++;
		if ((e = strchr(w, ' ')) == NULL)
			e = w + strlen(w);
		len = (int)(e - w);
		if (at > col && at + 1 + len > 79) {
			fprintf(fp, "\n%*s", col, "");
			at = col;
		} else if (at > col) {
			fputc(' ', fp);
			at++;
		}
		fwrite(w, 1, (size_t)len, fp);
		at += len;
	}
	fputc('\n', fp);
}

static void
help_print(FILE *fp, const struct help_command *hc)
{
	const struct help_option	*o;
	int				 width = 0, n;

	fprintf(fp, "usage: aggctl %s %s\n\n%s\n", hc->name, hc->args,
	    hc->text);
	if (hc->options[0].option == NULL)
		return;
	for (o = hc->options; o->option != NULL; o++)
		if ((n = (int)strlen(o->option)) > width)
			width = n;
	if (width < 6)
		width = 6;
	fprintf(fp, "\noptions:\n");
	for (o = hc->options; o->option != NULL; o++) {
		fprintf(fp, "  %-*s  ", width, o->option);
		help_wrap(fp, o->text, width + 4);
	}
	fprintf(fp, "  %-*s  %s\n", width, "--help", "this help");
}

/* aggctl --help: every command with its line. */
void
help_usage(FILE *fp)
{
	size_t	i;

	fprintf(fp, "usage: aggctl [-s SOCKET] COMMAND [ARGS]\n\ncommands:\n");
	for (i = 0; i < nitems(help_commands); i++)
		fprintf(fp, "  %-9s %s\n", help_commands[i].name,
		    help_commands[i].summary);
	fprintf(fp, "\n"
	    "  -s SOCKET  the daemon's socket; else $AGGD_SOCKET, else the\n"
	    "             daemon's default\n"
	    "  --version  print the version\n"
	    "\n"
	    "'aggctl help COMMAND' or 'aggctl COMMAND --help' explains a "
	    "command\nand each of its options; every command takes --json.\n");
}

/* Print COMMAND's help on stdout and exit 0. */
void
help_exit(const char *name)
{
	const struct help_command	*hc;

	if ((hc = help_find(name)) == NULL)
		fatal_usage(NULL, "no help for '%s'", name);
	help_print(stdout, hc);
	output_finish();
	exit(0);
}

/*
 * A usage error: one line on stderr naming the command and what was
 * wrong, and where its help is; exit 1.
 */
void
fatal_usage(const char *cmd, const char *fmt, ...)
{
	va_list	ap;

	fflush(stdout);
	fputs("aggctl: ", stderr);
	if (cmd != NULL)
		fprintf(stderr, "%s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (cmd != NULL)
		fprintf(stderr, " (see 'aggctl help %s')\n", cmd);
	else
		fputs(" (see 'aggctl --help')\n", stderr);
	exit(1);
}

/*
 * getopt_long for a command: --help (val 'h' in LONGOPTS) prints the
 * command's help and exits; an unknown option or one missing its
 * argument is a usage error naming it.  Options and arguments may mix.
 */
int
help_getopt(int argc, char **argv, const struct option *longopts,
    const char *cmd)
{
	int	ch;

	opterr = 0;
	ch = getopt_long(argc, argv, ":", longopts, NULL);
	switch (ch) {
	case 'h':
		help_exit(cmd);
		/* NOTREACHED */
	case ':':
		fatal_usage(cmd, "option '%s' needs an argument",
		    argv[optind - 1]);
		/* NOTREACHED */
	case '?':
		/* A long option given a value it does not take is named
		 * as typed; so is an unknown one. */
		if (strncmp(argv[optind - 1], "--", 2) == 0 &&
		    strchr(argv[optind - 1], '=') != NULL && optopt != 0)
			fatal_usage(cmd, "option '%.*s' takes no value",
			    (int)(strchr(argv[optind - 1], '=') -
			    argv[optind - 1]), argv[optind - 1]);
		if (strncmp(argv[optind - 1], "--", 2) != 0 && optopt != 0)
			fatal_usage(cmd, "unknown option '-%c'", optopt);
		fatal_usage(cmd, "unknown option '%s'", argv[optind - 1]);
		/* NOTREACHED */
	}
	return (ch);
}

/* aggctl help [COMMAND] */
int
cmd_help(int argc, char **argv)
{
	if (argc == 1) {
		help_usage(stdout);
		output_finish();
		return (0);
	}
	if (argc > 2)
		fatal_usage("help", "give one command");
	if (help_find(argv[1]) == NULL)
		fatal_usage(NULL, "unknown command '%s'", argv[1]);
	help_exit(argv[1]);
	return (0);
}
