/*
 * What a search asks for, and whether an item holds it.
 *
 * Syntax: words must all match; "a phrase"; prefix*; OR between two terms
 * (binding tighter than the implied AND, as search engines do; AND may be
 * written too); -word or -"a phrase" to exclude.  search_parse checks it
 * on the loop, so a bad query is refused before any thread runs it.
 *
 * The index (store.c, migration 8) records which items hold each word,
 * not where (FTS5 detail=none): a fifth of the size of an index of
 * positions, which would take as much room as the packed text itself.
 * So a term of several words (a phrase, or a word such as e-mail that
 * the tokenizer splits) goes to FTS5 as the AND of its words, an
 * excluded one not at all, and each item found is checked against the
 * whole query (search_check) with the index's own tokenizer, so that the
 * words, their order, case folding and diacritics are exactly the
 * index's.  Every word is quoted in the FTS5 expression, so nothing the
 * user types can be an FTS5 operator, column filter or function.
 *
 * A search_tok belongs to one connection, and so to one thread.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "aggd.h"
#include "buf.h"
#include "htmltext.h"
#include "search.h"
#include "xmalloc.h"

#define SEARCH_MAX_TERMS	64
#define SEARCH_MAX_WORDS	256

struct search_term {
	char	*text;			/* as typed, unquoted */
	int	 prefix;
	int	 neg;
	int	 or_before;		/* joined to the previous by OR */
	char	**word;			/* its words, as the index has them */
	size_t	 nword;
};

struct search {
	struct search_term	 t[SEARCH_MAX_TERMS];
	size_t			 n;
	int			 tokenized;
};

struct search_tok {
	fts5_tokenizer		 api;
	Fts5Tokenizer		*tok;
};

/* The distinct words of a text so far (search_distinct): each kept as
 * where it sits in the output, in an open-addressed table. */
struct search_seen {
	struct buf	*out;
	uint32_t	*slot;		/* offset + 1 into out; 0: empty */
	uint32_t	*len;
	uint32_t	*hash;
	size_t		 n;
	size_t		 cap;		/* a power of two */
};

/* The words of a text, as the index's tokenizer makes them. */
struct search_words {
	char	**w;
	size_t	  n;
	size_t	  cap;
	size_t	  max;			/* stop after this many (0: all) */
};

static int
search_space(char c)
{
	return (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	    c == '\v');
}

void
search_free(struct search *s)
{
	size_t	i, k;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++) {
		free(s->t[i].text);
		for (k = 0; k < s->t[i].nword; k++)
			free(s->t[i].word[k]);
		free(s->t[i].word);
	}
	free(s);
}

struct search *
search_parse(const char *q, char **cause)
{
	struct search	*s;
	const char	*p = q, *b, *e;
	size_t		 len;
	int		 neg, prefix, or_next = 0, and_next = 0, npos = 0;

	*cause = NULL;
	s = xcalloc(1, sizeof *s);
	for (;;) {
		while (search_space(*p))
			p++;
		if (*p == '\0')
			break;
		neg = prefix = 0;
		if (*p == '-' && p[1] != '\0' && !search_space(p[1])) {
			neg = 1;
			p++;
		}
		if (*p == '"') {
			b = ++p;
			if ((e = strchr(b, '"')) == NULL) {
				xasprintf(cause, "unclosed quote");
				goto fail;
			}
			len = (size_t)(e - b);
			p = e + 1;
			if (*p == '*') {
				prefix = 1;
				while (*p == '*')
					p++;
			}
			if (len == 0 || strspn(b, " \t\n\r\f\v") >= len) {
				xasprintf(cause, "empty phrase");
				goto fail;
			}
		} else {
			b = p;
			while (*p != '\0' && !search_space(*p) && *p != '"')
				p++;
			len = (size_t)(p - b);
			if (!neg && len == 2 && strncmp(b, "OR", 2) == 0) {
				if (s->n == 0 || or_next || and_next) {
					xasprintf(cause, "OR must stand "
					    "between two words");
					goto fail;
				}
				if (s->t[s->n - 1].neg) {
					xasprintf(cause, "OR cannot join an "
					    "excluded word");
					goto fail;
				}
				or_next = 1;
				continue;
			}
			if (!neg && len == 3 && strncmp(b, "AND", 3) == 0) {
				if (s->n == 0 || or_next || and_next) {
					xasprintf(cause, "AND must stand "
					    "between two words");
					goto fail;
				}
				and_next = 1;
				continue;
			}
			while (len > 0 && b[len - 1] == '*') {
				prefix = 1;
				len--;
			}
			if (len == 0) {
				xasprintf(cause, "'*' must end a word");
				goto fail;
			}
		}
		if (s->n == SEARCH_MAX_TERMS) {
			xasprintf(cause, "more than %d words",
			    SEARCH_MAX_TERMS);
			goto fail;
		}
		if (neg && or_next) {
			xasprintf(cause, "OR cannot join an excluded word");
			goto fail;
		}
		s->t[s->n].text = xstrndup(b, len);
		s->t[s->n].prefix = prefix;
		s->t[s->n].neg = neg;
		s->t[s->n].or_before = or_next;
		npos += !neg;
		s->n++;
		or_next = and_next = 0;
	}
	if (or_next || and_next) {
		xasprintf(cause, "%s must stand between two words",
		    or_next ? "OR" : "AND");
		goto fail;
	}
	if (s->n == 0) {
		xasprintf(cause, "nothing to search for");
		goto fail;
	}
	if (npos == 0) {
		xasprintf(cause, "only excluded words: give a word to find");
		goto fail;
	}
	return (s);
fail:
	search_free(s);
	return (NULL);
}

struct search_tok *
search_tok_open(sqlite3 *db, char **cause)
{
	struct search_tok	*tk;
	sqlite3_stmt		*st;
	fts5_api		*api = NULL;
	void			*ud;
	/* The index's tokenizer, as migration 8 declares it. */
	const char		*args[] = { "remove_diacritics", "2" };

	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) !=
	    SQLITE_OK) {
		xasprintf(cause, "no FTS5: %s", sqlite3_errmsg(db));
		return (NULL);
	}
	sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	sqlite3_finalize(st);
	if (api == NULL || api->iVersion < 2) {
		xasprintf(cause, "no FTS5 API");
		return (NULL);
	}
	tk = xcalloc(1, sizeof *tk);
	if (api->xFindTokenizer(api, "unicode61", &ud, &tk->api) !=
	    SQLITE_OK || tk->api.xCreate(ud, args, 2, &tk->tok) != SQLITE_OK) {
		xasprintf(cause, "no unicode61 tokenizer");
		free(tk);
		return (NULL);
	}
	return (tk);
}

void
search_tok_close(struct search_tok *tk)
{
	if (tk == NULL)
		return;
	tk->api.xDelete(tk->tok);
	free(tk);
}

static int
search_word_cb(void *ctx, int flags UNUSED, const char *tok, int ntok,
    int start UNUSED, int end UNUSED)
{
	struct search_words	*sw = ctx;

	if (sw->max > 0 && sw->n == sw->max)
		return (SQLITE_DONE);
	if (sw->n == sw->cap) {
		sw->cap = sw->cap == 0 ? 64 : sw->cap * 2;
		sw->w = xreallocarray(sw->w, sw->cap, sizeof *sw->w);
	}
	sw->w[sw->n++] = xstrndup(tok, (size_t)ntok);
	return (SQLITE_OK);
}

static void
search_words_release(struct search_words *sw)
{
	size_t	i;

	for (i = 0; i < sw->n; i++)
		free(sw->w[i]);
	free(sw->w);
}

/* The words of text into sw; at most max of them (0: all). */
static void
search_tokenize(struct search_tok *tk, const char *text, size_t len,
    size_t max, struct search_words *sw)
{
	memset(sw, 0, sizeof *sw);
	sw->max = max;
	if (len > 0)
		tk->api.xTokenize(tk->tok, sw, FTS5_TOKENIZE_DOCUMENT, text,
		    (int)len, search_word_cb);
}

static void
search_quote(struct buf *b, const char *w, int prefix)
{
	buf_addc(b, '"');
	for (; *w != '\0'; w++) {
		if (*w == '"')
			buf_addc(b, '"');
		buf_addc(b, *w);
	}
	buf_addc(b, '"');
	if (prefix)
		buf_adds(b, " *");
}

/* A term for FTS5: a word, the AND of its words, or "" (no words: an
 * empty phrase, which matches nothing, as before). */
static void
search_term_expr(struct buf *b, const struct search_term *t)
{
	size_t	k;

	if (t->nword == 0) {
		buf_adds(b, "\"\"");
		return;
	}
	if (t->nword > 1)
		buf_addc(b, '(');
	for (k = 0; k < t->nword; k++) {
		if (k > 0)
			buf_adds(b, " AND ");
		search_quote(b, t->word[k], t->prefix && k == t->nword - 1);
	}
	if (t->nword > 1)
		buf_addc(b, ')');
}

char *
search_expr(struct search *s, struct search_tok *tk, int *check)
{
	struct search_words	 sw;
	struct search_term	*t;
	struct buf		 b;
	size_t			 i;
	int			 first = 1;

	*check = 0;
	for (i = 0; i < s->n && !s->tokenized; i++) {
		t = &s->t[i];
		search_tokenize(tk, t->text, strlen(t->text), SEARCH_MAX_WORDS,
		    &sw);
		t->word = sw.w;
		t->nword = sw.n;
	}
	s->tokenized = 1;
	/* (a OR b) AND c ... , then NOT each exclusion of one word. */
	buf_init(&b);
	buf_addc(&b, '(');
	for (i = 0; i < s->n; i++) {
		t = &s->t[i];
		if (t->nword > 1)
			*check = 1;
		if (t->neg)
			continue;
		if (!first)
			buf_adds(&b, t->or_before ? " OR " : ") AND (");
		first = 0;
		search_term_expr(&b, t);
	}
	buf_addc(&b, ')');
	for (i = 0; i < s->n; i++) {
		t = &s->t[i];
		if (!t->neg || t->nword != 1)
			continue;
		buf_adds(&b, " NOT ");
		search_term_expr(&b, t);
	}
	/* Where FTS5 binds NOT does not matter: with AND it is all one
	 * intersection. */
	return (buf_detach(&b));
}

/* Whether the words of t occur in doc, in order, one after the other. */
static int
search_term_in(const struct search_term *t, const struct search_words *doc)
{
	size_t	i, k, last;

	if (t->nword == 0 || t->nword > doc->n)
		return (0);
	last = t->nword - 1;
	for (i = 0; i + t->nword <= doc->n; i++) {
		for (k = 0; k < t->nword; k++) {
			if (t->prefix && k == last) {
				if (strncmp(doc->w[i + k], t->word[k],
				    strlen(t->word[k])) != 0)
					break;
			} else if (strcmp(doc->w[i + k], t->word[k]) != 0)
				break;
		}
		if (k == t->nword)
			return (1);
	}
	return (0);
}

int
search_check(struct search *s, struct search_tok *tk, const char *title,
    const char *summary, const char *content)
{
	struct search_words	 doc;
	struct buf		 text;
	size_t			 i;
	int			 group = 1, match = 1;

	buf_init(&text);
	search_text(&text, title, summary, content);
	search_tokenize(tk, text.data != NULL ? text.data : "", text.len, 0,
	    &doc);
	buf_release(&text);
	/* Every group of terms joined by OR must have one that occurs,
	 * and no excluded term may. */
	for (i = 0; i < s->n && match; i++) {
		if (s->t[i].neg) {
			if (search_term_in(&s->t[i], &doc))
				match = 0;
			continue;
		}
		if (!s->t[i].or_before) {
			if (!group)
				match = 0;
			group = 0;
		}
		if (!group && search_term_in(&s->t[i], &doc))
			group = 1;
	}
	if (!group)
		match = 0;
	search_words_release(&doc);
	return (match);
}

/* The text the index holds for an item: its title, summary and content,
 * markup stripped and entities decoded. */
void
search_text(struct buf *b, const char *title, const char *summary,
    const char *content)
{
	if (title != NULL)
		htmltext_append(b, title, strlen(title));
	if (summary != NULL)
		htmltext_append(b, summary, strlen(summary));
	if (content != NULL)
		htmltext_append(b, content, strlen(content));
}

static uint32_t
search_hash(const char *s, int n)
{
	uint32_t	h = 2166136261U;
	int		i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619U;
	return (h);
}

static void
search_seen_grow(struct search_seen *ss)
{
	uint32_t	*slot = ss->slot, *len = ss->len, *hash = ss->hash;
	size_t		 cap = ss->cap, i, j;

	ss->cap = cap == 0 ? 256 : cap * 2;
	ss->slot = xcalloc(ss->cap, sizeof *ss->slot);
	ss->len = xreallocarray(NULL, ss->cap, sizeof *ss->len);
	ss->hash = xreallocarray(NULL, ss->cap, sizeof *ss->hash);
	for (i = 0; i < cap; i++) {
		if (slot[i] == 0)
			continue;
		for (j = hash[i] & (ss->cap - 1); ss->slot[j] != 0;
		    j = (j + 1) & (ss->cap - 1))
			;
		ss->slot[j] = slot[i];
		ss->len[j] = len[i];
		ss->hash[j] = hash[i];
	}
	free(slot);
	free(len);
	free(hash);
}

static int
search_distinct_cb(void *ctx, int flags UNUSED, const char *tok, int ntok,
    int start UNUSED, int end UNUSED)
{
	struct search_seen	*ss = ctx;
	uint32_t		 h = search_hash(tok, ntok);
	size_t			 j;

	if (ntok <= 0 || ss->out->len + (size_t)ntok + 2 > UINT32_MAX)
		return (SQLITE_OK);
	if ((ss->n + 1) * 2 > ss->cap)
		search_seen_grow(ss);
	for (j = h & (ss->cap - 1); ss->slot[j] != 0;
	    j = (j + 1) & (ss->cap - 1)) {
		if (ss->hash[j] == h && ss->len[j] == (uint32_t)ntok &&
		    memcmp(ss->out->data + ss->slot[j] - 1, tok,
		    (size_t)ntok) == 0)
			return (SQLITE_OK);
	}
	if (ss->out->len > 0)
		buf_addc(ss->out, ' ');
	ss->slot[j] = (uint32_t)ss->out->len + 1;
	ss->len[j] = (uint32_t)ntok;
	ss->hash[j] = h;
	ss->n++;
	buf_add(ss->out, tok, (size_t)ntok);
	return (SQLITE_OK);
}

/*
 * Append to out the distinct words of text as the index's tokenizer
 * makes them (folded, without diacritics), a space apart, each once.
 * The index keeps no positions (detail=none), so this is all it takes
 * of a document: the same words in well under half the text, which the
 * index then reads through in a fraction of the time.  The tokenizer
 * reads its own output back unchanged.
 */
void
search_distinct(struct buf *out, struct search_tok *tk, const char *text,
    size_t len)
{
	struct search_seen	ss;

	memset(&ss, 0, sizeof ss);
	ss.out = out;
	if (len > 0 && len <= INT32_MAX)
		tk->api.xTokenize(tk->tok, &ss, FTS5_TOKENIZE_DOCUMENT, text,
		    (int)len, search_distinct_cb);
	free(ss.slot);
	free(ss.len);
	free(ss.hash);
}
