/*
 * Items and feed metadata: construction, release, and the one rendering of
 * each as JSON, shared by `aggctl parse`, the socket and hook stdin.
 */
#include <stdlib.h>
#include <string.h>

#include "item.h"
#include "timefmt.h"
#include "xmalloc.h"

void
item_init(struct item *it)
{
	memset(it, 0, sizeof *it);
	it->published = it->updated = TIME_NONE;
}

void
item_release(struct item *it)
{
	size_t	i;

	free(it->guid);
	free(it->title);
	free(it->link);
	free(it->author);
	free(it->summary);
	free(it->content);
	for (i = 0; i < it->ncategories; i++)
		free(it->categories[i]);
	free(it->categories);
	for (i = 0; i < it->nenclosures; i++) {
		free(it->enclosures[i].url);
		free(it->enclosures[i].type);
	}
	free(it->enclosures);
	item_init(it);
}

void
item_add_category(struct item *it, const char *c)
{
	it->categories = xreallocarray(it->categories, it->ncategories + 1,
	    sizeof *it->categories);
	it->categories[it->ncategories++] = xstrdup(c);
}

void
item_add_enclosure(struct item *it, const char *url, const char *type,
    int64_t length)
{
	struct enclosure	*e;

	it->enclosures = xreallocarray(it->enclosures, it->nenclosures + 1,
	    sizeof *it->enclosures);
	e = &it->enclosures[it->nenclosures++];
	e->url = url != NULL ? xstrdup(url) : NULL;
	e->type = type != NULL ? xstrdup(type) : NULL;
	e->length = length;
}

void
feed_meta_init(struct feed_meta *m)
{
	memset(m, 0, sizeof *m);
	m->updated = TIME_NONE;
	m->ttl = m->sy_period = -1;
}

void
feed_meta_release(struct feed_meta *m)
{
	free(m->title);
	free(m->link);
	free(m->subtitle);
	free(m->id);
	free(m->language);
	free(m->author);
	feed_meta_init(m);
}

json_t *
json_str_or_null(const char *s)
{
	json_t	*j;

	if (s == NULL)
		return (json_null());
	/* Invalid UTF-8 never reaches here from the parser; be safe anyway. */
	if ((j = json_string(s)) == NULL)
		return (json_null());
	return (j);
}

json_t *
json_time_or_null(int64_t t)
{
	char	buf[32];

	if (t == TIME_NONE || timefmt_rfc3339(t, buf, sizeof buf) == -1)
		return (json_null());
	return (json_string(buf));
}

json_t *
item_categories_json(const struct item *it)
{
	json_t	*cats;
	size_t	 i;

	cats = json_array();
	for (i = 0; i < it->ncategories; i++)
		json_array_append_new(cats, json_str_or_null(it->categories[i]));
	return (cats);
}

json_t *
item_enclosures_json(const struct item *it)
{
	json_t	*encs, *e;
	size_t	 i;

	encs = json_array();
	for (i = 0; i < it->nenclosures; i++) {
		e = json_object();
		json_object_set_new(e, "url",
		    json_str_or_null(it->enclosures[i].url));
		json_object_set_new(e, "type",
		    json_str_or_null(it->enclosures[i].type));
		json_object_set_new(e, "length", it->enclosures[i].length < 0 ?
		    json_null() : json_integer(it->enclosures[i].length));
		json_array_append_new(encs, e);
	}
	return (encs);
}

json_t *
item_parse_json(const struct item *it)
{
	json_t	*o, *cats, *encs;

	cats = item_categories_json(it);
	encs = item_enclosures_json(it);
	o = json_object();
	json_object_set_new(o, "guid", json_str_or_null(it->guid));
	json_object_set_new(o, "title", json_str_or_null(it->title));
	json_object_set_new(o, "link", json_str_or_null(it->link));
	json_object_set_new(o, "author", json_str_or_null(it->author));
	json_object_set_new(o, "published", json_time_or_null(it->published));
	json_object_set_new(o, "updated", json_time_or_null(it->updated));
	json_object_set_new(o, "summary", json_str_or_null(it->summary));
	json_object_set_new(o, "content", json_str_or_null(it->content));
	json_object_set_new(o, "categories", cats);
	json_object_set_new(o, "enclosures", encs);
	return (o);
}

json_t *
feed_meta_json(const struct feed_meta *m)
{
	json_t	*o;

	o = json_object();
	json_object_set_new(o, "title", json_str_or_null(m->title));
	json_object_set_new(o, "link", json_str_or_null(m->link));
	json_object_set_new(o, "subtitle", json_str_or_null(m->subtitle));
	json_object_set_new(o, "id", json_str_or_null(m->id));
	json_object_set_new(o, "language", json_str_or_null(m->language));
	json_object_set_new(o, "author", json_str_or_null(m->author));
	json_object_set_new(o, "updated", json_time_or_null(m->updated));
	return (o);
}

json_t *
item_record_json(const struct item_record *r)
{
	json_t		*o, *parsed, *v;
	const char	*key;

	o = json_object();
	json_object_set_new(o, "id", json_integer(r->id));
	json_object_set_new(o, "feed_id", json_integer(r->feed_id));
	json_object_set_new(o, "feed_url", json_str_or_null(r->feed_url));
	parsed = item_parse_json(&r->item);
	json_object_foreach(parsed, key, v)
		json_object_set(o, key, v);
	json_decref(parsed);
	json_object_set_new(o, "first_seen", json_time_or_null(r->first_seen));
	json_object_set_new(o, "read", json_boolean(r->read));
	return (o);
}

void
item_load_arrays(struct item *it, const char *categories,
    const char *enclosures)
{
	json_t		*a, *e, *len;
	size_t		 i;

	if (categories != NULL &&
	    (a = json_loads(categories, 0, NULL)) != NULL) {
		json_array_foreach(a, i, e)
			if (json_is_string(e))
				item_add_category(it, json_string_value(e));
		json_decref(a);
	}
	if (enclosures != NULL &&
	    (a = json_loads(enclosures, 0, NULL)) != NULL) {
		json_array_foreach(a, i, e) {
			len = json_object_get(e, "length");
			item_add_enclosure(it,
			    json_string_value(json_object_get(e, "url")),
			    json_string_value(json_object_get(e, "type")),
			    json_is_integer(len) ? json_integer_value(len) : -1);
		}
		json_decref(a);
	}
}
