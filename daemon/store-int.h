/*
 * The store's insides, shared by its files (store.c: the connection,
 * schema, transactions and feeds; store-items.c: a fetch's items;
 * store-text.c: item text, packed; store-search.c: the search index).
 * Nothing outside them includes this.
 */
#ifndef AGGD_STORE_INT_H
#define AGGD_STORE_INT_H

#include <pthread.h>

#include <sqlite3.h>
#include <zstd.h>

#include "store.h"

struct store_train;

/* An item's search words made before its insert (store_prep), kept for
 * store_search_sync; in id order. */
struct store_words {
	int64_t		 id;
	char		*text;
};

/* A feed's error that the database could not take (see store_fail). */
#define STORE_FAILED_HASH	256
struct store_failed {
	int64_t			 id;
	char			*error;
	struct store_failed	*next;
};

struct store {
	sqlite3		*db;
	char		*path;
	sqlite3_stmt	*stmt[STMT_COUNT];
	int		 in_tx;
	int		 group;		/* a group transaction is open */
	int		 in_fetch;	/* a fetch is being stored */
	int		 fetch_sp;	/* in a savepoint of its own */
	int64_t		 fetch_id;	/* whose */
	int64_t		*careful;	/* feeds whose fetches have one */
	size_t		 ncareful;
	size_t		 carefulcap;
	int64_t		*group_ids;	/* feeds whose fetch the group holds */
	size_t		 ngroup;
	size_t		 groupcap;
	struct event	*flush;		/* commits the group */
	int64_t		 nerrors;	/* failed statements since open */
	char		*error;		/* the last one's text, NULL once a
					 * transaction commits */
	struct store_failed *failed[STORE_FAILED_HASH];
	ZSTD_CCtx	*zc;		/* item text, on the loop thread */
	pthread_mutex_t	 dict_lock;	/* cdict and dict_id, which other
					 * threads read (store_prep) */
	ZSTD_CDict	*cdict;		/* the dictionary it is written with */
	int64_t		 dict_id;	/* its zdicts row */
	int64_t		 undict;	/* items stored without one */
	struct store_train *train;	/* one being trained */
	int		 vacuum;	/* auto_vacuum is incremental */
	int64_t		 fts_from;	/* items from this id are not yet in
					 * the search index (store_search_sync) */
	int64_t		 fts_pending;	/* about how many: some may be gone */
	struct store_words *words;	/* their words, made beforehand */
	size_t		 nwords;
	size_t		 wordscap;
	size_t		 words_mark;	/* nwords at the fetch's savepoint */
	/* The checkpoint thread (store_attach). */
	sqlite3		*ckpt_db;
	pthread_t	 ckpt_thread;
	pthread_mutex_t	 ckpt_lock;
	pthread_cond_t	 ckpt_cond;
	int		 ckpt_wanted;
	int		 ckpt_stop;
};

/* store-text.c */
void	store_body_prep(struct store *, const struct item *,
	    struct store_prep *);
void	store_dict_load(struct store *);
void	store_dict_tick(struct store *);	/* after a commit */
void	store_dict_close(struct store *);
void	store_dctx_release(void);

/* store-search.c: the SQL functions the search index's triggers call. */
void	store_text_fn(sqlite3_context *, int, sqlite3_value **);
void	store_fts_defer_fn(sqlite3_context *, int, sqlite3_value **);
void	store_fts_from_fn(sqlite3_context *, int, sqlite3_value **);
void	store_words_fn(sqlite3_context *, int, sqlite3_value **);
void	store_tok_release(void);
char	*store_search_words(const char *title, const char *summary,
	    const char *content);
void	store_words_keep(struct store *, int64_t id, char *text);
void	store_words_forget(struct store *, int64_t id);
void	store_words_clear(struct store *, size_t from);

#endif
