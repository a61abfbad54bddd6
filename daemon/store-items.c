/*
 * Items of one fetch into the store: identity, change detection and the
 * record of what is to be announced.
 *
 * An item has up to three identifiers: its guid, its normalised link and
 * a stable hash of its title, date and first enclosure.  A stored item
 * keeps all three, and its key names the one that identified it last:
 * "g:" + guid, "l:" + link or "h:" + hash.  The feed's key mode says
 * which comes first:
 *   guid (the default): the guid, else the link, else the hash;
 *   link:               the link, else the guid, else the hash;
 *   hash:               the hash alone.
 * A guid or a link counts only when it is unique within the document.
 * A fetched item is looked up by its key; when that misses, by its other
 * identifiers (store_items_pick), so that an item which gains or loses a
 * guid or a link, or a feed that changes mode, finds what is stored and
 * updates it, re-keyed, rather than storing it again.  What such a second
 * look may take is limited so that two items are never merged: in guid
 * mode an item with a guid never takes a stored item known by another
 * guid (a forum's posts all link to their thread), and a stored item
 * known by its guid or its hash is taken without them only when the hash
 * agrees.
 *
 * A document whose guids repeat switches its feed to link (or hash, when
 * its links repeat too).  A feed whose guids change on every fetch while
 * links stay (some CMSes put a session or a timestamp in the guid) is
 * detected when most of a fetch's new items have the link and the hash
 * of a stored item whose guid the document no longer carries, and
 * switches to link.  Either switch is logged and kept as the feed's
 * key_mode; neither stores a known item again.
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
#include "store-int.h"
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

/* The hash that stands for an item without guid or link.  It must never
 * change for stored items: "h:" keys and the shash column hold it. */
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

/*
 * The stable hash of a stored item, from four columns from col on: title,
 * published, enclosures and (when the hash needs it) the summary, else
 * the content: the STABLE_COLUMNS of a statement.
 */
static void
store_items_row_hash(sqlite3_stmt *st, int col, char *out, size_t len)
{
	struct item	it;

	item_init(&it);
	it.title = store_col_text(st, col);
	it.published = store_col_int(st, col + 1, TIME_NONE);
	item_load_arrays(&it, NULL,
	    (const char *)sqlite3_column_text(st, col + 2));
	it.summary = store_col_text(st, col + 3);
	store_items_stable_hash(&it, out, len);
	item_release(&it);
}

static int
store_items_is_url(const char *s)
{
	return (s != NULL && (strncasecmp(s, "http://", 7) == 0 ||
	    strncasecmp(s, "https://", 8) == 0));
}

struct store_items_prep {
	char		*key;		/* under the fetch's mode */
	char		*nlink;
	char		*article;
	char		*hash;		/* of the content, to see changes */
	char		 shash[32];	/* stable: title, date, enclosure */
	char		*categories;
	char		*enclosures;
	const char	*guid;		/* the item's, if unique in the doc */
	int		 link_ok;	/* nlink is unique in the document */
	int		 dup;		/* an earlier item has the key */
	/* The stored item this one is (id 0: none) and its columns. */
	int64_t		 id;
	char		*old_key;
	char		*old_hash;
};

static int
store_items_strcmp(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

struct store_items_ref {
	const char	*s;
	size_t		 i;
};

static int
store_items_refcmp(const void *a, const void *b)
{
	const struct store_items_ref	*x = a, *y = b;
	int				 c = strcmp(x->s, y->s);

	if (c != 0)
		return (c);
	return (x->i < y->i ? -1 : x->i > y->i);
}

/*
 * Of the strings v[0..n) (NULL ones skipped): mark in repeated[i] each
 * that occurs more than once, in later[i] each that an earlier one
 * equals.  Either array may be NULL.  Returns how many repeat.
 */
static size_t
store_items_repeats(const char **v, size_t n, int *repeated, int *later)
{
	struct store_items_ref	*r;
	size_t			 i, j, m = 0, nrep = 0;

	r = xreallocarray(NULL, n + 1, sizeof *r);
	for (i = 0; i < n; i++) {
		if (v[i] != NULL) {
			r[m].s = v[i];
			r[m++].i = i;
		}
	}
	qsort(r, m, sizeof *r, store_items_refcmp);
	for (i = 0; i < m; i = j) {
		for (j = i + 1; j < m && strcmp(r[i].s, r[j].s) == 0; j++) {
			if (later != NULL)
				later[r[j].i] = 1;
		}
		if (j - i < 2)
			continue;
		nrep += j - i;
		for (; repeated != NULL && i < j; i++)
			repeated[r[i].i] = 1;
	}
	free(r);
	return (nrep);
}

static void
store_items_key(const struct item *it, struct store_items_prep *p,
    const char *mode)
{
	free(p->key);
	if (strcmp(mode, "hash") == 0)
		xasprintf(&p->key, "h:%s", p->shash);
	else if (strcmp(mode, "link") == 0 && p->link_ok)
		xasprintf(&p->key, "l:%s", p->nlink);
	else if (p->guid != NULL)
		xasprintf(&p->key, "g:%s", it->guid);
	else if (p->link_ok)
		xasprintf(&p->key, "l:%s", p->nlink);
	else
		xasprintf(&p->key, "h:%s", p->shash);
}

static uint64_t
store_items_fnv_int(uint64_t h, int64_t v)
{
	char	num[32];

	snprintf(num, sizeof num, "%lld", (long long)v);
	return (store_items_fnv(h, num));
}

/*
 * Identifiers, the content hash (every field, to see an item change) and
 * the stored arrays.  The hash runs over the fields themselves: rendering
 * the item as JSON first cost more than the rest of storing it.
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
	store_items_stable_hash(it, p->shash, sizeof p->shash);

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

/* Forget the stored item p was matched to. */
static void
store_items_unmatch(struct store_items_prep *p)
{
	p->id = 0;
	free(p->old_key);
	free(p->old_hash);
	p->old_key = p->old_hash = NULL;
	p->dup = 0;
}

static void
store_items_prep_free(struct store_items_prep *p)
{
	store_items_unmatch(p);
	free(p->key);
	free(p->nlink);
	free(p->article);
	free(p->hash);
	free(p->categories);
	free(p->enclosures);
}

/* Has an item of this fetch other than p[self] taken the stored item id?
 * A linear look: it runs only for items their key did not find. */
static int
store_items_taken(const struct store_items_prep *p, size_t n, size_t self,
    int64_t id)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (i != self && p[i].id == id)
			return (1);
	return (0);
}

/* 1 and p->id and its columns when the feed has the key, 0 when not, -1
 * on error. */
static int
store_items_find(struct store *s, int64_t feed, const char *key,
    struct store_items_prep *p)
{
	sqlite3_stmt	*st = store_stmt(s, STMT_ITEM_BY_KEY);
	int		 rc;

	sqlite3_bind_int64(st, 1, feed);
	store_bind_text(st, 2, key);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		p->id = sqlite3_column_int64(st, 0);
		p->old_key = xstrdup(key);
		p->old_hash = store_col_text(st, 1);
		sqlite3_reset(st);
		return (1);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		log_warnx("feed %lld: finding an item: %s", (long long)feed,
		    sqlite3_errmsg(store_db(s)));
		return (-1);
	}
	/* An item removed by retention: its tombstone, as a negative id. */
	st = store_stmt(s, STMT_TOMB_BY_KEY);
	sqlite3_bind_int64(st, 1, feed);
	store_bind_text(st, 2, key);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		p->id = sqlite3_column_int64(st, 0);
		p->old_key = xstrdup(key);
		p->old_hash = NULL;
		sqlite3_reset(st);
		return (1);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		log_warnx("feed %lld: finding a tombstone: %s",
		    (long long)feed, sqlite3_errmsg(store_db(s)));
		return (-1);
	}
	return (0);
}

struct store_items_pick {
	const char	 *mode;
	char		**guids;	/* every guid in the document, sorted */
	size_t		  nguids;
	int		  evidence;	/* out: looks re-guided */
};

#define STORE_ITEMS_CANDIDATES	16	/* the LIMIT of the statements */

/*
 * The second look: of the stored items st yields (id, key, hash, shash,
 * then the STABLE_COLUMNS: the feed's items with p[i]'s link, or without
 * a link and with its stable hash), take the one p[i] is, if any may be
 * taken.  A stored item whose hash agrees comes first.  Without one, in
 * guid mode the only stored item with p[i]'s link that is known by that
 * link, and in link mode the newest not known by its hash, is taken:
 * those are how an item looks after its guid came or went, or after
 * guids went untrusted.
 * Returns 1 when p[i] found its item, 0 when not, -1 on error.
 */
static int
store_items_pick(struct store *s, sqlite3_stmt *st,
    struct store_items_prep *p, size_t n, size_t i,
    struct store_items_pick *pk)
{
	struct store_items_prep	*x = &p[i];
	struct {
		int64_t	 id;
		char	*key, *hash, *shash;
		int	 same;
	}			 c[STORE_ITEMS_CANDIDATES];
	size_t			 nc = 0, k, take = SIZE_MAX, nweak = 0;
	size_t			 weak = SIZE_MAX;
	const char		*key, *guid;
	int			 rc = SQLITE_DONE, guid_mode, link_mode;

	guid_mode = strcmp(pk->mode, "guid") == 0;
	link_mode = strcmp(pk->mode, "link") == 0;
	while (nc < nitems(c) && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		c[nc].id = sqlite3_column_int64(st, 0);
		key = (const char *)sqlite3_column_text(st, 1);
		if (key == NULL || store_items_taken(p, n, i, c[nc].id))
			continue;
		c[nc].key = xstrdup(key);
		c[nc].hash = store_col_text(st, 2);
		c[nc].shash = store_col_text(st, 3);
		if (c[nc].shash == NULL) {
			/* Stored before schema 2 (store_items_backfill). */
			c[nc].shash = xmalloc(sizeof x->shash);
			store_items_row_hash(st, 4, c[nc].shash,
			    sizeof x->shash);
		}
		c[nc].same = strcmp(c[nc].shash, x->shash) == 0;
		nc++;
	}
	if (nc < nitems(c) && rc != SQLITE_DONE) {
		sqlite3_reset(st);
		rc = -1;
		goto out;
	}
	sqlite3_reset(st);
	for (k = 0; k < nc; k++) {
		key = c[k].key;
		if (guid_mode && key[0] == 'g' && x->guid != NULL) {
			/* Two guids: two items, unless the feed turns out to
			 * re-guid its items (counted by the caller). */
			guid = key + 2;
			if (c[k].same && bsearch(&guid, pk->guids,
			    pk->nguids, sizeof *pk->guids,
			    store_items_strcmp) == NULL)
				pk->evidence = 1;
			continue;
		}
		if (!link_mode && !guid_mode && !c[k].same)
			continue;
		if (c[k].same) {
			take = k;
			break;
		}
		if (guid_mode ? key[0] == 'l' :
		    link_mode && x->link_ok && key[0] != 'h') {
			if (nweak++ == 0)
				weak = k;
		}
	}
	if (take == SIZE_MAX && weak != SIZE_MAX && (link_mode || nweak == 1))
		take = weak;
	rc = 0;
	if (take != SIZE_MAX) {
		x->id = c[take].id;
		x->old_key = c[take].key;
		x->old_hash = c[take].hash;
		c[take].key = c[take].hash = NULL;
		rc = 1;
	}
out:
	for (k = 0; k < nc; k++) {
		free(c[k].key);
		free(c[k].hash);
		free(c[k].shash);
	}
	if (rc == -1)
		log_warnx("finding an item: %s", sqlite3_errmsg(store_db(s)));
	return (rc);
}

/* store_items_pick with one of the lookups by link or stable hash, bound
 * to the feed and that identifier; 0 (not found) when the item has none. */
static int
store_items_pick_by(struct store *s, enum store_stmt which, int64_t feed_id,
    const char *ident, struct store_items_prep *p, size_t n, size_t i,
    struct store_items_pick *pk)
{
	sqlite3_stmt	*st;

	if (ident == NULL)
		return (0);
	st = store_stmt(s, which);
	sqlite3_bind_int64(st, 1, feed_id);
	store_bind_static(st, 2, ident);
	return (store_items_pick(s, st, p, n, i, pk));
}

/*
 * Find the stored item of each of the fetch's items under mode: first by
 * key, then (for those still without) by their other identifiers.  In
 * guid mode, counts in *fresh the items with a guid that found none, and
 * in *reguided those of them that look like a stored item under another
 * guid.  Returns 0, or -1 on error.
 */
static int
store_items_match(struct store *s, struct store_fetch *sf,
    struct store_items_prep *p, struct store_items_pick *pk, size_t *fresh,
    size_t *reguided)
{
	const char	**keys;
	size_t		  i, n = sf->nitems;
	int		  rc, *later;
	char		 *gkey;

	*fresh = *reguided = 0;
	keys = xreallocarray(NULL, n, sizeof *keys);
	later = xcalloc(n, sizeof *later);
	for (i = 0; i < n; i++) {
		store_items_unmatch(&p[i]);
		store_items_key(&sf->items[i], &p[i], pk->mode);
		keys[i] = p[i].key;
	}
	/* Only hash keys can repeat (guids and links are used only when
	 * unique): the first item read keeps it. */
	store_items_repeats(keys, n, NULL, later);
	for (i = 0; i < n; i++) {
		p[i].dup = later[i];
		if (!p[i].dup &&
		    store_items_find(s, sf->feed_id, p[i].key, &p[i]) == -1)
			goto fail;
	}
	for (i = 0; i < n; i++) {
		if (p[i].dup || p[i].id != 0)
			continue;
		if (strcmp(pk->mode, "guid") != 0 && p[i].guid != NULL) {
			xasprintf(&gkey, "g:%s", p[i].guid);
			rc = store_items_find(s, sf->feed_id, gkey, &p[i]);
			free(gkey);
			if (rc == -1)
				goto fail;
			if (rc == 1 && store_items_taken(p, n, i, p[i].id))
				store_items_unmatch(&p[i]);
			if (p[i].id != 0)
				continue;
		}
		pk->evidence = 0;
		rc = 0;
		/* Stored items by link, then by stable hash; then removed
		 * items (tombstones), by the same rules. */
		rc = store_items_pick_by(s, STMT_ITEM_BY_NLINK, sf->feed_id,
		    p[i].nlink, p, n, i, pk);
		if (rc == 0)
			rc = store_items_pick_by(s, STMT_ITEM_BY_SHASH,
			    sf->feed_id, p[i].shash, p, n, i, pk);
		if (rc == 0)
			rc = store_items_pick_by(s, STMT_TOMB_BY_NLINK,
			    sf->feed_id, p[i].nlink, p, n, i, pk);
		if (rc == 0)
			rc = store_items_pick_by(s, STMT_TOMB_BY_SHASH,
			    sf->feed_id, p[i].shash, p, n, i, pk);
		if (rc == -1)
			goto fail;
		if (rc == 0 && p[i].guid != NULL) {
			(*fresh)++;
			*reguided += pk->evidence;
		}
	}
	free(keys);
	free(later);
	return (0);
fail:
	free(keys);
	free(later);
	return (-1);
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

/* Bind the item's fields from first on; its summary and content packed
 * when that gains: as prepared (pp, when not NULL), or else packed now
 * (store_body_pack), *body then being the caller's to free once the
 * statement has run. */
static void
store_items_bind_fields(struct store *s, sqlite3_stmt *st, int first,
    const struct item *it, const struct store_prep *pp, unsigned char **body)
{
	const unsigned char	*packed;
	size_t			 len = 0;

	store_bind_static(st, first, it->guid);
	store_bind_static(st, first + 1, it->title);
	store_bind_static(st, first + 2, it->link);
	store_bind_static(st, first + 3, it->author);
	*body = NULL;
	if (pp != NULL && pp->done) {
		packed = pp->body;
		len = pp->bodylen;
		if (packed != NULL && pp->undict)
			s->undict++;
	} else
		packed = *body = store_body_pack(s, it->summary, it->content,
		    &len);
	if (packed != NULL) {
		sqlite3_bind_null(st, first + 4);
		sqlite3_bind_blob(st, first + 5, packed, (int)len,
		    SQLITE_STATIC);
	} else {
		store_bind_static(st, first + 4, it->summary);
		store_bind_static(st, first + 5, it->content);
	}
	store_bind_int(st, first + 6, it->published, TIME_NONE);
	store_bind_int(st, first + 7, it->updated, TIME_NONE);
}

/* See store.h. */
int
store_items_counted(struct store *s, int64_t feed_id, int64_t n,
    int64_t unread)
{
	sqlite3_stmt	*st;

	if (n == 0)
		return (0);
	st = store_stmt(s, STMT_ITEMS_ADDED);
	sqlite3_bind_int64(st, 1, n);
	sqlite3_bind_int64(st, 2, unread);
	if (store_exec(s, st) != 0)
		return (-1);
	st = store_stmt(s, STMT_FEED_ITEMS_ADDED);
	sqlite3_bind_int64(st, 1, feed_id);
	sqlite3_bind_int64(st, 2, n);
	sqlite3_bind_int64(st, 3, unread);
	return (store_exec(s, st));
}

/* See store.h; in store-items.c for the keys and hashes. */
void
store_prep(struct store *s, const struct item *it, struct store_prep *p)
{
	memset(p, 0, sizeof *p);
	store_body_prep(s, it, p);
	/* It waits for the loop: only its own size. */
	if (p->body != NULL)
		p->body = xreallocarray(p->body, 1, p->bodylen);
	p->text = store_search_words(it->title, it->summary, it->content);
	p->ip = xmalloc(sizeof *p->ip);
	store_items_prepare(it, p->ip);
	p->done = 1;
}

void
store_prep_release(struct store_prep *p)
{
	free(p->body);
	free(p->text);
	if (p->ip != NULL) {
		store_items_prep_free(p->ip);
		free(p->ip);
	}
	memset(p, 0, sizeof *p);
}

static int
store_items_differ(const char *a, const char *b)
{
	return (a == NULL || b == NULL || strcmp(a, b) != 0);
}

/* Update the stored item p->id with what the fetch brought, re-keyed. */
static int
store_items_update(struct store *s, const struct item *it,
    const struct store_prep *pp, const struct store_items_prep *p)
{
	sqlite3_stmt	*st = store_stmt(s, STMT_ITEM_UPDATE);
	unsigned char	*body;
	int		 rv;

	/* Inserted in this transaction and not yet indexed: the words kept
	 * are the old text's. */
	store_words_forget(s, p->id);
	sqlite3_bind_int64(st, 1, p->id);
	store_bind_static(st, 2, p->hash);
	store_items_bind_fields(s, st, 3, it, pp, &body);
	store_bind_static(st, 11, p->categories);
	store_bind_static(st, 12, p->enclosures);
	store_bind_static(st, 13, p->article);
	store_bind_static(st, 14, p->nlink);
	store_bind_static(st, 15, p->key);
	store_bind_static(st, 16, p->shash);
	rv = store_exec(s, st);
	free(body);
	return (rv);
}

/* The fetch carries an item removed by retention: its tombstone lives
 * on, and nothing is stored. */
static int
store_items_tomb_seen(struct store *s, int64_t tomb, int64_t now)
{
	sqlite3_stmt	*st = store_stmt(s, STMT_TOMB_SEEN);

	sqlite3_bind_int64(st, 1, -tomb);
	sqlite3_bind_int64(st, 2, now);
	return (store_exec(s, st));
}

int
store_items_apply(struct store *s, struct store_fetch *sf)
{
	struct store_items_prep	*p;
	struct store_items_pick	 pk;
	const char		**v;
	sqlite3_stmt		*st;
	unsigned char		*body;
	size_t			 i, j, n = sf->nitems, fresh, reguided;
	size_t			 nlinks = 0, lrep, grep;
	int64_t			 id;
	int			 rv = -1, rc, announce, *repeated;

	sf->new_key_mode = NULL;
	sf->added = sf->changed = sf->announced = 0;
	/* Tombstones age only while documents are read without their
	 * items (retain.c): a feed that is down or unchanged keeps them. */
	st = store_stmt(s, STMT_FEED_PARSED);
	sqlite3_bind_int64(st, 1, sf->feed_id);
	sqlite3_bind_int64(st, 2, sf->now);
	if (store_exec(s, st) != 0)
		return (-1);
	if (n == 0)
		return (0);
	memset(&pk, 0, sizeof pk);
	pk.mode = sf->key_mode;
	p = xcalloc(n, sizeof *p);
	v = xreallocarray(NULL, n, sizeof *v);
	repeated = xcalloc(n, sizeof *repeated);
	pk.guids = xreallocarray(NULL, n, sizeof *pk.guids);
	for (i = 0; i < n; i++) {
		if (sf->prep != NULL && sf->prep[i].ip != NULL) {
			p[i] = *sf->prep[i].ip;
			free(sf->prep[i].ip);
			sf->prep[i].ip = NULL;
		} else
			store_items_prepare(&sf->items[i], &p[i]);
		if (sf->items[i].guid != NULL)
			pk.guids[pk.nguids++] = sf->items[i].guid;
	}
	qsort(pk.guids, pk.nguids, sizeof *pk.guids, store_items_strcmp);

	/* A guid or a link that two items of the document share identifies
	 * neither. */
	for (i = 0; i < n; i++)
		v[i] = p[i].nlink;
	lrep = store_items_repeats(v, n, repeated, NULL);
	for (i = 0; i < n; i++) {
		p[i].link_ok = p[i].nlink != NULL && !repeated[i];
		nlinks += p[i].nlink != NULL;
		v[i] = sf->items[i].guid;
		repeated[i] = 0;
	}
	grep = store_items_repeats(v, n, repeated, NULL);
	for (i = 0; i < n; i++)
		p[i].guid = repeated[i] ? NULL : sf->items[i].guid;
	if (grep > 0 && strcmp(pk.mode, "guid") == 0) {
		pk.mode = nlinks > 0 && lrep == 0 ? "link" : "hash";
		sf->new_key_mode = pk.mode;
		sf->why = "guids repeat within the document";
	}

	if (store_items_match(s, sf, p, &pk, &fresh, &reguided) != 0)
		goto out;
	/* Guids that change while links stay: most new items look like a
	 * stored item under a guid the document no longer has.  Match again
	 * by link; the items found are re-keyed below. */
	if (strcmp(pk.mode, "guid") == 0 && reguided >= 2 &&
	    reguided * 2 >= fresh && lrep == 0) {
		pk.mode = sf->new_key_mode = "link";
		sf->why = "guids change while links stay the same";
		if (store_items_match(s, sf, p, &pk, &fresh, &reguided) != 0)
			goto out;
	}

	/* Oldest first (feeds list newest first), so ids grow with age. */
	for (j = n; j-- > 0;) {
		struct item		*it = &sf->items[j];
		struct store_prep	*pp = sf->prep != NULL ?
					    &sf->prep[j] : NULL;

		if (p[j].dup)
			continue;	/* the same key twice in one document */
		if (p[j].id < 0) {
			if (store_items_tomb_seen(s, p[j].id, sf->now) != 0)
				goto out;
			continue;
		}
		if (p[j].id != 0) {
			/* The stable hash is made of content: it changes
			 * only with the content hash. */
			rc = store_items_differ(p[j].old_hash, p[j].hash);
			if ((rc ||
			    store_items_differ(p[j].old_key, p[j].key)) &&
			    store_items_update(s, it, pp, &p[j]) != 0)
				goto out;
			sf->changed += rc;
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
		store_items_bind_fields(s, st, 6, it, pp, &body);
		store_bind_static(st, 14, p[j].categories);
		store_bind_static(st, 15, p[j].enclosures);
		sqlite3_bind_int64(st, 16, sf->now);
		sqlite3_bind_int(st, 17, announce);
		store_bind_static(st, 18, p[j].shash);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		free(body);
		if (rc != SQLITE_DONE) {
			log_warnx("feed %lld: storing an item: %s",
			    (long long)sf->feed_id,
			    sqlite3_errmsg(store_db(s)));
			goto out;
		}
		id = sqlite3_last_insert_rowid(store_db(s));
		if (pp != NULL && pp->text != NULL) {
			store_words_keep(s, id, pp->text);
			pp->text = NULL;
		}
		if (store_search_added(s, id) != 0)
			goto out;
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
	/* New items are unread. */
	if (store_items_counted(s, sf->feed_id, sf->added, sf->added) != 0)
		goto out;
	if (sf->added > 0)
		retain_feed_added(sf->feed_id);
	rv = 0;
out:
	for (i = 0; i < n; i++)
		store_items_prep_free(&p[i]);
	free(p);
	free(v);
	free(repeated);
	free(pk.guids);
	return (rv);
}

/*
 * Schema 2 added the stable hash.  Items without a link are found by it
 * through an index, so theirs is computed here, once, in the migration's
 * transaction, a batch of rows at a time (a table is not updated under a
 * statement reading it).  Items with a link are found by it, and theirs
 * is computed when they are (store_items_pick): rewriting every stored
 * row here took 7 s for 220,000 items.
 */
#define STORE_ITEMS_BATCH	512

int
store_items_backfill(struct store *s, char **cause)
{
	sqlite3		*db = store_db(s);
	sqlite3_stmt	*sel = NULL, *upd = NULL;
	int64_t		 ids[STORE_ITEMS_BATCH], last = 0, total = 0;
	char		 hashes[STORE_ITEMS_BATCH][32];
	size_t		 n, i;
	int		 rc;

	if (sqlite3_prepare_v2(db, "SELECT id, " STORE_STABLE_COLUMNS
	    " FROM items WHERE id > ?1 AND nlink IS NULL ORDER BY id"
	    " LIMIT ?2", -1, &sel, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "UPDATE items SET shash = ?2 WHERE id = ?1",
	    -1, &upd, NULL) != SQLITE_OK)
		goto fail;
	do {
		n = 0;
		sqlite3_bind_int64(sel, 1, last);
		sqlite3_bind_int(sel, 2, STORE_ITEMS_BATCH);
		while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
			ids[n] = last = sqlite3_column_int64(sel, 0);
			store_items_row_hash(sel, 1, hashes[n],
			    sizeof *hashes);
			n++;
		}
		sqlite3_reset(sel);
		if (rc != SQLITE_DONE)
			goto fail;
		for (i = 0; i < n; i++) {
			sqlite3_bind_int64(upd, 1, ids[i]);
			sqlite3_bind_text(upd, 2, hashes[i], -1, SQLITE_STATIC);
			rc = sqlite3_step(upd);
			sqlite3_reset(upd);
			if (rc != SQLITE_DONE)
				goto fail;
		}
		total += n;
	} while (n == STORE_ITEMS_BATCH);
	sqlite3_finalize(sel);
	sqlite3_finalize(upd);
	if (total > 0)
		log_info("database: %lld stored items without a link given "
		    "a stable hash", (long long)total);
	return (0);
fail:
	xasprintf(cause, "cannot give stored items a stable hash: %s",
	    sqlite3_errmsg(db));
	sqlite3_finalize(sel);
	sqlite3_finalize(upd);
	return (-1);
}

/*
 * Retention removes items through here, and only here: each leaves a
 * tombstone under its key with its link and stable hash, so that
 * store_items_match finds it as it would the item, and the feed serving
 * the item again stores and announces nothing.  Deliveries go with the
 * item by cascade (retain.c never picks an item that has one).
 */
int
store_items_purge(struct store *s, const int64_t *ids, size_t n, int64_t now)
{
	sqlite3_stmt	*st, *ins;
	char		 shash[32];
	const char	*h;
	size_t		 i;
	int		 rc;

	for (i = 0; i < n; i++) {
		st = store_stmt(s, STMT_PURGE_ITEM);
		sqlite3_bind_int64(st, 1, ids[i]);
		if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
			sqlite3_reset(st);
			if (rc == SQLITE_DONE)
				continue;	/* gone meanwhile */
			store_log_error(s, "reading an item to remove");
			return (-1);
		}
		if ((h = (const char *)sqlite3_column_text(st, 3)) == NULL) {
			/* Stored before schema 2, with a link. */
			store_items_row_hash(st, 4, shash, sizeof shash);
			h = shash;
		}
		ins = store_stmt(s, STMT_TOMB_INSERT);
		sqlite3_bind_int64(ins, 1, sqlite3_column_int64(st, 0));
		sqlite3_bind_value(ins, 2, sqlite3_column_value(st, 1));
		sqlite3_bind_value(ins, 3, sqlite3_column_value(st, 2));
		sqlite3_bind_text(ins, 4, h, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(ins, 5, now);
		rc = store_exec(s, ins);
		sqlite3_reset(st);
		if (rc != 0)
			return (-1);
		st = store_stmt(s, STMT_ITEM_DELETE);
		sqlite3_bind_int64(st, 1, ids[i]);
		if (store_exec(s, st) != 0)
			return (-1);
	}
	return (0);
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
