/*
 * order.c - one order as an explicit state machine (see order.h).
 *
 * The algorithm (RFC 8555 7.4, mod_md's "ACMEv2 strategy"):
 *   1. Resume the order of an interrupted run when its URL is known and
 *      the CA still has it for exactly these names and it is not invalid;
 *      else place a new order (newOrder with identifiers, profile and
 *      `replaces`; a refused `replaces` is dropped once and the order sent
 *      again). Report the URL at once so a crash can resume it.
 *   2. Drive it by its status; every answer that carries the order (or
 *      a poll of it) is the next state, no extra read:
 *      pending    -> read each authorization: skip it when already valid;
 *                    else present the answer of its challenge of our
 *                    type, wait until every answer is visible (ready),
 *                    tell the CA to validate (unless the challenge is
 *                    already processing: a resumed order), then poll
 *                    the ORDER, not each authorization (one request for
 *                    all of them), until it leaves pending; remove the
 *                    answers. An invalid order names the authorization
 *                    that failed (read again only then).
 *      ready      -> finalize with a CSR of all hostnames; its answer is
 *                    the order. A finalize the CA refuses because an
 *                    earlier attempt went through (orderNotReady) reads
 *                    the order and goes on from its status.
 *      processing -> poll the order (wait helper, Retry-After).
 *      valid      -> download the certificate chain; split it (a chain
 *                    cut short is fetched again).
 *      invalid    -> fail with the order's error.
 *   3. Every wait goes through the wait helper; the first wait after a
 *      challenge or a finalize is what the CA took earlier in the run
 *      (acme_wait_hint), so the first poll usually finds the step done.
 *      Transient failures are retried inside acme_post() until the
 *      deadline; a bounded number of transitions guards against a CA
 *      that never moves.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "acme/acme.h"
#include "acme/ari.h"
#include "acme/key.h"
#include "acme/order.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/time.h"
#include "chall/chall.h"

const char *const order_stage_names[ORDER_STAGE__MAX] = {
	"order", "authorization", "finalize", "download",
};

#define ORDER_MAX_STEPS		64
#define ORDER_WAIT_DEFAULT_MS	120000

void
order_result_clear(struct order_result *r)
{
	FREE_ALL(r->cert, r->chain, r->order_url, r->problem_type);
	memset(r, 0, sizeof(*r));
	r->retry_after = -1;
}

struct ord {
	struct acme		*a;
	const struct order_req	*req;
	struct order_result	*res;
	cJSON			*o;	/* the order object as last read */
	long			 place_status;	/* HTTP status of newOrder */
	long long		 finalized_ms;	/* when finalize was accepted */
	long long		 timeout;
};

static const char *
jstr(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The order failed with res: its problem type (NULL: none) and the
   CA's Retry-After (-1: none) go to the result. Returns res. */
static enum acme_result
fail(struct ord *od, enum acme_result res, const char *type,
    long long retry_after)
{
	free(od->res->problem_type);
	od->res->problem_type = type != NULL ? xstrdup(type) : NULL;
	od->res->retry_after = retry_after;
	return res;
}

/* A signed request of the order; a failure takes the problem type and
   Retry-After of the CA's answer. */
static enum acme_result
post(struct ord *od, const char *url, const cJSON *payload,
    struct http_resp *r, struct err *e)
{
	enum acme_result rc;
	char *type;

	if ((rc = acme_post(od->a, url, payload, ACME_SIGN_KID, r, e)) ==
	    ACME_OK)
		return ACME_OK;
	type = acme_answer_type(r);
	fail(od, rc, type, http_retry_after(r, now_wall()));
	free(type);
	return rc;
}

/* POST-as-GET url and parse the JSON object answer into *out. */
static enum acme_result
fetch(struct ord *od, const char *url, struct http_resp *r, cJSON **out,
    struct err *e)
{
	enum acme_result rc;
	cJSON *o;

	*out = NULL;
	if ((rc = post(od, url, NULL, r, e)) != ACME_OK)
		return rc;
	o = cJSON_ParseWithLength(r->body, r->len);
	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		err_set(e, "%s: not a JSON object", url);
		return fail(od, ACME_PROTOCOL, NULL, -1);
	}
	*out = o;
	return ACME_OK;
}

/* Reads the order again; *retry_after (when not NULL) gets the answer's
   Retry-After (-1: none). */
static enum acme_result
reload_order_ra(struct ord *od, long long *retry_after, struct err *e)
{
	struct http_resp r;
	enum acme_result rc;
	cJSON *o;

	http_resp_init(&r);
	rc = fetch(od, od->res->order_url, &r, &o, e);
	if (retry_after != NULL)
		*retry_after = http_retry_after(&r, now_wall());
	http_resp_clear(&r);
	if (rc != ACME_OK)
		return rc;
	cJSON_Delete(od->o);
	od->o = o;
	return ACME_OK;
}

static enum acme_result
reload_order(struct ord *od, struct err *e)
{
	return reload_order_ra(od, NULL, e);
}

/* The order's identifiers are exactly the certificate's hostnames. */
static int
order_names_match(const cJSON *o, const struct order_req *req)
{
	const cJSON *ids = cJSON_GetObjectItemCaseSensitive(o, "identifiers");
	const cJSON *id;
	size_t n = 0;

	cJSON_ArrayForEach(id, ids) {
		const char *v = jstr(id, "value");
		int found = 0;

		if (v == NULL)
			return 0;
		for (size_t i = 0; i < req->nhostnames; i++)
			if (strcasecmp(v, req->hostnames[i]) == 0)
				found = 1;
		if (!found)
			return 0;
		n++;
	}
	return n == req->nhostnames;
}

static int
try_resume(struct ord *od)
{
	struct err e2;
	const char *st;

	od->res->order_url = xstrdup(od->req->resume_url);
	if (reload_order(od, &e2) == ACME_OK &&
	    order_names_match(od->o, od->req) &&
	    (st = jstr(od->o, "status")) != NULL &&
	    strcmp(st, "invalid") != 0) {
		od->res->resumed = 1;
		if (od->req->log != NULL)
			log_cert(od->req->log, LOG_INFO, od->req->name,
			    "resuming order %s (%s)", od->res->order_url, st);
		return 1;
	}
	if (od->req->log != NULL)
		log_cert(od->req->log, LOG_DEBUG, od->req->name,
		    "not resuming %s: %s", od->res->order_url,
		    od->o == NULL ? e2.msg : "changed or invalid");
	free(od->res->order_url);
	od->res->order_url = NULL;
	cJSON_Delete(od->o);
	od->o = NULL;
	return 0;
}

static enum acme_result
place(struct ord *od, const char *replaces, struct err *e)
{
	const struct acme_dir *d;
	const struct order_req *req = od->req;
	cJSON *p = cJSON_CreateObject(), *ids = cJSON_CreateArray();
	struct http_resp r;
	enum acme_result rc;

	http_resp_init(&r);
	cJSON_AddItemToObject(p, "identifiers", ids);
	for (size_t i = 0; i < req->nhostnames; i++) {
		cJSON *id = cJSON_CreateObject();

		cJSON_AddStringToObject(id, "type", "dns");
		cJSON_AddStringToObject(id, "value", req->hostnames[i]);
		cJSON_AddItemToArray(ids, id);
	}
	if (req->profile != NULL)
		cJSON_AddStringToObject(p, "profile", req->profile);
	if (replaces != NULL)
		cJSON_AddStringToObject(p, "replaces", replaces);
	if ((rc = acme_directory(od->a, &d, e)) != ACME_OK) {
		fail(od, rc, NULL, -1);
		goto out;
	}
	if ((rc = post(od, d->new_order, p, &r, e)) != ACME_OK)
		goto out;
	if (r.location == NULL) {
		err_set(e, "%s: no Location for the new order", d->new_order);
		rc = fail(od, ACME_PROTOCOL, NULL, -1);
		goto out;
	}
	od->res->order_url = xstrdup(r.location);
	if (req->on_order != NULL)
		req->on_order(req->arg, r.location);
	od->o = cJSON_ParseWithLength(r.body, r.len);
	if (!cJSON_IsObject(od->o)) {
		/* The answer was cut, but the order exists: read it rather
		   than open a second one. */
		cJSON_Delete(od->o);
		od->o = NULL;
		rc = reload_order(od, e);
	}
out:
	od->place_status = r.status;	/* for the `replaces` decision */
	cJSON_Delete(p);
	http_resp_clear(&r);
	return rc;
}

static enum acme_result
place_order(struct ord *od, struct err *e)
{
	enum acme_result rc;

	if ((rc = place(od, od->req->replaces, e)) == ACME_OK)
		return ACME_OK;
	if (od->req->replaces == NULL ||
	    !ari_replaces_refused(od->place_status, od->res->problem_type))
		return rc;
	if (od->req->log != NULL)
		log_cert(od->req->log, LOG_WARN, od->req->name,
		    "the CA refused replaces=%s (%s); ordering without it",
		    od->req->replaces, e->msg);
	cJSON_Delete(od->o);
	od->o = NULL;
	return place(od, NULL, e);
}

/* One authorization being answered. */
struct az {
	char		*url;
	char		*chall_url;
	char		*ident;
	char		*token;
	char		*key_authz;
	char		*dns_value;
	struct chall_item item;
	int		 presented;
	int		 done;
};

static void
az_clear(struct az *z)
{
	FREE_ALL(z->url, z->chall_url, z->ident, z->token, z->key_authz,
	    z->dns_value);
}

/* The error of an invalid authorization: its challenge's error. */
static enum acme_result
authz_error(struct ord *od, const cJSON *az, const char *ident,
    struct err *e)
{
	const cJSON *chs = cJSON_GetObjectItemCaseSensitive(az, "challenges");
	const cJSON *ch;
	const char *type = NULL;
	enum acme_result c;
	int validation = 0;
	struct buf b;

	buf_init(&b);
	cJSON_ArrayForEach(ch, chs) {
		const cJSON *er = cJSON_GetObjectItemCaseSensitive(ch, "error");

		if (cJSON_IsObject(er)) {
			acme_problem_text(er, &b, &type);
			break;
		}
	}
	if (b.data == NULL)
		buf_puts(&b, "authorization invalid, no error given");
	c = acme_problem_class(type, &validation);
	if (validation || type == NULL)
		od->res->validation_failed = 1;
	err_set(e, "%s: validation failed: %s", ident, b.data);
	fail(od, c, type, -1);
	buf_clear(&b);
	return c;
}

/* The status of our challenge in an authorization, or NULL. */
static const char *
chall_status(const cJSON *az, const char *ctype)
{
	const cJSON *ch;

	cJSON_ArrayForEach(ch, cJSON_GetObjectItemCaseSensitive(az,
	    "challenges")) {
		const char *t = jstr(ch, "type");

		if (t != NULL && strcmp(t, ctype) == 0)
			return jstr(ch, "status");
	}
	return NULL;
}

static enum acme_result order_error(struct ord *od, struct err *e);
static enum acme_result finalize(struct ord *od, int *not_ready,
	    struct err *e);

/* An invalid order after validation: the error of the authorization
   that failed (each is read until one is invalid). */
static enum acme_result
authz_find_error(struct ord *od, struct az *zs, size_t nz, struct err *e)
{
	struct http_resp r;
	enum acme_result rc;

	http_resp_init(&r);
	for (size_t i = 0; i < nz; i++) {
		cJSON *az;
		const char *st;

		fetch(od, zs[i].url, &r, &az, e);
		st = az != NULL ? jstr(az, "status") : NULL;
		if (st != NULL && strcmp(st, "invalid") == 0) {
			rc = authz_error(od, az, zs[i].ident, e);
			cJSON_Delete(az);
			http_resp_clear(&r);
			return rc;
		}
		cJSON_Delete(az);
	}
	http_resp_clear(&r);
	return order_error(od, e);
}

/*
 * The pending order's authorizations: answer each pending one, then poll
 * the order until it leaves pending. On success od->o is the order as
 * last read (ready, processing or valid).
 */
static enum acme_result
do_authorizations(struct ord *od, struct err *e)
{
	const cJSON *urls = cJSON_GetObjectItemCaseSensitive(od->o,
	    "authorizations");
	const char *ctype = od->req->chall_type;
	const struct chall_ops *ops = NULL;
	void *ctx = NULL;
	struct az *zs = NULL;
	size_t nz = 0, nposted = 0;
	const cJSON *u;
	struct http_resp r;
	struct acme_wait w;
	char *thumb = NULL;
	long long t0;
	enum acme_result rc = ACME_PROTOCOL;
	int first = 1;

	http_resp_init(&r);
	od->res->stage = ORDER_STAGE_AUTHZ;
	if ((thumb = key_thumbprint(acme_key(od->a), e)) == NULL) {
		rc = fail(od, ACME_PROTOCOL, NULL, -1);
		goto out;
	}
	zs = xcalloc((size_t)cJSON_GetArraySize(urls) + 1, sizeof(*zs));
	/* Read each authorization; collect the ones still pending. */
	cJSON_ArrayForEach(u, urls) {
		cJSON *az;
		const char *st, *idv, *cst;
		const cJSON *id, *chs, *ch;

		if (!cJSON_IsString(u))
			continue;
		if ((rc = fetch(od, u->valuestring, &r, &az, e)) != ACME_OK)
			goto out;
		st = jstr(az, "status");
		id = cJSON_GetObjectItemCaseSensitive(az, "identifier");
		idv = jstr(id, "value");
		if (st != NULL && strcmp(st, "valid") == 0) {
			cJSON_Delete(az);
			continue;
		}
		if (st == NULL || strcmp(st, "pending") != 0) {
			if (st != NULL && strcmp(st, "invalid") == 0)
				rc = authz_error(od, az, idv ? idv : "?", e);
			else {
				err_set(e, "%s: authorization is %s",
				    idv ? idv : u->valuestring,
				    st ? st : "without status");
				rc = fail(od, ACME_PROTOCOL, NULL, -1);
			}
			cJSON_Delete(az);
			goto out;
		}
		struct az *z = &zs[nz];
		chs = cJSON_GetObjectItemCaseSensitive(az, "challenges");
		cJSON_ArrayForEach(ch, chs) {
			const char *t = jstr(ch, "type");

			if (t != NULL && strcmp(t, ctype) == 0 &&
			    jstr(ch, "url") != NULL &&
			    jstr(ch, "token") != NULL) {
				z->chall_url = xstrdup(jstr(ch, "url"));
				z->token = xstrdup(jstr(ch, "token"));
				break;
			}
		}
		/* Already being validated (an order resumed after a lost
		   answer): present the answer again, do not post. */
		cst = chall_status(az, ctype);
		z->done = cst != NULL && strcmp(cst, "pending") != 0;
		z->ident = xstrdup(idv != NULL ? idv : "?");
		z->url = xstrdup(u->valuestring);
		cJSON *wc = cJSON_GetObjectItemCaseSensitive(az, "wildcard");
		z->item.wildcard = cJSON_IsTrue(wc);
		cJSON_Delete(az);
		nz++;
		if (z->chall_url == NULL) {
			err_set(e, "%s: the CA offers no %s challenge",
			    z->ident, ctype);
			rc = fail(od, ACME_BAD_INPUT, NULL, -1);
			goto out;
		}
		z->key_authz = chall_key_authz(z->token, thumb);
		z->dns_value = chall_dns01_value(z->key_authz);
		z->item.identifier = z->ident;
		z->item.token = z->token;
		z->item.key_authz = z->key_authz;
		z->item.dns_value = z->dns_value;
		z->item.cert_name = od->req->name;
	}
	if (nz == 0) {
		/* Every authorization is valid: the order moved on. */
		rc = reload_order(od, e);
		goto out;
	}
	if (od->req->chall_get(od->req->chall_arg, &ops, &ctx, e) == -1) {
		rc = fail(od, ACME_BAD_INPUT, NULL, -1);
		goto out;
	}
	for (size_t i = 0; i < nz; i++) {
		if (ops->present(ctx, &zs[i].item, e) == -1) {
			rc = fail(od, ACME_BAD_INPUT, NULL, -1);
			goto out;
		}
		zs[i].presented = 1;
	}
	if (ops->ready != NULL) {
		struct chall_item **items = xcalloc(nz, sizeof(*items));
		int rr;

		for (size_t i = 0; i < nz; i++)
			items[i] = &zs[i].item;
		rr = ops->ready(ctx, items, nz, e);
		free(items);
		if (rr == -1) {
			rc = fail(od, ACME_BAD_INPUT, NULL, -1);
			goto out;
		}
	}
	/* Tell the CA to validate: POST {} to each challenge. */
	t0 = mono_ms();
	for (size_t i = 0; i < nz; i++) {
		cJSON *empty, *ch;
		const char *cst;
		enum acme_result pr;

		if (zs[i].done)
			continue;
		empty = cJSON_CreateObject();
		pr = post(od, zs[i].chall_url, empty, &r, e);
		cJSON_Delete(empty);
		if (pr != ACME_OK) {
			struct err e2;
			cJSON *az = NULL;

			/* A retried post whose first attempt went through
			   is refused (the challenge is no longer pending):
			   look at the authorization before failing. */
			if (pr == ACME_NETWORK || pr == ACME_RETRYABLE ||
			    acme_post(od->a, zs[i].url, NULL, ACME_SIGN_KID,
			    &r, &e2) != ACME_OK ||
			    (az = cJSON_ParseWithLength(r.body, r.len)) ==
			    NULL || (cst = chall_status(az, ctype)) == NULL ||
			    strcmp(cst, "pending") == 0) {
				cJSON_Delete(az);
				err_prefix(e, "%s: starting %s validation",
				    zs[i].ident, ctype);
				rc = pr;
				goto out;
			}
			cJSON_Delete(az);
			nposted++;
			continue;
		}
		nposted++;
		/* The answer is the challenge: a CA that validated at once
		   says so here. */
		ch = cJSON_ParseWithLength(r.body, r.len);
		cst = jstr(ch, "status");
		if (cst != NULL && strcmp(cst, "valid") == 0)
			zs[i].done = 1;
		cJSON_Delete(ch);
	}
	/*
	 * Wait what the CA took earlier in the run, then finalize at once:
	 * when validation is done (the usual case with a learnt wait) this
	 * saves reading the order; when not, the CA answers orderNotReady
	 * and the order, read again, is polled until it leaves pending. The
	 * answers stay presented until then.
	 */
	int speculate = nposted > 0 && jstr(od->o, "finalize") != NULL;
	acme_wait_init_first(&w, od->timeout,
	    acme_wait_hint(od->a, ACME_HINT_VALIDATION));
	for (;;) {
		const char *st;

		if (acme_wait_next(&w, http_retry_after(&r, now_wall())) ==
		    -1) {
			err_set(e, "%s: still pending after %llds",
			    zs[0].ident, od->timeout / 1000);
			rc = fail(od, ACME_RETRYABLE, NULL, -1);
			goto out;
		}
		if (speculate) {
			int not_ready = 0;

			speculate = 0;
			if ((rc = finalize(od, &not_ready, e)) != ACME_OK)
				goto out;
			if (!not_ready)
				od->finalized_ms = mono_ms();
			od->res->stage = !not_ready ? ORDER_STAGE_FINALIZE :
			    ORDER_STAGE_AUTHZ;
		} else {
			cJSON *o;

			if ((rc = fetch(od, od->res->order_url, &r, &o, e)) !=
			    ACME_OK)
				goto out;
			cJSON_Delete(od->o);
			od->o = o;
		}
		st = jstr(od->o, "status");
		if (st != NULL && strcmp(st, "pending") == 0) {
			first = 0;
			continue;
		}
		if (nposted > 0)
			acme_wait_learn(od->a, ACME_HINT_VALIDATION,
			    mono_ms() - t0, first);
		if (st != NULL && strcmp(st, "invalid") == 0) {
			rc = authz_find_error(od, zs, nz, e);
			goto out;
		}
		break;
	}
	rc = ACME_OK;
out:
	for (size_t i = 0; i < nz; i++) {
		if (zs[i].presented)
			ops->cleanup(ctx, &zs[i].item);
		az_clear(&zs[i]);
	}
	free(zs);
	free(thumb);
	http_resp_clear(&r);
	return rc;
}

/*
 * Finalizes with a CSR. Returns ACME_OK with od->o the order the CA
 * answered (processing or valid); ACME_OK with *not_ready set when the
 * CA refused because the order is not ready (orderNotReady: still
 * pending, or an earlier finalize whose answer was lost went through):
 * od->o is then the order read again and e the refusal; else the
 * failure.
 */
static enum acme_result
finalize(struct ord *od, int *not_ready, struct err *e)
{
	const char *url = jstr(od->o, "finalize");
	cJSON *p = NULL, *o = NULL;
	char *csr = NULL;
	struct http_resp r;
	enum acme_result rc;

	*not_ready = 0;
	http_resp_init(&r);
	od->res->stage = ORDER_STAGE_FINALIZE;
	if (url == NULL) {
		err_set(e, "%s: order without finalize URL",
		    od->res->order_url);
		rc = fail(od, ACME_PROTOCOL, NULL, -1);
		goto out;
	}
	if ((csr = key_csr_b64url(od->req->key, od->req->hostnames,
	    e)) == NULL) {
		rc = fail(od, ACME_PROTOCOL, NULL, -1);
		goto out;
	}
	p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "csr", csr);
	if ((rc = post(od, url, p, &r, e)) != ACME_OK) {
		const char *t = acme_problem_short(od->res->problem_type);
		struct err e2;
		char *type;

		if (t == NULL || strcmp(t, "orderNotReady") != 0)
			goto out;
		type = xstrdup(od->res->problem_type);
		if (reload_order(od, &e2) == ACME_OK) {
			*not_ready = 1;
			rc = ACME_OK;
		} else
			fail(od, rc, type, -1);	/* the refusal, not the read */
		free(type);
		goto out;
	}
	o = cJSON_ParseWithLength(r.body, r.len);
	if (cJSON_IsObject(o)) {
		cJSON_Delete(od->o);
		od->o = o;
		o = NULL;
	} else
		rc = reload_order(od, e);
out:
	cJSON_Delete(o);
	cJSON_Delete(p);
	free(csr);
	http_resp_clear(&r);
	return rc;
}

int
order_split_chain(const char *pem, size_t len, char **leaf, char **chain,
    struct err *e)
{
	static const char begin[] = "-----BEGIN CERTIFICATE-----";
	static const char end[] = "-----END CERTIFICATE-----";
	struct buf l, c;
	const char *p = pem, *lim = pem + len;
	int n = 0;

	buf_init(&l);
	buf_init(&c);
	for (;;) {
		const char *b = memmem(p, (size_t)(lim - p), begin,
		    sizeof(begin) - 1);
		const char *x;

		if (b == NULL)
			break;
		x = memmem(b, (size_t)(lim - b), end, sizeof(end) - 1);
		if (x == NULL)
			break;
		x += sizeof(end) - 1;
		struct buf *to = n == 0 ? &l : &c;
		buf_append(to, b, (size_t)(x - b));
		buf_puts(to, "\n");
		n++;
		p = x;
	}
	if (n == 0) {
		buf_clear(&l);
		buf_clear(&c);
		err_set(e, "the certificate download holds no PEM certificate");
		return -1;
	}
	*leaf = buf_steal(&l);
	*chain = c.data != NULL ? buf_steal(&c) : xstrdup("");
	return 0;
}

/* A PEM chain that ends with a complete certificate (not cut short). */
static int
chain_complete(const char *pem, size_t len)
{
	static const char end[] = "-----END CERTIFICATE-----";
	size_t el = sizeof(end) - 1;

	while (len > 0 && (pem[len - 1] == '\n' || pem[len - 1] == '\r' ||
	    pem[len - 1] == ' ' || pem[len - 1] == '\t'))
		len--;
	return len >= el && memcmp(pem + len - el, end, el) == 0;
}

static enum acme_result
download(struct ord *od, struct err *e)
{
	const char *url = jstr(od->o, "certificate");
	struct http_resp r;
	enum acme_result rc;

	http_resp_init(&r);
	od->res->stage = ORDER_STAGE_DOWNLOAD;
	if (url == NULL) {
		err_set(e, "%s: valid order without certificate URL",
		    od->res->order_url);
		rc = fail(od, ACME_PROTOCOL, NULL, -1);
		goto out;
	}
	for (int attempt = 0;; attempt++) {
		if ((rc = post(od, url, NULL, &r, e)) != ACME_OK)
			goto out;
		if (chain_complete(r.body, r.len))
			break;
		err_set(e, "%s: the certificate chain is cut short", url);
		rc = fail(od, ACME_RETRYABLE, NULL, -1);
		if (acme_retry_wait(od->a, rc, -1, attempt, url) == -1)
			goto out;
	}
	if (order_split_chain(r.body, r.len, &od->res->cert, &od->res->chain,
	    e) == -1) {
		err_prefix(e, "%s", url);
		rc = fail(od, ACME_PROTOCOL, NULL, -1);
		goto out;
	}
	rc = ACME_OK;
out:
	http_resp_clear(&r);
	return rc;
}

static enum acme_result
order_error(struct ord *od, struct err *e)
{
	const cJSON *er = cJSON_GetObjectItemCaseSensitive(od->o, "error");
	const char *type = NULL;
	enum acme_result rc;
	struct buf b;

	buf_init(&b);
	if (cJSON_IsObject(er))
		acme_problem_text(er, &b, &type);
	else
		buf_puts(&b, "no error given");
	rc = fail(od, acme_problem_class(type, NULL), type, -1);
	err_set(e, "order %s is invalid: %s", od->res->order_url, b.data);
	buf_clear(&b);
	return rc;
}

enum acme_result
order_run(struct acme *a, const struct order_req *req,
    struct order_result *res, struct err *e)
{
	struct ord od = { .a = a, .req = req, .res = res, .o = NULL };
	struct acme_wait w;
	long start = acme_requests(a);
	long long retry_after = -1;
	enum acme_result rc;
	int waiting = 0;

	memset(res, 0, sizeof(*res));
	res->retry_after = -1;
	od.timeout = req->timeout_ms > 0 ? req->timeout_ms :
	    ORDER_WAIT_DEFAULT_MS;
	res->stage = ORDER_STAGE_ORDER;
	/* 1. Resume or place. */
	if (req->resume_url == NULL || !try_resume(&od)) {
		if ((rc = place_order(&od, e)) != ACME_OK)
			goto out;
	}
	/* 2. Drive by status. */
	for (int step = 0; step < ORDER_MAX_STEPS; step++) {
		const char *st = jstr(od.o, "status");

		if (st == NULL) {
			err_set(e, "%s: order without status", res->order_url);
			rc = fail(&od, ACME_PROTOCOL, NULL, -1);
			goto out;
		}
		if (strcmp(st, "pending") == 0) {
			/* Leaves od.o as the order last polled. */
			if ((rc = do_authorizations(&od, e)) != ACME_OK)
				goto out;
			continue;
		} else if (strcmp(st, "ready") == 0) {
			int not_ready;

			if ((rc = finalize(&od, &not_ready, e)) != ACME_OK)
				goto out;
			st = jstr(od.o, "status");
			/* Refused: only an earlier finalize that went through
			   (its answer lost) lets the order go on. */
			if (not_ready && (st == NULL ||
			    (strcmp(st, "processing") != 0 &&
			    strcmp(st, "valid") != 0))) {
				rc = ACME_PROTOCOL;
				goto out;
			}
			od.finalized_ms = mono_ms();
			continue;	/* the answer is the updated order */
		} else if (strcmp(st, "processing") == 0) {
			if (!waiting) {
				acme_wait_init_first(&w, od.timeout,
				    acme_wait_hint(a, ACME_HINT_ISSUANCE));
				waiting = 1;
			}
			if (acme_wait_next(&w, retry_after) == -1) {
				err_set(e, "%s: still processing after %llds",
				    res->order_url, od.timeout / 1000);
				rc = fail(&od, ACME_RETRYABLE, NULL, -1);
				goto out;
			}
		} else if (strcmp(st, "valid") == 0) {
			if (waiting && od.finalized_ms > 0)
				acme_wait_learn(a, ACME_HINT_ISSUANCE,
				    mono_ms() - od.finalized_ms, w.polls == 1);
			rc = download(&od, e);
			goto out;
		} else if (strcmp(st, "invalid") == 0) {
			rc = order_error(&od, e);
			goto out;
		} else {
			err_set(e, "%s: unknown order status", res->order_url);
			rc = fail(&od, ACME_PROTOCOL, NULL, -1);
			goto out;
		}
		if ((rc = reload_order_ra(&od, &retry_after, e)) != ACME_OK)
			goto out;
	}
	err_set(e, "%s: the order did not complete in %d steps",
	    res->order_url, ORDER_MAX_STEPS);
	rc = fail(&od, ACME_PROTOCOL, NULL, -1);
out:
	res->requests = acme_requests(a) - start;
	if (rc != ACME_OK && res->stage != ORDER_STAGE_AUTHZ)
		err_prefix(e, "%s", order_stage_names[res->stage]);
	if (rc == ACME_OK)
		fail(&od, ACME_OK, NULL, -1);
	cJSON_Delete(od.o);
	return rc;
}
