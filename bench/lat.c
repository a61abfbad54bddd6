/*
 * lat: p50 and p99 of how long something takes, for bench/queries.sh.
 *
 *	lat [-n N] NAME -- COMMAND [ARG...]
 *		runs COMMAND N times (default 50), its output to /dev/null,
 *		timed from spawning it to reaping it: what a user waits for,
 *		process start included, nothing of the shell's.
 *	lat [-n N] -s SOCKET NAME
 *		N times: connects to aggd's socket, says hello, asks status
 *		and reads the answer, as aggctl does: the daemon's part only.
 *
 * Prints "NAME  p50 X ms  p99 Y ms"; exits 1 when a run fails.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "buf.h"
#include "proto.h"

extern char **environ;

static double
lat_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec * 1e3 + ts.tv_nsec / 1e6);
}

static int
lat_cmp(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return ((x > y) - (x < y));
}

/* One run of argv: its time in ms, or -1 when it failed. */
static double
lat_spawn(char **argv)
{
	posix_spawn_file_actions_t	fa;
	pid_t				pid;
	double				t0;
	int				st;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	t0 = lat_now();
	if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return (-1);
	}
	posix_spawn_file_actions_destroy(&fa);
	if (waitpid(pid, &st, 0) == -1 || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0)
		return (-1);
	return (lat_now() - t0);
}

/* One status over a new connection: its time in ms, or -1. */
static double
lat_status(const char *path)
{
	struct sockaddr_un	 sun;
	struct buf		 in;
	json_t			*j, *req;
	char			*cause = NULL;
	double			 t0, t = -1;
	int			 fd, i;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path)
		return (-1);
	memcpy(sun.sun_path, path, strlen(path));
	t0 = lat_now();
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		return (-1);
	buf_init(&in);
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1)
		goto out;
	req = proto_hello("aggctl");
	i = proto_write(fd, req);
	json_decref(req);
	if (i == -1 || proto_read(fd, &in, &j, &cause) != 1)
		goto out;
	json_decref(j);
	req = json_pack("{s:s}", "cmd", "status");
	i = proto_write(fd, req);
	json_decref(req);
	if (i == -1 || proto_read(fd, &in, &j, &cause) != 1)
		goto out;
	json_decref(j);
	t = lat_now() - t0;
out:
	free(cause);
	buf_release(&in);
	close(fd);
	return (t);
}

int
main(int argc, char **argv)
{
	const char	*sock = NULL, *name;
	double		*v, t;
	long		 n = 50, i;
	int		 ch;

	while ((ch = getopt(argc, argv, "+n:s:")) != -1) {
		switch (ch) {
		case 'n':
			n = strtol(optarg, NULL, 10);
			break;
		case 's':
			sock = optarg;
			break;
		default:
			goto usage;
		}
	}
	argc -= optind;
	argv += optind;
	if (n < 1 || argc < 1)
		goto usage;
	name = argv[0];
	if (argc > 1 && strcmp(argv[1], "--") == 0) {
		argc--;
		argv++;
	}
	if (sock == NULL && argc < 2)
		goto usage;
	if ((v = calloc((size_t)n, sizeof *v)) == NULL)
		return (1);
	for (i = 0; i < n; i++) {
		t = sock != NULL ? lat_status(sock) : lat_spawn(argv + 1);
		if (t < 0) {
			fprintf(stderr, "lat: %s: run %ld failed\n", name, i);
			return (1);
		}
		v[i] = t;
	}
	qsort(v, (size_t)n, sizeof *v, lat_cmp);
	i = (long)(n * 0.99 + 0.999) - 1;
	printf("%-28s p50 %6.1f ms  p99 %6.1f ms\n", name, v[(n - 1) / 2],
	    v[i < 0 ? 0 : i]);
	free(v);
	return (0);
usage:
	fprintf(stderr, "usage: lat [-n N] NAME -- COMMAND [ARG...]\n"
	    "       lat [-n N] -s SOCKET NAME\n");
	return (2);
}
