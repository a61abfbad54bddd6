/*
 * The store's statement table, for the daemon files that run their own
 * queries (cmd-items.c, fetch.c, hook.c).  Other callers use aggd.h.
 */
#ifndef AGGD_STORE_H
#define AGGD_STORE_H

#include <stdint.h>

#include <sqlite3.h>

enum store_stmt {
	STMT_BEGIN,
	STMT_COMMIT,
	STMT_ROLLBACK,
	STMT_FEED_GET,
	STMT_FEED_BY_URL,
	STMT_FEED_INSERT,
	STMT_FEED_DELETE,
	STMT_TAG_INSERT,
	STMT_TAG_DELETE,
	STMT_TAGS,
	STMT_FEED_IDS,
	STMT_FEED_COUNTS,
	STMT_FEED_SET_NEXT,
	STMT_NEXT_DUE,
	STMT_COUNTS,
	STMT_FEED_BY_NAME,
	STMT_FEED_CONFIG_UPDATE,
	STMT_FEED_CONFIG_NAMES,
	STMT_FEED_UNNAME,
	STMT_COUNT
};

struct store;

/* Reset, clear bindings and hand out a prepared statement (borrowed). */
sqlite3_stmt	*store_stmt(struct store *, enum store_stmt);
sqlite3		*store_db(struct store *);
int		 store_exec(struct store *, sqlite3_stmt *);
int		 store_in_tx(struct store *);
void		 store_bind_text(sqlite3_stmt *, int, const char *);
void		 store_bind_int(sqlite3_stmt *, int, int64_t v, int64_t none);
char		*store_col_text(sqlite3_stmt *, int);
int64_t		 store_col_int(sqlite3_stmt *, int, int64_t none);

#endif
