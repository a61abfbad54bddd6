/*
 * Fuzz target for the OPML reader: any bytes, as a file given to
 * `aggctl import`; every feed reported must have a URL.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "opml.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_opml_cb(const struct opml_feed *f, void *arg)
{
	size_t	*n = arg, i;

	if (f->url == NULL)
		abort();
	for (i = 0; i < f->ntags; i++)
		if (f->tags[i] == NULL)
			abort();
	(*n)++;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*cause = NULL;
	size_t	 n = 0;
	int	 rv;

	rv = opml_parse((const char *)data, size, fuzz_opml_cb, &n, &cause);
	if (rv >= 0 && (size_t)rv != n)
		abort();
	free(cause);
	return (0);
}
