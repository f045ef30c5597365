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
	cJSON *req, *ans = NULL;
	int rc = -1;

	req = cJSON_CreateObject();
	etcd_json_add_int64(req, "TTL", ttl);
	if (etcd_post(c, "/v3/lease/grant", req, &ans, e) != 0)
		goto out;
	if ((*id = etcd_json_int64(ans, "ID")) == 0) {
		err_set(e, "etcd %s: a lease grant gave no lease",
		    c->endpoints);
		goto out;
	}
	rc = 0;
out:
	cJSON_Delete(req);
	cJSON_Delete(ans);
	return rc;
}

int
etcd_lease_keepalive(struct etcd *c, long long id, long *ttl, struct err *e)
{
	cJSON *req, *ans = NULL, *res;
	long long left;
	int rc = -1;

	req = cJSON_CreateObject();
	etcd_json_add_int64(req, "ID", id);
	if (etcd_post(c, "/v3/lease/keepalive", req, &ans, e) != 0)
		goto out;
	/* A stream of one answer: {"result": {...}}. */
	res = cJSON_GetObjectItemCaseSensitive(ans, "result");
	left = etcd_json_int64(res != NULL ? res : ans, "TTL");
	if (left <= 0) {
		err_set(e, "etcd %s: lease %lld has expired", c->endpoints, id);
		goto out;
	}
	if (ttl != NULL)
		*ttl = (long)left;
	rc = 0;
out:
	cJSON_Delete(req);
	cJSON_Delete(ans);
	return rc;
}

int
etcd_lease_revoke(struct etcd *c, long long id, struct err *e)
{
	cJSON *req, *ans = NULL;
	int rc;

	req = cJSON_CreateObject();
	etcd_json_add_int64(req, "ID", id);
	rc = etcd_post(c, "/v3/lease/revoke", req, &ans, e) == 0 ? 0 : -1;
	cJSON_Delete(req);
	cJSON_Delete(ans);
	return rc;
}
