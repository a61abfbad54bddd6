/*
 * Items over the socket: items, show, read, unread and follow.
 */
#include "aggd.h"
#include "cmd.h"
#include "proto.h"

void
cmd_items(struct client *c, json_t *req UNUSED)
{
	server_client_send(c, proto_error("items is not implemented yet"));
}

void
cmd_show(struct client *c, json_t *req UNUSED)
{
	server_client_send(c, proto_error("show is not implemented yet"));
}

void
cmd_read(struct client *c, json_t *req UNUSED)
{
	server_client_send(c, proto_error("read is not implemented yet"));
}

void
cmd_unread(struct client *c, json_t *req UNUSED)
{
	server_client_send(c, proto_error("unread is not implemented yet"));
}

void
cmd_follow(struct client *c, json_t *req UNUSED)
{
	server_client_send(c, proto_error("follow is not implemented yet"));
}
