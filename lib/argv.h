/*
 * Splitting a command line into an argv without a shell (argv.c).
 */
#ifndef AGG_ARGV_H
#define AGG_ARGV_H

/* The words of s, NULL-terminated (free with argv_free), or NULL and
 * *cause (caller frees): "empty command", "unterminated ' quote". */
char	**argv_split(const char *s, char **cause);
/* Takes NULL. */
void	  argv_free(char **);

#endif
