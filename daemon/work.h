/* Work off the loop (work.c). */
#ifndef AGGD_WORK_H
#define AGGD_WORK_H

struct event_base;

typedef void	work_fn(void *);

int	work_init(struct event_base *, char **cause);
int	work_running(void);
void	work_submit(work_fn *run, work_fn *done, void *arg);
void	work_free(void);

#endif
