/*
 * Default locations of the configuration file, the database and the control
 * socket, shared by aggd and aggctl so that both agree without a config.
 * Each returns an allocated string the caller frees.
 */
#ifndef AGG_PATHS_H
#define AGG_PATHS_H

/* $AGGD_CONFIG, else /etc/aggd/aggd.conf (root) or
 * $XDG_CONFIG_HOME/aggd/aggd.conf; *explicit is set when $AGGD_CONFIG
 * named it (then a missing file is still not an error). */
char	*paths_config(void);
char	*paths_database(void);
/* The daemon's: $RUNTIME_DIRECTORY, else $XDG_RUNTIME_DIR, else
 * /run/aggd (root) or /tmp/aggd-UID, file aggd.sock. */
char	*paths_socket(void);
/* aggctl's default, which finds the daemon's (see paths.c). */
char	*paths_client_socket(void);
char	*paths_dirname(const char *);
char	*paths_absolute(const char *);
/* mkdir -p with the given mode for the directories created. */
int	 paths_mkdirs(const char *, unsigned int mode);

#endif
