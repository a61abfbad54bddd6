/*
 * Fuzz target for the control protocol's frame decoder: any bytes, as one
 * line from a client.  A frame that decodes must encode and decode again
 * to an equal object.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t	*j, *k;
	char	*cause = NULL, *line;

	if ((j = proto_decode((const char *)data, size, &cause)) == NULL) {
		free(cause);
		return (0);
	}
	line = proto_encode(j);
	if ((k = proto_decode(line, strlen(line) - 1, &cause)) == NULL ||
	    !json_equal(j, k))
		abort();
	(void)proto_check_hello(j, "aggd", &cause);
	free(cause);
	free(line);
	json_decref(j);
	json_decref(k);
	return (0);
}
