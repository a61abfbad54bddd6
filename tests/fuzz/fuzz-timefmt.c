/*
 * Fuzz target for the date reader: any bytes, read as a feed date; a time
 * that is read must format as RFC 3339 and read back the same.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "item.h"
#include "timefmt.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s, buf[32];
	int64_t	 t;

	if ((s = malloc(size + 1)) == NULL)
		return (0);
	memcpy(s, data, size);
	s[size] = '\0';
	t = timefmt_parse(s);
	if (t != TIME_NONE && timefmt_rfc3339(t, buf, sizeof buf) == 0 &&
	    timefmt_parse(buf) != t)
		abort();
	free(s);
	return (0);
}
