/*
 * Control request handlers and the helpers they share (cmd.c).
 */
#ifndef AGGD_CMD_H
#define AGGD_CMD_H

#include <stdio.h>

#include <jansson.h>

struct client;

struct cmd_entry {
	const char	*name;
	void		(*fn)(struct client *, json_t *);
};

int	 cmd_string(struct client *, json_t *, const char *, int,
	     const char **);
int	 cmd_integer(struct client *, json_t *, const char *, int, int64_t *);
int	 cmd_bool(struct client *, json_t *, const char *, int *);
int	 cmd_strings(struct client *, json_t *, const char *, json_t **);
int64_t	 cmd_feed(struct client *, json_t *, const char *);

/* cmd-feeds.c */
void	 cmd_add(struct client *, json_t *);
void	 cmd_remove(struct client *, json_t *);
void	 cmd_feeds(struct client *, json_t *);
void	 cmd_status(struct client *, json_t *);
void	 cmd_import(struct client *, json_t *);
void	 cmd_export(struct client *, json_t *);
json_t	*cmd_feeds_feed_json(int64_t);
/* Bring *interval within min_interval and max_interval; the notice that
 * says so (caller frees), or NULL when it was within. */
char	*cmd_feeds_interval(int64_t *);

/* cmd-manage.c */
void	 cmd_set(struct client *, json_t *);
void	 cmd_pause(struct client *, json_t *);
void	 cmd_resume(struct client *, json_t *);
void	 cmd_log(struct client *, json_t *);
struct store_feed;
int	 cmd_manage_config_refuse(struct client *, const struct store_feed *,
	     const char *);
int64_t	*cmd_manage_feeds(struct client *, json_t *, const char *, size_t *);

/* cmd-items.c */
void	 cmd_items(struct client *, json_t *);
void	 cmd_show(struct client *, json_t *);
void	 cmd_read(struct client *, json_t *);
void	 cmd_unread(struct client *, json_t *);
void	 cmd_follow(struct client *, json_t *);

/* cmd-backup.c */
void	 cmd_backup(struct client *, json_t *);

/* cmd-fetch.c */
void	 cmd_refresh(struct client *, json_t *);

#endif
