/*
 * What a search asks for (search.c): parsed on the loop, turned into an
 * FTS5 expression and checked against items on a query thread.
 */
#ifndef AGGD_SEARCH_H
#define AGGD_SEARCH_H

#include <sqlite3.h>

#include "buf.h"

struct search;
struct search_tok;

/* The user's query, or NULL with *cause saying what is wrong. */
struct search	*search_parse(const char *, char **cause);
void		 search_free(struct search *);
/* The index's tokenizer on db's connection (one thread's). */
struct search_tok *search_tok_open(sqlite3 *db, char **cause);
void		 search_tok_close(struct search_tok *);
/* The FTS5 expression for the query; *check is 1 when what it finds
 * must each be checked with search_check (a term of several words). */
char		*search_expr(struct search *, struct search_tok *, int *check);
/* Whether an item's text holds what the query asks for, exactly. */
int		 search_check(struct search *, struct search_tok *,
		    const char *title, const char *summary, const char *content);
/* Append an item's text to b, markup stripped: what search_check reads,
 * and what the index takes the distinct words of. */
void		 search_text(struct buf *b, const char *title,
		    const char *summary, const char *content);
/* Append the distinct words of text to out, as the index holds them. */
void		 search_distinct(struct buf *out, struct search_tok *,
		    const char *text, size_t len);

#endif
