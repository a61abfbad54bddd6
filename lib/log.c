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
log_vwrite(int pri, const char *fmt, va_list ap, const char *suffix)
{
	char	 line[4096];
	int	 n;

	n = vsnprintf(line, sizeof line, fmt, ap);
	if (n < 0)
		return;
	if (log_syslog) {
		if (suffix != NULL)
			syslog(pri, "%s: %s", line, suffix);
		else
			syslog(pri, "%s", line);
		return;
	}
	if (log_journal)
		fprintf(stderr, "<%d>", pri);
	else
		fprintf(stderr, "%s: ", log_progname);
	if (suffix != NULL)
		fprintf(stderr, "%s: %s\n", line, suffix);
	else
		fprintf(stderr, "%s\n", line);
	fflush(stderr);
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
