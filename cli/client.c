/*
 * aggctl's side of the control socket: a plain blocking client.  Connect,
 * exchange hellos, send one request, read frames up to the terminal one
 * (OpenSMTPD's smtpctl.c).
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aggctl.h"
#include "buf.h"
#include "log.h"
#include "paths.h"
#include "proto.h"
#include "xmalloc.h"

static int		 client_fd = -1;
static struct buf	 client_in;
static char		*client_path;

void
client_set_socket(const char *path)
{
	free(client_path);
	client_path = path != NULL ? xstrdup(path) : NULL;
}

const char *
client_socket(void)
{
	const char	*e;

	if (client_path == NULL) {
		if ((e = getenv("AGGD_SOCKET")) != NULL && *e != '\0')
			client_path = xstrdup(e);
		else
			client_path = paths_socket();
	}
	return (client_path);
}

static void
client_connect(void)
{
	struct sockaddr_un	 sun;
	const char		*path = client_socket();
	json_t			*hello;
	char			*cause = NULL;
	int			 rc;

	if (strlen(path) >= sizeof sun.sun_path)
		die("socket path too long: %s", path);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path));
	if ((client_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		die("socket: %s", log_strerror(errno));
	if (connect(client_fd, (struct sockaddr *)&sun, sizeof sun) == -1)
		die("no daemon at %s: %s", path, log_strerror(errno));
	buf_init(&client_in);
	hello = proto_hello("aggctl");
	if (proto_write(client_fd, hello) == -1)
		die("%s: %s", path, log_strerror(errno));
	json_decref(hello);
	rc = proto_read(client_fd, &client_in, &hello, &cause);
	if (rc == 0)
		die("%s: daemon closed the connection", path);
	if (rc == -1)
		die("%s: %s", path, cause);
	if (json_is_string(json_object_get(hello, "error")))
		die("%s", json_string_value(json_object_get(hello, "error")));
	if (proto_check_hello(hello, "aggctl", &cause) != 0)
		die("%s", cause);
	json_decref(hello);
}

/* Send a request (steals it). */
void
client_send(json_t *req)
{
	if (client_fd == -1)
		client_connect();
	if (proto_write(client_fd, req) == -1)
		die("%s: %s", client_socket(), log_strerror(errno));
	json_decref(req);
}

/*
 * Read the next frame.  An error frame dies with its message; the caller
 * owns the frame.
 */
json_t *
client_recv(void)
{
	json_t		*j;
	char		*cause = NULL;
	const char	*type, *err;
	int		 rc;

	rc = proto_read(client_fd, &client_in, &j, &cause);
	if (rc == 0)
		die("%s: daemon closed the connection", client_socket());
	if (rc == -1)
		die("%s: %s", client_socket(), cause);
	type = json_string_value(json_object_get(j, "type"));
	if (type != NULL && strcmp(type, "error") == 0) {
		err = json_string_value(json_object_get(j, "error"));
		die("%s", err != NULL ? err : "unknown error");
	}
	return (j);
}

/*
 * The next row of a list reply: the row frame (the caller frees it; the
 * row is its "data"), or NULL once the end frame has come.
 */
json_t *
client_next_row(void)
{
	json_t		*j;
	const char	*type;

	j = client_recv();
	type = json_string_value(json_object_get(j, "type"));
	if (type == NULL || strcmp(type, "row") != 0) {
		json_decref(j);
		return (NULL);
	}
	return (j);
}

/* Send a request and return its ok frame's data (new reference). */
json_t *
client_call(json_t *req, json_t **frame)
{
	json_t		*j, *data;
	const char	*type;

	client_send(req);
	for (;;) {
		j = client_recv();
		type = json_string_value(json_object_get(j, "type"));
		if (type != NULL && strcmp(type, "ok") == 0)
			break;
		json_decref(j);
	}
	data = json_object_get(j, "data");
	json_incref(data);
	if (frame != NULL)
		*frame = j;
	else
		json_decref(j);
	return (data);
}

void
client_close(void)
{
	if (client_fd != -1)
		close(client_fd);
	client_fd = -1;
	buf_release(&client_in);
}
