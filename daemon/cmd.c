/*
 * Dispatch of control requests to their handlers (cmd-<family>.c), and the
 * field readers they share, which answer a missing or mistyped field with
 * an error frame naming it.
 */
#include <string.h>

#include "aggd.h"
#include "cmd.h"
#include "log.h"
#include "proto.h"

static const struct cmd_entry cmd_table[] = {
	{ "add",	cmd_add },
	{ "remove",	cmd_remove },
	{ "feeds",	cmd_feeds },
	{ "status",	cmd_status },
	{ "items",	cmd_items },
	{ "show",	cmd_show },
	{ "read",	cmd_read },
	{ "unread",	cmd_unread },
	{ "refresh",	cmd_refresh },
	{ "follow",	cmd_follow },
	{ "import",	cmd_import },
	{ "export",	cmd_export },
	{ "backup",	cmd_backup },
	{ "set",	cmd_set },
	{ "pause",	cmd_pause },
	{ "resume",	cmd_resume },
	{ "log",	cmd_log },
};

void
cmd_dispatch(struct client *c, json_t *req)
{
	const char	*name;
	size_t		 i;

	name = json_string_value(json_object_get(req, "cmd"));
	if (name == NULL) {
		server_client_send(c, proto_error("missing field 'cmd'"));
		return;
	}
	for (i = 0; i < nitems(cmd_table); i++) {
		if (strcmp(cmd_table[i].name, name) == 0) {
			log_debug("client %u: %s", server_client_id(c), name);
			cmd_table[i].fn(c, req);
			return;
		}
	}
	server_client_send(c, proto_error("unknown command '%s'", name));
}

/*
 * Field readers: 0 and the value (absent optional fields leave *out as
 * it was), or -1 after sending an error frame.
 */
/*
 * The field key of req if it is there and of the wanted JSON type (what
 * names it for the error).  NULL with *fail 0 when it is absent and not
 * required; NULL with *fail 1 after sending an error frame.
 */
static json_t *
cmd_field(struct client *c, json_t *req, const char *key, int required,
    json_type type, const char *what, int *fail)
{
	json_t	*v = json_object_get(req, key);

	*fail = 0;
	if (v == NULL || json_is_null(v)) {
		if (required) {
			server_client_send(c, proto_error("missing field '%s'",
			    key));
			*fail = 1;
		}
		return (NULL);
	}
	if (json_typeof(v) != type) {
		server_client_send(c, proto_error("field '%s' must be %s", key,
		    what));
		*fail = 1;
		return (NULL);
	}
	return (v);
}

int
cmd_string(struct client *c, json_t *req, const char *key, int required,
    const char **out)
{
	json_t	*v;
	int	 fail;

	if ((v = cmd_field(c, req, key, required, JSON_STRING, "a string",
	    &fail)) != NULL)
		*out = json_string_value(v);
	return (fail ? -1 : 0);
}

int
cmd_integer(struct client *c, json_t *req, const char *key, int required,
    int64_t *out)
{
	json_t	*v;
	int	 fail;

	if ((v = cmd_field(c, req, key, required, JSON_INTEGER, "an integer",
	    &fail)) == NULL)
		return (fail ? -1 : 0);
	/* Counts, ids, intervals and times: none is negative, and a
	 * negative one would read as "not given". */
	if (json_integer_value(v) < 0) {
		server_client_send(c, proto_error("field '%s' must not be "
		    "negative", key));
		return (-1);
	}
	*out = json_integer_value(v);
	return (0);
}

int
cmd_bool(struct client *c, json_t *req, const char *key, int *out)
{
	json_t	*v = json_object_get(req, key);

	if (v == NULL || json_is_null(v))
		return (0);
	if (!json_is_boolean(v)) {
		server_client_send(c, proto_error("field '%s' must be true "
		    "or false", key));
		return (-1);
	}
	*out = json_is_true(v);
	return (0);
}

/* An array of strings; *out borrowed from req, NULL when absent. */
int
cmd_strings(struct client *c, json_t *req, const char *key, json_t **out)
{
	json_t	*v = json_object_get(req, key), *e;
	size_t	 i;

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return (0);
	if (!json_is_array(v))
		goto bad;
	json_array_foreach(v, i, e) {
		if (!json_is_string(e))
			goto bad;
	}
	*out = v;
	return (0);
bad:
	server_client_send(c, proto_error("field '%s' must be an array of "
	    "strings", key));
	return (-1);
}

/* Resolve a FEED field (id or URL) to an id, or send an error. */
int64_t
cmd_feed(struct client *c, json_t *req, const char *key)
{
	const char	*feed = NULL;
	json_t		*v = json_object_get(req, key);
	int64_t		 id;
	char		 num[32];

	if (json_is_integer(v)) {
		snprintf(num, sizeof num, "%lld",
		    (long long)json_integer_value(v));
		feed = num;
	} else if (cmd_string(c, req, key, 1, &feed) != 0)
		return (-1);
	if ((id = store_feed_lookup(aggd->store, feed)) <= 0) {
		server_client_send(c, proto_error("no such feed: %s", feed));
		return (-1);
	}
	return (id);
}
