/*
 * Command lines as the configuration writes them (hook = /path --flag 'a b'):
 * split into words as sh(1) would, with quotes and backslashes, but nothing
 * expanded and no shell run.  The config checks a hook with it, the daemon
 * runs one with it.
 */
#include <stdlib.h>
#include <string.h>

#include "argv.h"
#include "buf.h"
#include "xmalloc.h"

void
argv_free(char **argv)
{
	char	**p;

	if (argv == NULL)
		return;
	for (p = argv; *p != NULL; p++)
		free(*p);
	free(argv);
}

/*
 * Split like sh(1) does words, quotes and backslashes, but expand nothing:
 * the hook is run with execvp, never through a shell, so a feed title can
 * never become a command.
 */
char **
argv_split(const char *s, char **cause)
{
	char		**argv = NULL;
	size_t		  argc = 0;
	struct buf	  w;
	int		  inword = 0;
	char		  q = 0;

	buf_init(&w);
	for (;; s++) {
		if (q == '\'') {
			if (*s == '\0')
				goto unterminated;
			if (*s == '\'')
				q = 0;
			else
				buf_addc(&w, *s);
			continue;
		}
		if (q == '"') {
			if (*s == '\0')
				goto unterminated;
			if (*s == '"')
				q = 0;
			else if (*s == '\\' && strchr("\"\\$`", s[1]) != NULL &&
			    s[1] != '\0')
				buf_addc(&w, *++s);
			else
				buf_addc(&w, *s);
			continue;
		}
		if (*s == '\0' || *s == ' ' || *s == '\t') {
			if (inword) {
				argv = xreallocarray(argv, argc + 2,
				    sizeof *argv);
				argv[argc++] = buf_detach(&w);
				argv[argc] = NULL;
				inword = 0;
			}
			if (*s == '\0')
				break;
			continue;
		}
		inword = 1;
		if (*s == '\'' || *s == '"')
			q = *s;
		else if (*s == '\\' && s[1] != '\0')
			buf_addc(&w, *++s);
		else
			buf_addc(&w, *s);
	}
	buf_release(&w);
	if (argc == 0) {
		xasprintf(cause, "empty command");
		free(argv);
		return (NULL);
	}
	return (argv);
unterminated:
	buf_release(&w);
	argv_free(argv);
	xasprintf(cause, "unterminated %c quote", q);
	return (NULL);
}
