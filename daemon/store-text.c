/*
 * Item text, packed: zstd frames, alone or with a dictionary trained on
 * the items stored, and the SQL functions that read them back.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>
#include <zstd.h>
#include <zdict.h>

#include "aggd.h"
#include "buf.h"
#include "log.h"
#include "store-int.h"
#include "xmalloc.h"

/*
 * Item text, compressed.  An item's summary and content are stored
 * together as one zstd frame when they are long enough to gain: the
 * summary is most often the content's first lines, which the frame then
 * holds once.  Such an item has a NULL summary column and a BLOB content
 * column:
 *
 *	'Z'  varint(summary length + 1, 0 for NULL)
 *	     varint(content length + 1, 0 for NULL)  zstd(summary content)
 *	'D'  varint(zdicts id)  the same lengths  zstd(summary content)
 *
 * 'D' frames are made with a dictionary (the zdicts row), trained once
 * on the texts of the first STORE_DICT_SAMPLES items stored: the words,
 * markup and boilerplate that a feed's items share are then not stored
 * again in each one, which a lone 3 KB frame cannot avoid (a third
 * smaller on the bench corpus).  'Z' frames, made before there was a
 * dictionary, stay as they are and readable.
 * Plain TEXT columns are items stored before, or too short to gain.  The
 * column type tells which; nothing else in the row does.  Every read
 * goes through store_body_unpack (store_item_row, and the SQL functions
 * item_summary() and item_content() for statements that look at text),
 * so what comes out is byte for byte what went in.
 */
#define STORE_BODY_MIN		192	/* shorter texts stay plain */
#define STORE_BODY_LEVEL	3
#define STORE_BODY_MAX		(256U * 1024 * 1024)
#define STORE_DICT_SAMPLES	500	/* items the dictionary learns from */
#define STORE_DICT_SIZE		(64 * 1024)

/*
 * Dictionaries for reading, shared by every connection of the process
 * (the loop's and the query threads'): loaded from a database the first
 * time a frame needs one and kept to the end, never changed, so a
 * ZSTD_DDict found here may be used without the lock (zstd allows
 * concurrent decompression with one DDict and a context per thread).
 * Keyed by the dictionary's own zstd id, a hash of its content, which
 * each frame carries: two databases opened in one process cannot mix
 * theirs up.
 */
struct store_ddict {
	unsigned int		 zid;
	ZSTD_DDict		*dd;
	struct store_ddict	*next;
};
static struct {
	pthread_mutex_t		 lock;
	struct store_ddict	*list;
} store_ddicts = { PTHREAD_MUTEX_INITIALIZER, NULL };

/* A dictionary being trained off the loop (store_dict_tick). */
struct store_train {
	pthread_t	 thread;
	pthread_mutex_t	 lock;
	int		 done;
	unsigned char	*samples;
	size_t		*sizes;
	unsigned int	 nsamples;
	unsigned char	*dict;		/* the result, NULL when it failed */
	size_t		 dictlen;
	char		*error;
};

static size_t
store_varint_put(unsigned char *p, uint64_t v)
{
	size_t	n = 0;

	do {
		p[n++] = (unsigned char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v != 0);
	return (n);
}

static int
store_varint_get(const unsigned char **p, const unsigned char *end,
    uint64_t *v)
{
	int	shift = 0;

	*v = 0;
	while (*p < end && shift < 63) {
		*v |= (uint64_t)(**p & 0x7f) << shift;
		if ((*(*p)++ & 0x80) == 0)
			return (0);
		shift += 7;
	}
	return (-1);
}

/*
 * The packed form of summary and content, or NULL when they are best
 * stored as they are (short, or not smaller packed), made with context
 * zc and dictionary cd (zdicts row dict_id; NULL: none).  *len is its
 * size; the caller frees it.
 */
static unsigned char *
store_body_pack_with(ZSTD_CCtx *zc, ZSTD_CDict *cd, int64_t dict_id,
    const char *summary, const char *content, size_t *len)
{
	size_t		 sl = summary != NULL ? strlen(summary) : 0;
	size_t		 cl = content != NULL ? strlen(content) : 0;
	size_t		 bound, hdr, z;
	unsigned char	*out;
	char		*in;

	if (sl + cl < STORE_BODY_MIN || sl + cl > STORE_BODY_MAX)
		return (NULL);
	in = xmalloc(sl + cl);
	memcpy(in, summary != NULL ? summary : "", sl);
	memcpy(in + sl, content != NULL ? content : "", cl);
	bound = ZSTD_compressBound(sl + cl);
	out = xmalloc(1 + 30 + bound);
	hdr = 1;
	if (cd != NULL) {
		out[0] = 'D';
		hdr += store_varint_put(out + hdr, (uint64_t)dict_id);
	} else
		out[0] = 'Z';
	hdr += store_varint_put(out + hdr, summary != NULL ? sl + 1 : 0);
	hdr += store_varint_put(out + hdr, content != NULL ? cl + 1 : 0);
	if (cd != NULL)
		z = ZSTD_compress_usingCDict(zc, out + hdr, bound, in, sl + cl,
		    cd);
	else
		z = ZSTD_compressCCtx(zc, out + hdr, bound, in, sl + cl,
		    STORE_BODY_LEVEL);
	free(in);
	if (ZSTD_isError(z) || hdr + z >= sl + cl) {
		free(out);
		return (NULL);
	}
	*len = hdr + z;
	return (out);
}

/* store_body_pack_with on the loop, with the store's context. */
unsigned char *
store_body_pack(struct store *s, const char *summary, const char *content,
    size_t *len)
{
	unsigned char	*out;

	if (s->zc == NULL && (s->zc = ZSTD_createCCtx()) == NULL)
		fatalx("zstd: cannot create a compression context");
	out = store_body_pack_with(s->zc, s->cdict, s->dict_id, summary,
	    content, len);
	if (out != NULL && s->cdict == NULL)
		s->undict++;
	return (out);
}

/* Each thread's compression context but the loop's (store_prep). */
static pthread_key_t	store_cctx_key;
static pthread_once_t	store_cctx_once = PTHREAD_ONCE_INIT;

static void
store_cctx_free(void *zc)
{
	ZSTD_freeCCtx(zc);
}

static void
store_cctx_key_init(void)
{
	if (pthread_key_create(&store_cctx_key, store_cctx_free) != 0)
		fatalx("zstd: cannot make a per-thread key");
}

/*
 * store_prep's packed text, on any thread.  The dictionary is read under
 * its lock: the loop may adopt one meanwhile (it is then used from the
 * next item on; one is never dropped while the store is open).
 */
void
store_body_prep(struct store *s, const struct item *it, struct store_prep *p)
{
	ZSTD_CCtx	*zc;
	ZSTD_CDict	*cd;
	int64_t		 id;

	pthread_once(&store_cctx_once, store_cctx_key_init);
	if ((zc = pthread_getspecific(store_cctx_key)) == NULL) {
		if ((zc = ZSTD_createCCtx()) == NULL)
			fatalx("zstd: cannot create a compression context");
		pthread_setspecific(store_cctx_key, zc);
	}
	pthread_mutex_lock(&s->dict_lock);
	cd = s->cdict;
	id = s->dict_id;
	pthread_mutex_unlock(&s->dict_lock);
	p->body = store_body_pack_with(zc, cd, id, it->summary, it->content,
	    &p->bodylen);
	p->undict = p->body != NULL && cd == NULL;
}

/* The dictionary zdicts row id of db holds, for the frame that names
 * its zstd id zid; NULL when there is none such. */
static const ZSTD_DDict *
store_ddict_get(sqlite3 *db, int64_t id, unsigned int zid)
{
	struct store_ddict	*d;
	sqlite3_stmt		*st = NULL;
	ZSTD_DDict		*dd = NULL;

	pthread_mutex_lock(&store_ddicts.lock);
	for (d = store_ddicts.list; d != NULL; d = d->next)
		if (d->zid == zid)
			break;
	pthread_mutex_unlock(&store_ddicts.lock);
	if (d != NULL)
		return (d->dd);
	if (db == NULL || sqlite3_prepare_v2(db, "SELECT dict FROM zdicts"
	    " WHERE id = ?", -1, &st, NULL) != SQLITE_OK)
		return (NULL);
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    ZDICT_getDictID(sqlite3_column_blob(st, 0),
	    (size_t)sqlite3_column_bytes(st, 0)) == zid)
		dd = ZSTD_createDDict(sqlite3_column_blob(st, 0),
		    (size_t)sqlite3_column_bytes(st, 0));
	sqlite3_finalize(st);
	if (dd == NULL)
		return (NULL);
	/* Another thread may have loaded it meanwhile: keep one. */
	pthread_mutex_lock(&store_ddicts.lock);
	for (d = store_ddicts.list; d != NULL; d = d->next)
		if (d->zid == zid)
			break;
	if (d == NULL) {
		d = xcalloc(1, sizeof *d);
		d->zid = zid;
		d->dd = dd;
		d->next = store_ddicts.list;
		store_ddicts.list = d;
	} else
		ZSTD_freeDDict(dd);
	pthread_mutex_unlock(&store_ddicts.lock);
	return (d->dd);
}

/*
 * Each thread's decompression context, made once: a context is some
 * 100 KB, and making one for every item read (the search index reads
 * every item it indexes) cost more than the decompression itself.
 */
static pthread_key_t	store_dctx_key;
static pthread_once_t	store_dctx_once = PTHREAD_ONCE_INIT;

static void
store_dctx_free(void *dc)
{
	ZSTD_freeDCtx(dc);
}

static void
store_dctx_key_init(void)
{
	if (pthread_key_create(&store_dctx_key, store_dctx_free) != 0)
		fatalx("zstd: cannot make a per-thread key");
}

static ZSTD_DCtx *
store_dctx(void)
{
	ZSTD_DCtx	*dc;

	pthread_once(&store_dctx_once, store_dctx_key_init);
	if ((dc = pthread_getspecific(store_dctx_key)) == NULL) {
		if ((dc = ZSTD_createDCtx()) == NULL)
			fatalx("zstd: cannot create a decompression context");
		pthread_setspecific(store_dctx_key, dc);
	}
	return (dc);
}

/* The calling thread's context, freed now (a thread's own is freed when
 * it ends; the main thread's would outlive the store). */
void
store_dctx_release(void)
{
	ZSTD_DCtx	*dc;

	pthread_once(&store_dctx_once, store_dctx_key_init);
	if ((dc = pthread_getspecific(store_dctx_key)) != NULL) {
		ZSTD_freeDCtx(dc);
		pthread_setspecific(store_dctx_key, NULL);
	}
}

/*
 * Unpack what store_body_pack made into *summary and *content (each
 * allocated, or NULL); db is the connection it was read from, where a
 * 'D' frame's dictionary is.  -1 when it is damaged or its dictionary
 * is missing, which *cause (when not NULL) says.
 */
int
store_body_unpack(sqlite3 *db, const void *blob, size_t len,
    char **summary, char **content, char **cause)
{
	const unsigned char	*p = blob, *end = p + len;
	const ZSTD_DDict	*dd = NULL;
	ZSTD_DCtx		*dc;
	uint64_t		 id = 0, sl, cl;
	char			*buf;
	size_t			 z, total;
	unsigned int		 zid;

	*summary = *content = NULL;
	if (cause != NULL)
		*cause = NULL;
	if (len < 1 || (*p != 'Z' && *p != 'D'))
		goto damaged;
	if (*p++ == 'D' && store_varint_get(&p, end, &id) != 0)
		goto damaged;
	if (store_varint_get(&p, end, &sl) != 0 ||
	    store_varint_get(&p, end, &cl) != 0 || sl > STORE_BODY_MAX ||
	    cl > STORE_BODY_MAX)
		goto damaged;
	if (*(const unsigned char *)blob == 'D') {
		zid = ZSTD_getDictID_fromFrame(p, (size_t)(end - p));
		if (zid == 0 || id > INT64_MAX)
			goto damaged;
		if ((dd = store_ddict_get(db, (int64_t)id, zid)) == NULL) {
			if (cause != NULL)
				xasprintf(cause, "text dictionary %llu is "
				    "missing or damaged", (unsigned long long)id);
			return (-1);
		}
	}
	total = (sl > 0 ? sl - 1 : 0) + (cl > 0 ? cl - 1 : 0);
	dc = store_dctx();
	buf = xmalloc(total + 1);
	if (dd != NULL)
		z = ZSTD_decompress_usingDDict(dc, buf, total, p,
		    (size_t)(end - p), dd);
	else
		z = ZSTD_decompressDCtx(dc, buf, total, p, (size_t)(end - p));
	if (ZSTD_isError(z) || z != total) {
		free(buf);
		goto damaged;
	}
	if (sl > 0) {
		*summary = xmalloc(sl);
		memcpy(*summary, buf, sl - 1);
		(*summary)[sl - 1] = '\0';
	}
	if (cl > 0) {
		*content = xmalloc(cl);
		memcpy(*content, buf + (sl > 0 ? sl - 1 : 0), cl - 1);
		(*content)[cl - 1] = '\0';
	}
	free(buf);
	return (0);

damaged:
	if (cause == NULL)
		return (-1);
	if (id != 0)
		xasprintf(cause, "stored text is damaged (packed with text "
		    "dictionary %llu)", (unsigned long long)id);
	else
		*cause = xstrdup("stored text is damaged");
	return (-1);
}

/*
 * Write with the dictionary zdicts row id holds from now on.  Only a
 * real zstd dictionary (its header and id): zstd would take any other
 * bytes as raw content, and frames made with that name no dictionary
 * id, so could not be read back.
 */
static int
store_dict_use(struct store *s, int64_t id, const void *dict, size_t len)
{
	ZSTD_CDict	*cd;

	if (dict == NULL || ZDICT_getDictID(dict, len) == 0 ||
	    (cd = ZSTD_createCDict(dict, len, STORE_BODY_LEVEL)) == NULL)
		return (-1);
	pthread_mutex_lock(&s->dict_lock);
	ZSTD_freeCDict(s->cdict);
	s->cdict = cd;
	s->dict_id = id;
	pthread_mutex_unlock(&s->dict_lock);
	return (0);
}

/* At open: the newest dictionary, if any, is the one to write with;
 * without one, the items already stored count towards training one. */
void
store_dict_load(struct store *s)
{
	sqlite3_stmt	*st;

	if (sqlite3_prepare_v2(s->db, "SELECT id, dict FROM zdicts"
	    " ORDER BY id DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return;
	if (sqlite3_step(st) == SQLITE_ROW &&
	    store_dict_use(s, sqlite3_column_int64(st, 0),
	    sqlite3_column_blob(st, 1),
	    (size_t)sqlite3_column_bytes(st, 1)) != 0)
		log_warnx("database %s: text dictionary %lld is damaged: "
		    "item text is packed without one until another is "
		    "trained", s->path, (long long)sqlite3_column_int64(st, 0));
	sqlite3_finalize(st);
	if (s->cdict != NULL)
		return;
	if (sqlite3_prepare_v2(s->db, "SELECT items FROM counters", -1, &st,
	    NULL) != SQLITE_OK)
		return;
	if (sqlite3_step(st) == SQLITE_ROW)
		s->undict = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
}

/* The texts of the newest stored items, end to end, for training. */
static struct store_train *
store_dict_samples(struct store *s)
{
	struct store_train	*t;
	sqlite3_stmt		*st;
	struct buf		 b;
	const void		*blob;
	char			*sum, *con;
	size_t			 sl, cl, cap = STORE_DICT_SAMPLES;

	if (sqlite3_prepare_v2(s->db, "SELECT summary, content FROM items"
	    " ORDER BY id DESC LIMIT ?", -1, &st, NULL) != SQLITE_OK)
		return (NULL);
	sqlite3_bind_int(st, 1, STORE_DICT_SAMPLES);
	t = xcalloc(1, sizeof *t);
	t->sizes = xreallocarray(NULL, cap, sizeof *t->sizes);
	buf_init(&b);
	/* A hundred times the dictionary's size is what zstd asks for;
	 * more only slows training, and holds memory. */
	while (b.len < 100 * STORE_DICT_SIZE &&
	    sqlite3_step(st) == SQLITE_ROW) {
		sum = con = NULL;
		if (sqlite3_column_type(st, 1) == SQLITE_BLOB) {
			blob = sqlite3_column_blob(st, 1);
			if (store_body_unpack(s->db, blob,
			    (size_t)sqlite3_column_bytes(st, 1), &sum,
			    &con, NULL) != 0)
				continue;
		} else {
			sum = store_col_text(st, 0);
			con = store_col_text(st, 1);
		}
		sl = sum != NULL ? strlen(sum) : 0;
		cl = con != NULL ? strlen(con) : 0;
		if (sl + cl >= STORE_BODY_MIN && sl + cl <= 1024 * 1024) {
			buf_add(&b, sum != NULL ? sum : "", sl);
			buf_add(&b, con != NULL ? con : "", cl);
			t->sizes[t->nsamples++] = sl + cl;
		}
		free(sum);
		free(con);
	}
	sqlite3_finalize(st);
	t->samples = (unsigned char *)buf_detach(&b);
	buf_release(&b);
	pthread_mutex_init(&t->lock, NULL);
	return (t);
}

static void
store_train_free(struct store_train *t)
{
	if (t == NULL)
		return;
	pthread_mutex_destroy(&t->lock);
	free(t->samples);
	free(t->sizes);
	free(t->dict);
	free(t->error);
	free(t);
}

/* Train on t's samples: 50-200 ms, on its own thread in the daemon. */
static void *
store_train_run(void *arg)
{
	struct store_train	*t = arg;
	unsigned char		*dict = xmalloc(STORE_DICT_SIZE);
	size_t			 n;
	char			*error = NULL;

	n = ZDICT_trainFromBuffer(dict, STORE_DICT_SIZE, t->samples,
	    t->sizes, t->nsamples);
	if (ZDICT_isError(n)) {
		error = xstrdup(ZDICT_getErrorName(n));
		free(dict);
		dict = NULL;
		n = 0;
	}
	pthread_mutex_lock(&t->lock);
	t->dict = dict;
	t->dictlen = n;
	t->error = error;
	t->done = 1;
	pthread_mutex_unlock(&t->lock);
	return (NULL);
}

/* Store the trained dictionary and write with it; outside any
 * transaction, so no fetch's rollback can take it from items that use
 * it. */
static int
store_dict_adopt(struct store *s, struct store_train *t)
{
	sqlite3_stmt	*st;
	int64_t		 id;

	if (t->dict == NULL) {
		log_warnx("database %s: cannot train a text dictionary on "
		    "%u items: %s", s->path, t->nsamples, t->error);
		return (-1);
	}
	if (sqlite3_prepare_v2(s->db, "INSERT INTO zdicts (dict, created)"
	    " VALUES (?, ?)", -1, &st, NULL) != SQLITE_OK) {
		store_log_error(s, "saving the text dictionary");
		return (-1);
	}
	sqlite3_bind_blob(st, 1, t->dict, (int)t->dictlen, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t)time(NULL));
	if (sqlite3_step(st) != SQLITE_DONE) {
		store_log_error(s, "saving the text dictionary");
		sqlite3_finalize(st);
		return (-1);
	}
	sqlite3_finalize(st);
	id = sqlite3_last_insert_rowid(s->db);
	if (store_dict_use(s, id, t->dict, t->dictlen) != 0)
		return (-1);
	log_info("database %s: text dictionary %lld (%zu bytes) trained on "
	    "%u items", s->path, (long long)id, t->dictlen, t->nsamples);
	return (0);
}

/* Train a dictionary now, on this thread (tests; the daemon trains in
 * the background through store_dict_tick). */
int
store_dict_train(struct store *s)
{
	struct store_train	*t;
	int			 rc = -1;

	if (s->in_tx || s->group || (t = store_dict_samples(s)) == NULL)
		return (-1);
	store_train_run(t);
	rc = store_dict_adopt(s, t);
	store_train_free(t);
	return (rc);
}

/*
 * After a commit, with no transaction open: once STORE_DICT_SAMPLES
 * items are stored without a dictionary, train one on a thread (the
 * loop only reads the samples, a few ms); a later call adopts it.  A
 * failed training is tried again after as many items more.
 */
void
store_dict_tick(struct store *s)
{
	struct store_train	*t = s->train;
	int			 done;

	if (s->in_tx || s->group || s->cdict != NULL)
		return;
	if (t != NULL) {
		pthread_mutex_lock(&t->lock);
		done = t->done;
		pthread_mutex_unlock(&t->lock);
		if (!done)
			return;
		pthread_join(t->thread, NULL);
		s->train = NULL;
		if (store_dict_adopt(s, t) != 0)
			s->undict = 0;
		store_train_free(t);
		return;
	}
	if (s->undict < STORE_DICT_SAMPLES ||
	    (t = store_dict_samples(s)) == NULL)
		return;
	if (t->nsamples < STORE_DICT_SAMPLES / 2) {
		/* Mostly short texts: nothing much to gain yet. */
		s->undict = 0;
		store_train_free(t);
		return;
	}
	if (pthread_create(&t->thread, NULL, store_train_run, t) != 0) {
		log_warnx("database %s: cannot start training a text "
		    "dictionary", s->path);
		s->undict = 0;
		store_train_free(t);
		return;
	}
	s->train = t;
}

/*
 * At close, with no transaction open: wait for a training still running
 * and keep what it made for the next start (a short burst of polls
 * followed by a stop would otherwise train and lose it every time).
 */
void
store_dict_close(struct store *s)
{
	struct store_train	*t = s->train;

	if (t != NULL) {
		pthread_join(t->thread, NULL);
		s->train = NULL;
		if (s->cdict == NULL)
			store_dict_adopt(s, t);
		store_train_free(t);
	}
	ZSTD_freeCDict(s->cdict);
	s->cdict = NULL;
}

/* item_summary(summary, content) and item_content(content): the text as
 * stored, packed or not, for statements that look into it. */
static void
store_sql_body(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	sqlite3_value	*packed = argv[argc - 1];
	char		*summary, *content, *want, *cause;

	if (sqlite3_value_type(packed) != SQLITE_BLOB) {
		sqlite3_result_value(ctx, argv[0]);
		return;
	}
	if (store_body_unpack(sqlite3_context_db_handle(ctx),
	    sqlite3_value_blob(packed), (size_t)sqlite3_value_bytes(packed),
	    &summary, &content, &cause) != 0) {
		sqlite3_result_error(ctx, cause, -1);
		free(cause);
		return;
	}
	want = argc == 2 ? summary : content;
	if (want != NULL)
		sqlite3_result_text(ctx, want, -1, free);
	else
		sqlite3_result_null(ctx);
	free(argc == 2 ? content : summary);
}

int
store_functions(sqlite3 *db)
{
	int	flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC;

	if (sqlite3_create_function_v2(db, "item_summary", 2, flags, NULL,
	    store_sql_body, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function_v2(db, "item_content", 1, flags, NULL,
	    store_sql_body, NULL, NULL, NULL) != SQLITE_OK)
		return (-1);
	return (0);
}
