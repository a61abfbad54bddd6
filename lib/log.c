/*
 * Levelled logging.  Lines go to stderr by default; when stderr is the
 * systemd journal (JOURNAL_STREAM names stderr's device and inode) each line
 * starts with the sd-daemon "<N>" priority so the journal keeps levels.  A
 * daemonised aggd logs to syslog instead.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"

static const char	*log_progname = "agg";
static int		 log_verbose;
static int		 log_syslog;
static int		 log_journal;

/* Info and debug lines held back while aggd starts (log_hold()). */
struct log_held {
	int		 pri;
	char		*line;
};
static struct log_held	*log_held;
static size_t		 log_nheld;
static int		 log_holding;

static int
log_stderr_is_journal(void)
{
	const char		*js;
	struct stat		 sb;
	unsigned long long	 dev, ino;

	if ((js = getenv("JOURNAL_STREAM")) == NULL)
		return (0);
	if (sscanf(js, "%llu:%llu", &dev, &ino) != 2)
		return (0);
	if (fstat(STDERR_FILENO, &sb) == -1)
		return (0);
	return ((unsigned long long)sb.st_dev == dev &&
	    (unsigned long long)sb.st_ino == ino);
}

void
log_init(const char *progname, int verbose, int to_syslog)
{
	log_progname = progname;
	log_verbose = verbose;
	log_syslog = to_syslog;
	log_journal = log_stderr_is_journal();
	if (log_syslog)
		openlog(progname, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_setverbose(int verbose)
{
	log_verbose = verbose;
}

int
log_getverbose(void)
{
	return (log_verbose);
}

/*
 * strerror() with its first letter in lower case, as our messages go
 * ("cannot bind /run/aggd/aggd.sock: permission denied").  The buffer is
 * static: only the loop thread logs.
 */
const char *
log_strerror(int e)
{
	static char	msg[256];

	snprintf(msg, sizeof msg, "%s", strerror(e));
	msg[0] = (char)tolower((unsigned char)msg[0]);
	return (msg);
}

static void
log_emit(int pri, const char *line)
{
	if (log_syslog) {
		syslog(pri, "%s", line);
		return;
	}
	if (log_journal)
		fprintf(stderr, "<%d>%s\n", pri, line);
	else
		fprintf(stderr, "%s: %s\n", log_progname, line);
	fflush(stderr);
}

static void
log_vwrite(int pri, const char *fmt, va_list ap, const char *suffix)
{
	char		 line[4096];
	size_t		 len;
	struct log_held	*h;
	int		 n;

	n = vsnprintf(line, sizeof line, fmt, ap);
	if (n < 0)
		return;
	if (suffix != NULL) {
		len = strlen(line);
		snprintf(line + len, sizeof line - len, ": %s", suffix);
	}
	if (log_holding && pri >= LOG_INFO) {
		/* Plain allocation: xmalloc's dying would log again. */
		h = realloc(log_held, (log_nheld + 1) * sizeof *log_held);
		if (h != NULL) {
			log_held = h;
			if ((h[log_nheld].line = strdup(line)) != NULL)
				h[log_nheld++].pri = pri;
		}
		return;
	}
	log_emit(pri, line);
}

/*
 * Start-up: a failure must be one line on stderr, not the end of a page of
 * progress.  Between log_hold() and log_release() info and debug lines
 * wait; log_release(1) writes them where logging now goes (syslog once
 * daemonised), log_release(0) drops them.  Warnings and errors never wait.
 */
void
log_hold(void)
{
	log_holding = 1;
}

void
log_release(int emit)
{
	size_t	i;

	log_holding = 0;
	for (i = 0; i < log_nheld; i++) {
		if (emit)
			log_emit(log_held[i].pri, log_held[i].line);
		free(log_held[i].line);
	}
	free(log_held);
	log_held = NULL;
	log_nheld = 0;
}

void
log_warn(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	log_vwrite(LOG_WARNING, fmt, ap, log_strerror(saved));
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_WARNING, fmt, ap, NULL);
	va_end(ap);
}

void
log_errx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_ERR, fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_INFO, fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	log_vwrite(LOG_DEBUG, fmt, ap, NULL);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	log_vwrite(LOG_CRIT, fmt, ap, log_strerror(saved));
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_CRIT, fmt, ap, NULL);
	va_end(ap);
	exit(1);
}
