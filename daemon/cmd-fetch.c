/*
 * refresh over the socket.
 */
#include "aggd.h"
#include "cmd.h"
#include "proto.h"

void
cmd_refresh(struct client *c, json_t *req UNUSED)
{
	server_client_send(c, proto_error("refresh is not implemented yet"));
}
