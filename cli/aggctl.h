/*
 * aggctl: the command-line client.  Every command but `parse` talks to aggd
 * over its Unix socket (client.c); output.c renders tables and JSON Lines.
 */
#ifndef AGGCTL_H
#define AGGCTL_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "compat.h"

/* client.c */
void		 client_set_socket(const char *);
const char	*client_socket(void);
void		 client_send(json_t *);		/* steals */
json_t		*client_recv(void);		/* dies on an error frame */
json_t		*client_next_row(void);		/* NULL at the end frame */
json_t		*client_call(json_t *, json_t **frame);
void		 client_close(void);

/* help.c: every command's description and options, in one table */
struct option;
void	 help_usage(FILE *);
void	 help_exit(const char *) NORETURN;
void	 fatal_usage(const char *, const char *, ...) PRINTFLIKE(2, 3)
	     NORETURN;
int	 help_getopt(int, char **, const struct option *, const char *);
int	 cmd_help(int, char **);

/* output.c */
void	 die(const char *, ...) PRINTFLIKE(1, 2) NORETURN;
void	 output_json(const json_t *);
int	 output_isatty(void);
int	 isatty_stderr(void);
int	 output_width(void);
void	 output_cell(const char *, int width, int last);
int	 output_strwidth(const char *);
/* Feed id (as a string) -> its title, else its URL; one feeds request. */
json_t	*output_feed_titles(void);
const char *output_feed_title(json_t *titles, json_t *item);
void	 output_localtime(const char *, char *, size_t);
void	 output_finish(void);

/* cmd-parse.c */
int	cmd_parse(int, char **);

/* cmd-feeds.c */
int	cmd_add(int, char **);
int	cmd_remove(int, char **);
int	cmd_feeds(int, char **);
int	cmd_status(int, char **);
void	cmd_feeds_show(json_t *);

/* cmd-manage.c */
int	cmd_set(int, char **);
int	cmd_pause(int, char **);
int	cmd_resume(int, char **);

/* cmd-log.c */
int	cmd_log(int, char **);

/* cmd-items.c */
int	cmd_items(int, char **);
int	cmd_show(int, char **);
int	cmd_read(int, char **);
int	cmd_unread(int, char **);
int	cmd_follow(int, char **);

/* cmd-fetch.c */
int	cmd_refresh(int, char **);

/* cmd-backup.c */
int	cmd_backup(int, char **);

/* cmd-opml.c */
int	cmd_import(int, char **);
int	cmd_export(int, char **);

#endif
