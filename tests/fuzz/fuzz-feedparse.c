/*
 * Fuzz target for the feed parser: the input is fed in chunks whose sizes
 * come from its first byte (so chunk boundaries are fuzzed too), under
 * small limits, and every item and the metadata are rendered as JSON the
 * way aggctl parse does.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "compat.h"
#include "feedparse.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_item_cb(struct item *it, void *arg UNUSED)
{
	json_t	*o;
	char	*s;

	o = item_parse_json(it);
	if ((s = json_dumps(o, 0)) != NULL)
		free(s);
	json_decref(o);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct feedparse	*fp;
	json_t			*o;
	size_t			 chunk, off, n;

	if (size == 0)
		return (0);
	chunk = (data[0] & 0x7f) + 1;
	data++;
	size--;
	fp = feedparse_new("http://example.org/feed/",
	    (data[-1] & 0x80) ? "windows-1251" : NULL, fuzz_item_cb, NULL);
	feedparse_set_limits(fp, 64, 64 * 1024, 1000);
	for (off = 0; off < size; off += n) {
		n = size - off < chunk ? size - off : chunk;
		if (feedparse_feed(fp, (const char *)data + off, n) == -1)
			break;
	}
	feedparse_finish(fp);
	o = feed_meta_json(feedparse_meta(fp));
	json_decref(o);
	(void)feedparse_format(fp);
	(void)feedparse_encoding(fp);
	(void)feedparse_error(fp);
	feedparse_free(fp);
	return (0);
}
