/*
 * Fuzz target for the configuration reader: any bytes, as aggd.conf.  It
 * is either accepted or refused with "FILE:LINE: reason" (or "FILE: ...").
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aggd.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct aggd	*aggd;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config	*c;
	char		 path[] = "/tmp/fuzz-config.XXXXXX", *cause = NULL;
	int		 fd;

	if ((fd = mkstemp(path)) == -1)
		return (0);
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		unlink(path);
		return (0);
	}
	close(fd);
	if ((c = config_load(path, 1, &cause)) != NULL)
		config_free(c);
	else if (cause == NULL || strncmp(cause, path, strlen(path)) != 0)
		abort();
	free(cause);
	unlink(path);
	return (0);
}
