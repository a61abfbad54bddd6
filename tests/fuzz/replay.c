/*
 * A main for the fuzz targets when built without libFuzzer: replay files
 * through LLVMFuzzerTestOneInput.  Arguments are files or directories;
 * with none, the target's corpus, tests/fuzz/corpus/<target>/ (the target
 * named by the program: fuzz-feedparse-replay reads corpus/feedparse).
 * So `make` keeps the targets compiling and running under gcc too.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
replay_file(const char *path)
{
	struct buf	 b;
	FILE		*f;
	char		 chunk[8192];
	size_t		 n;

	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "replay: cannot open %s: %s\n", path,
		    strerror(errno));
		return (-1);
	}
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	LLVMFuzzerTestOneInput((const uint8_t *)(b.data != NULL ? b.data : ""),
	    b.len);
	buf_release(&b);
	return (0);
}

static int
replay_path(const char *path, int *count)
{
	struct stat	 st;
	struct dirent	*de;
	DIR		*d;
	char		*sub;
	int		 rc = 0;

	if (stat(path, &st) == -1) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return (-1);
	}
	if (!S_ISDIR(st.st_mode)) {
		(*count)++;
		return (replay_file(path));
	}
	if ((d = opendir(path)) == NULL)
		return (-1);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (asprintf(&sub, "%s/%s", path, de->d_name) == -1)
			break;
		if (replay_path(sub, count) == -1)
			rc = -1;
		free(sub);
	}
	closedir(d);
	return (rc);
}

int
main(int argc, char **argv)
{
	const char	*name, *p;
	char		*dir, *target;
	int		 i, rc = 0, count = 0;

	if (argc > 1) {
		for (i = 1; i < argc; i++) {
			if (replay_path(argv[i], &count) == -1)
				rc = 1;
		}
	} else {
		name = (p = strrchr(argv[0], '/')) != NULL ? p + 1 : argv[0];
		if (strncmp(name, "fuzz-", 5) == 0)
			name += 5;
		target = strdup(name);
		if (target != NULL && (p = strstr(target, "-replay")) != NULL)
			target[p - target] = '\0';
		if (target == NULL || asprintf(&dir, "tests/fuzz/corpus/%s",
		    target) == -1)
			return (1);
		rc = replay_path(dir, &count) == -1;
		free(dir);
		free(target);
	}
	printf("replay: %d inputs\n", count);
	return (rc);
}
