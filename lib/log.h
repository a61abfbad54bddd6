/*
 * Logging for aggd and aggctl: levelled lines to stderr (with journal
 * priority prefixes when stderr is the journal) or to syslog once
 * daemonised.  fatal() and fatalx() always land somewhere and exit 1.
 */
#ifndef AGG_LOG_H
#define AGG_LOG_H

#include "compat.h"

void	log_init(const char *progname, int verbose, int to_syslog);
void	log_setverbose(int verbose);
int	log_getverbose(void);
void	log_warn(const char *, ...) PRINTFLIKE(1, 2);
void	log_warnx(const char *, ...) PRINTFLIKE(1, 2);
void	log_errx(const char *, ...) PRINTFLIKE(1, 2);	/* start-up errors */
void	log_info(const char *, ...) PRINTFLIKE(1, 2);
void	log_debug(const char *, ...) PRINTFLIKE(1, 2);
void	fatal(const char *, ...) PRINTFLIKE(1, 2) NORETURN;
void	fatalx(const char *, ...) PRINTFLIKE(1, 2) NORETURN;
void	log_hold(void);		/* hold info lines back while starting */
void	log_release(int emit);	/* write (1) or drop (0) what was held */
const char *log_strerror(int);	/* lower-case strerror(), static buffer */

#endif
