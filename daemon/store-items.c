/*
 * Items of one fetch into the store: deduplication, change detection and
 * the record of what is to be announced.
 *
 * An item's key within its feed is, by the feed's key mode:
 *   guid (the default): "g:" + guid, else "l:" + normalised link, else
 *                       "h:" + a hash of title, date and enclosure;
 *   link:               "l:" + normalised link, else the guid, else hash;
 *   hash:               "h:" + the hash alone.
 * A document whose guids repeat, or are given for some items and not
 * others, switches its feed to link (or hash, when links repeat too).  A
 * feed whose guids change on every fetch while links stay (some CMSes put
 * a session or a timestamp in the guid) is detected when most of a fetch's
 * "new" items have links the feed already holds, and switches to link.
 * Either switch is logged and shown as the feed's key_mode.
 *
 * The same article under several feeds (a guid that is a URL, or a
 * normalised link, already stored under another feed) is stored for each
 * but announced once.  A known item whose content changed is updated in
 * place and never announced again.
 */
#include <stdlib.h>
#include <string.h>

#include "aggd.h"
#include "log.h"
#include "store.h"
#include "uri.h"
#include "xmalloc.h"

static uint64_t
store_items_fnv(uint64_t h, const char *s)
{
	uint64_t	w;
	size_t		n;

	/* FNV-1a a word at a time, with a shift to fold high bits down:
	 * content is hashed on every fetch, so this must be cheap; it only
	 * has to notice changes, not resist an adversary. */
	if (s == NULL)
		s = "\x01";
	n = strlen(s);
	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0x100000001b3ULL;
		h ^= h >> 29;
	}
	for (; n > 0; s++, n--)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	h ^= 0xff;		/* field separator */
	h *= 0x100000001b3ULL;
	return (h);
}

/* The hash that stands for an item that has neither guid nor link. */
static void
store_items_stable_hash(const struct item *it, char *out, size_t len)
{
	uint64_t	h = 0xcbf29ce484222325ULL;
	char		num[32];

	h = store_items_fnv(h, it->title);
	snprintf(num, sizeof num, "%lld", (long long)it->published);
	h = store_items_fnv(h, num);
	h = store_items_fnv(h, it->nenclosures > 0 ? it->enclosures[0].url :
	    NULL);
	if (it->title == NULL && it->published == TIME_NONE &&
	    it->nenclosures == 0)
		h = store_items_fnv(h, it->summary != NULL ? it->summary :
		    it->content);
	snprintf(out, len, "%016llx", (unsigned long long)h);
}

static int
store_items_is_url(const char *s)
{
	return (s != NULL && (strncasecmp(s, "http://", 7) == 0 ||
	    strncasecmp(s, "https://", 8) == 0));
}

struct store_items_prep {
	char	*key;
	char	*nlink;
	char	*article;
	char	*hash;
	char	*categories;
	char	*enclosures;
};

static int
store_items_strcmp(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

/* Are the non-NULL strings in v distinct?  Sorts a copy. */
static int
store_items_distinct(char **v, size_t n)
{
	char	**copy;
	size_t	  i, m = 0;
	int	  ok = 1;

	copy = xreallocarray(NULL, n + 1, sizeof *copy);
	for (i = 0; i < n; i++)
		if (v[i] != NULL)
			copy[m++] = v[i];
	qsort(copy, m, sizeof *copy, store_items_strcmp);
	for (i = 1; i < m && ok; i++)
		if (strcmp(copy[i - 1], copy[i]) == 0)
			ok = 0;
	free(copy);
	return (ok);
}

static int
store_items_distinct_links(struct store_items_prep *p, size_t n)
{
	char	**links;
	size_t	  i;
	int	  ok;

	links = xreallocarray(NULL, n + 1, sizeof *links);
	for (i = 0; i < n; i++)
		links[i] = p[i].nlink;
	ok = store_items_distinct(links, n);
	free(links);
	return (ok);
}

/* Look at the whole document before keying any item of it. */
static const char *
store_items_doc_mode(struct store_fetch *sf, struct store_items_prep *p,
    const char **why)
{
	char	**guids;
	char	**links;
	size_t	  i, with = 0, nolink = 0;
	int	  guids_ok, links_ok;

	if (strcmp(sf->key_mode, "guid") != 0 || sf->nitems < 2)
		return (NULL);
	guids = xreallocarray(NULL, sf->nitems, sizeof *guids);
	links = xreallocarray(NULL, sf->nitems, sizeof *links);
	for (i = 0; i < sf->nitems; i++) {
		guids[i] = sf->items[i].guid;
		links[i] = p[i].nlink;
		with += guids[i] != NULL;
		nolink += links[i] == NULL;
	}
	guids_ok = store_items_distinct(guids, sf->nitems) &&
	    (with == 0 || with == sf->nitems);
	links_ok = nolink == 0 && store_items_distinct(links, sf->nitems);
	free(guids);
	free(links);
	if (guids_ok)
		return (NULL);
	*why = with == sf->nitems ? "guids repeat within the document" :
	    "some items have guids and others none";
	return (links_ok ? "link" : "hash");
}

static void
store_items_key(const struct item *it, struct store_items_prep *p,
    const char *mode, const char *stable)
{
	free(p->key);
	if (strcmp(mode, "hash") == 0)
		xasprintf(&p->key, "h:%s", stable);
	else if (strcmp(mode, "link") == 0 && p->nlink != NULL)
		xasprintf(&p->key, "l:%s", p->nlink);
	else if (it->guid != NULL)
		xasprintf(&p->key, "g:%s", it->guid);
	else if (p->nlink != NULL)
		xasprintf(&p->key, "l:%s", p->nlink);
	else
		xasprintf(&p->key, "h:%s", stable);
}

static uint64_t
store_items_fnv_int(uint64_t h, int64_t v)
{
	char	num[32];

	snprintf(num, sizeof num, "%lld", (long long)v);
	return (store_items_fnv(h, num));
}

/*
 * Keys, the content hash (every field, to see an item change) and the
 * stored arrays.  The hash runs over the fields themselves: rendering the
 * item as JSON first cost more than the rest of storing it.
 */
static void
store_items_prepare(const struct item *it, struct store_items_prep *p)
{
	json_t		*cats, *encs;
	uint64_t	 h = 0xcbf29ce484222325ULL;
	size_t		 i;

	memset(p, 0, sizeof *p);
	p->nlink = it->link != NULL ? uri_normalize(it->link) : NULL;
	if (store_items_is_url(it->guid))
		p->article = uri_normalize(it->guid);
	if (p->article == NULL && p->nlink != NULL)
		p->article = xstrdup(p->nlink);

	h = store_items_fnv(h, it->guid);
	h = store_items_fnv(h, it->title);
	h = store_items_fnv(h, it->link);
	h = store_items_fnv(h, it->author);
	h = store_items_fnv(h, it->summary);
	h = store_items_fnv(h, it->content);
	h = store_items_fnv_int(h, it->published);
	h = store_items_fnv_int(h, it->updated);
	for (i = 0; i < it->ncategories; i++)
		h = store_items_fnv(h, it->categories[i]);
	for (i = 0; i < it->nenclosures; i++) {
		h = store_items_fnv(h, it->enclosures[i].url);
		h = store_items_fnv(h, it->enclosures[i].type);
		h = store_items_fnv_int(h, it->enclosures[i].length);
	}
	cats = item_categories_json(it);
	encs = item_enclosures_json(it);
	xasprintf(&p->hash, "%016llx", (unsigned long long)h);
	p->categories = json_dumps(cats, JSON_COMPACT);
	p->enclosures = json_dumps(encs, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(cats);
	json_decref(encs);
}

static void
store_items_prep_free(struct store_items_prep *p)
{
	free(p->key);
	free(p->nlink);
	free(p->article);
	free(p->hash);
	free(p->categories);
	free(p->enclosures);
}

/* 1 and the id and hash when the feed has the key, 0 when not, -1 on error. */
static int
store_items_find(struct store *s, int64_t feed, const char *key, int64_t *id,
    char **hash)
{
	sqlite3_stmt	*st = store_stmt(s, STMT_ITEM_BY_KEY);
	int		 rc;

	sqlite3_bind_int64(st, 1, feed);
	store_bind_text(st, 2, key);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		*hash = store_col_text(st, 1);
		sqlite3_reset(st);
		return (1);
	}
	sqlite3_reset(st);
	return (rc == SQLITE_DONE ? 0 : -1);
}

static int
store_items_link_known(struct store *s, int64_t feed, const char *nlink)
{
	sqlite3_stmt	*st = store_stmt(s, STMT_ITEM_BY_NLINK);
	int		 rc;

	if (nlink == NULL)
		return (0);
	sqlite3_bind_int64(st, 1, feed);
	store_bind_text(st, 2, nlink);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return (rc == SQLITE_ROW);
}

static int
store_items_elsewhere(struct store *s, int64_t feed,
    const struct store_items_prep *p)
{
	sqlite3_stmt	*st = store_stmt(s, STMT_ITEM_ARTICLE_ELSEWHERE);
	int		 rc;

	if (p->article == NULL && p->nlink == NULL)
		return (0);
	store_bind_text(st, 1, p->article);
	store_bind_text(st, 2, p->nlink);
	sqlite3_bind_int64(st, 3, feed);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return (rc == SQLITE_ROW);
}

static void
store_items_bind_fields(sqlite3_stmt *st, int first, const struct item *it)
{
	store_bind_static(st, first, it->guid);
	store_bind_static(st, first + 1, it->title);
	store_bind_static(st, first + 2, it->link);
	store_bind_static(st, first + 3, it->author);
	store_bind_static(st, first + 4, it->summary);
	store_bind_static(st, first + 5, it->content);
	store_bind_int(st, first + 6, it->published, TIME_NONE);
	store_bind_int(st, first + 7, it->updated, TIME_NONE);
}

int
store_items_apply(struct store *s, struct store_fetch *sf)
{
	struct store_items_prep	*p;
	const char		*mode = sf->key_mode, *m, *why = NULL;
	char			 stable[32], *hash;
	sqlite3_stmt		*st;
	size_t			 i, j, fresh = 0, relinked = 0;
	int64_t			 id;
	int			 rv = -1, rc, announce;

	sf->new_key_mode = NULL;
	sf->added = sf->changed = sf->announced = 0;
	if (sf->nitems == 0)
		return (0);
	p = xcalloc(sf->nitems, sizeof *p);
	for (i = 0; i < sf->nitems; i++)
		store_items_prepare(&sf->items[i], &p[i]);
	if ((m = store_items_doc_mode(sf, p, &why)) != NULL) {
		mode = m;
		sf->new_key_mode = m;
		sf->why = why;
	}

	/* Guids that change while links stay: most "new" items are known
	 * by link.  Rekey the feed's items by link before going on. */
	if (strcmp(mode, "guid") == 0) {
		for (i = 0; i < sf->nitems; i++) {
			if (sf->items[i].guid == NULL)
				continue;
			store_items_stable_hash(&sf->items[i], stable,
			    sizeof stable);
			store_items_key(&sf->items[i], &p[i], mode, stable);
			rc = store_items_find(s, sf->feed_id, p[i].key, &id,
			    &hash);
			if (rc == -1)
				goto out;
			if (rc == 1) {
				free(hash);
				continue;
			}
			fresh++;
			relinked += store_items_link_known(s, sf->feed_id,
			    p[i].nlink);
		}
		if (relinked >= 2 && relinked * 2 >= fresh &&
		    store_items_distinct_links(p, sf->nitems)) {
			mode = "link";
			sf->new_key_mode = mode;
			sf->why = "guids change while links stay the same";
		}
	}
	if (sf->new_key_mode != NULL && strcmp(sf->new_key_mode, "link") == 0) {
		st = store_stmt(s, STMT_ITEM_REKEY_LINK);
		sqlite3_bind_int64(st, 1, sf->feed_id);
		if (store_exec(s, st) != 0)
			goto out;
	}

	/* Oldest first (feeds list newest first), so ids grow with age. */
	for (j = sf->nitems; j-- > 0;) {
		struct item	*it = &sf->items[j];

		store_items_stable_hash(it, stable, sizeof stable);
		store_items_key(it, &p[j], mode, stable);
		rc = store_items_find(s, sf->feed_id, p[j].key, &id, &hash);
		if (rc == -1)
			goto out;
		if (rc == 1) {
			if (strcmp(hash, p[j].hash) != 0) {
				st = store_stmt(s, STMT_ITEM_UPDATE);
				sqlite3_bind_int64(st, 1, id);
				store_bind_static(st, 2, p[j].hash);
				store_items_bind_fields(st, 3, it);
				store_bind_static(st, 11, p[j].categories);
				store_bind_static(st, 12, p[j].enclosures);
				store_bind_static(st, 13, p[j].article);
				store_bind_static(st, 14, p[j].nlink);
				if (store_exec(s, st) != 0) {
					free(hash);
					goto out;
				}
				sf->changed++;
			}
			free(hash);
			continue;
		}
		announce = sf->announce &&
		    !store_items_elsewhere(s, sf->feed_id, &p[j]);
		st = store_stmt(s, STMT_ITEM_INSERT);
		sqlite3_bind_int64(st, 1, sf->feed_id);
		store_bind_static(st, 2, p[j].key);
		store_bind_static(st, 3, p[j].article);
		store_bind_static(st, 4, p[j].nlink);
		store_bind_static(st, 5, p[j].hash);
		store_items_bind_fields(st, 6, it);
		store_bind_static(st, 14, p[j].categories);
		store_bind_static(st, 15, p[j].enclosures);
		sqlite3_bind_int64(st, 16, sf->now);
		sqlite3_bind_int(st, 17, announce);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc == SQLITE_CONSTRAINT_UNIQUE)
			continue;	/* the same key twice in one document */
		if (rc != SQLITE_DONE) {
			log_warnx("feed %lld: storing an item: %s",
			    (long long)sf->feed_id,
			    sqlite3_errmsg(store_db(s)));
			goto out;
		}
		id = sqlite3_last_insert_rowid(store_db(s));
		sf->added++;
		if (!announce)
			continue;
		sf->announced++;
		if (sf->deliver) {
			st = store_stmt(s, STMT_DELIVERY_INSERT);
			sqlite3_bind_int64(st, 1, id);
			sqlite3_bind_int64(st, 2, sf->feed_id);
			if (store_exec(s, st) != 0)
				goto out;
		}
	}
	rv = 0;
out:
	for (i = 0; i < sf->nitems; i++)
		store_items_prep_free(&p[i]);
	free(p);
	return (rv);
}

static int
store_items_int64cmp(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x < y ? -1 : x > y);
}

/*
 * Half the median gap between the feed's recent dated items: a feed that
 * posts hourly is polled about every half hour, one that posts weekly is
 * left to max_interval.
 */
int64_t
store_items_rate(struct store *s, int64_t feed_id)
{
	sqlite3_stmt	*st = store_stmt(s, STMT_FEED_PUBLISHED);
	int64_t		 t[20], gaps[20];
	size_t		 n = 0, ng = 0, i;

	sqlite3_bind_int64(st, 1, feed_id);
	while (n < nitems(t) && sqlite3_step(st) == SQLITE_ROW)
		t[n++] = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	for (i = 1; i < n; i++)
		if (t[i - 1] > t[i])
			gaps[ng++] = t[i - 1] - t[i];
	if (ng < 2)
		return (-1);
	qsort(gaps, ng, sizeof *gaps, store_items_int64cmp);
	return (gaps[ng / 2] / 2);
}
