/*
 * sockpeer: a raw client for aggd's control socket, for the integration
 * tests that need what aggctl will not do: send half a request and hang,
 * send garbage, send a hello with another protocol version.  It writes its
 * standard input to the socket as it is, then prints whatever comes back
 * until the daemon closes the connection or time runs out.  No shell, no
 * socat: dash cannot open a Unix socket and socat is not always installed.
 *
 * usage: sockpeer [-S] [-l LINES] [-p READYFILE] [-t SECONDS] SOCKET
 *        sockpeer [-T] -u PATH
 *
 *	-S		shut down the writing side after sending (the daemon
 *			sees end of file)
 *	-l LINES	exit once LINES newline-terminated lines have come back
 *	-p READYFILE	create READYFILE once everything is sent, so a test
 *			can wait for a client that is holding mid-request
 *	-t SECONDS	give up after SECONDS (default 5; fractions allowed)
 *
 * Exit status: 0 when the daemon closed the connection, 3 when the time ran
 * out with the connection still open, 4 after LINES lines, 1 on an error
 * (2 for usage).  A write the daemon refuses (it closed first) is not an
 * error: what it answered is still read and printed.
 *
 * With -u it is the other end of sd_notify(3) instead: it binds a datagram
 * Unix socket at PATH (which must not exist) and prints each datagram it
 * receives on a line of its own, flushed, until it is killed.  A newline
 * inside a datagram (sd_notify separates assignments with them) is printed
 * as "\n" and a backslash as "\\", so one datagram is always one line:
 * READY=1\nSTATUS=polling.  PATH is created once the socket is bound, so a
 * test can wait for it before starting the sender.  With -T (before -u)
 * each line starts with the monotonic time it arrived, in milliseconds,
 * and a space, so a test can measure the watchdog's pace.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void
usage(void)
{
	fprintf(stderr, "usage: sockpeer [-S] [-l LINES] [-p READYFILE] "
	    "[-t SECONDS] SOCKET\n"
	    "       sockpeer [-T] -u PATH\n");
	exit(2);
}

static double	sockpeer_now(void);

/* -u: print every datagram that arrives at PATH, one per line. */
static int
sockpeer_datagrams(const char *path, int stamp)
{
	struct sockaddr_un	 sun;
	char			 buf[65536];
	ssize_t			 n, i;
	int			 fd;

	if (strlen(path) >= sizeof sun.sun_path) {
		fprintf(stderr, "sockpeer: socket path too long\n");
		return (1);
	}
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_DGRAM, 0)) == -1) {
		perror("sockpeer: socket");
		return (1);
	}
	if (bind(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		fprintf(stderr, "sockpeer: bind %s: %s\n", path,
		    strerror(errno));
		return (1);
	}
	for (;;) {
		n = recv(fd, buf, sizeof buf, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			perror("sockpeer: recv");
			return (1);
		}
		if (stamp)
			printf("%.0f ", sockpeer_now() * 1000);
		for (i = 0; i < n; i++) {
			if (buf[i] == '\n')
				fputs("\\n", stdout);
			else if (buf[i] == '\\')
				fputs("\\\\", stdout);
			else
				putchar(buf[i]);
		}
		putchar('\n');
		if (fflush(stdout) == EOF)
			return (1);
	}
}

static double
sockpeer_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

/* Read all of stdin; the caller frees.  *len is its length. */
static char *
sockpeer_slurp(size_t *len)
{
	char	*data = NULL, *n;
	size_t	 size = 0;
	ssize_t	 r;

	*len = 0;
	for (;;) {
		if (*len == size) {
			size = size == 0 ? 65536 : size * 2;
			if ((n = realloc(data, size)) == NULL) {
				perror("sockpeer: realloc");
				exit(1);
			}
			data = n;
		}
		r = read(STDIN_FILENO, data + *len, size - *len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			perror("sockpeer: read stdin");
			exit(1);
		}
		if (r == 0)
			return (data);
		*len += (size_t)r;
	}
}

/* Write as much as the daemon takes; 0 when all of it went, else -1. */
static int
sockpeer_send(int fd, const char *p, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return (-1);
		p += n;
		len -= (size_t)n;
	}
	return (0);
}

int
main(int argc, char **argv)
{
	struct sockaddr_un	 sun;
	struct pollfd		 pfd;
	const char		*ready = NULL;
	char			*data, buf[65536], *end;
	double			 timeout = 5, deadline, left;
	size_t			 len;
	ssize_t			 n, i;
	long			 want = -1, lines = 0;
	int			 ch, fd, shut = 0, rc, stamp = 0;

	while ((ch = getopt(argc, argv, "Sl:p:t:Tu:")) != -1) {
		switch (ch) {
		case 'T':
			stamp = 1;
			break;
		case 'u':
			if (optind != argc)
				usage();
			return (sockpeer_datagrams(optarg, stamp));
		case 'S':
			shut = 1;
			break;
		case 'l':
			want = strtol(optarg, &end, 10);
			if (*end != '\0' || want < 1)
				usage();
			break;
		case 'p':
			ready = optarg;
			break;
		case 't':
			timeout = strtod(optarg, &end);
			if (*end != '\0' || timeout <= 0)
				usage();
			break;
		default:
			usage();
		}
	}
	if (optind != argc - 1)
		usage();
	if (strlen(argv[optind]) >= sizeof sun.sun_path) {
		fprintf(stderr, "sockpeer: socket path too long\n");
		return (1);
	}
	signal(SIGPIPE, SIG_IGN);
	deadline = sockpeer_now() + timeout;

	data = sockpeer_slurp(&len);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, argv[optind], strlen(argv[optind]));
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1) {
		perror("sockpeer: socket");
		return (1);
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		fprintf(stderr, "sockpeer: connect %s: %s\n", argv[optind],
		    strerror(errno));
		return (1);
	}
	if (sockpeer_send(fd, data, len) == -1)
		fprintf(stderr, "sockpeer: write: %s\n", strerror(errno));
	else if (shut)
		shutdown(fd, SHUT_WR);
	free(data);
	if (ready != NULL) {
		if ((rc = open(ready, O_WRONLY | O_CREAT | O_TRUNC, 0644)) ==
		    -1) {
			fprintf(stderr, "sockpeer: %s: %s\n", ready,
			    strerror(errno));
			return (1);
		}
		close(rc);
	}

	for (;;) {
		left = deadline - sockpeer_now();
		if (left <= 0)
			return (3);
		pfd.fd = fd;
		pfd.events = POLLIN;
		rc = poll(&pfd, 1, (int)(left * 1000) + 1);
		if (rc == -1 && errno == EINTR)
			continue;
		if (rc == -1) {
			perror("sockpeer: poll");
			return (1);
		}
		if (rc == 0)
			continue;
		n = read(fd, buf, sizeof buf);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == ECONNRESET)
			return (0);
		if (n == -1) {
			perror("sockpeer: read");
			return (1);
		}
		if (n == 0)
			return (0);
		for (i = 0; i < n; i++) {
			putchar(buf[i]);
			if (buf[i] == '\n' && ++lines == want) {
				fflush(stdout);
				return (4);
			}
		}
		fflush(stdout);
	}
}
