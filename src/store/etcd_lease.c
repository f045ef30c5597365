/*
 * etcd_lease.c - leases of etcd's v3 JSON gateway (etcd_client.h): grant,
 * keepalive (one answer of the stream) and revoke.
 */
#include <cjson/cJSON.h>

#include "base/err.h"
#include "store/etcd_client.h"
#include "store/etcd_client_impl.h"


int
etcd_lease_grant(struct etcd *c, long ttl, long long *id, struct err *e)
{
	cJSON *req = cJSON_CreateObject();

	etcd_json_add_int64(req, "TTL", ttl);
	*id = 0;
	if (etcd_call(c, "/v3/lease/grant", req, "ID", id, NULL, e) == -1)
		return -1;
	if (*id == 0) {
		err_set(e, "etcd %s: a lease grant gave no lease",
		    c->endpoints);
		return -1;
	}
	return 0;
}

int
etcd_lease_keepalive(struct etcd *c, long long id, long *ttl, struct err *e)
{
	cJSON *req = cJSON_CreateObject();
	long long left = 0;

	etcd_json_add_int64(req, "ID", id);
	if (etcd_call(c, "/v3/lease/keepalive", req, "TTL", &left, NULL, e)
	    == -1)
		return -1;
	if (left <= 0) {
		err_set(e, "etcd %s: lease %lld has expired", c->endpoints, id);
		return -1;
	}
	if (ttl != NULL)
		*ttl = (long)left;
	return 0;
}

int
etcd_lease_revoke(struct etcd *c, long long id, struct err *e)
{
	cJSON *req = cJSON_CreateObject();

	etcd_json_add_int64(req, "ID", id);
	return etcd_call(c, "/v3/lease/revoke", req, NULL, NULL, NULL, e);
}
