#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "acme/cabundle.h"
#include "base/err.h"
#include "base/mem.h"
#include "base/secret.h"
#include "base/str.h"
#include "deploy/mail.h"

#define MAIL_AUTH_MAX	4096

char *
mail_url_parse(const char *url, enum mail_tls *tls, struct err *e)
{
	static const char *const pfx_starttls = "smtp+starttls://";

	if (url == NULL) {
		err_set(e, "notify.smtp: missing");
		return NULL;
	}
	if (strncasecmp(url, pfx_starttls, strlen(pfx_starttls)) == 0) {
		*tls = MAIL_TLS_STARTTLS;
		/* libcurl knows only smtp:// and smtps://. */
		return xasprintf("smtp://%s", url + strlen(pfx_starttls));
	}
	if (strncasecmp(url, "smtps://", 8) == 0) {
		*tls = MAIL_TLS_IMPLICIT;
		return xstrdup(url);
	}
	if (strncasecmp(url, "smtp://", 7) == 0) {
		*tls = MAIL_TLS_TRY;
		return xstrdup(url);
	}
	err_set(e, "notify.smtp %s: the scheme must be smtp://, "
	    "smtp+starttls:// or smtps://", url);
	return NULL;
}

int
mail_auth_read(const char *path, char **user, char **pass, struct err *e)
{
	char *data = NULL, *nl, *p2, *end;
	size_t len = 0;
	int rc = -1;

	*user = *pass = NULL;
	if ((data = secret_read_file("notify.auth_file", path, MAIL_AUTH_MAX,
	    &len, e)) == NULL)
		goto out;
	if ((nl = strchr(data, '\n')) == NULL) {
		err_set(e, "notify.auth_file %s: want the user on line 1 and "
		    "the password on line 2", path);
		goto out;
	}
	*nl = '\0';
	p2 = nl + 1;
	if ((end = strchr(p2, '\n')) != NULL)
		*end = '\0';
	/* Files written on Windows. */
	if (nl > data && nl[-1] == '\r')
		nl[-1] = '\0';
	if (*p2 != '\0' && p2[strlen(p2) - 1] == '\r')
		p2[strlen(p2) - 1] = '\0';
	if (*data == '\0' || *p2 == '\0') {
		err_set(e, "notify.auth_file %s: empty user or password", path);
		goto out;
	}
	*user = xstrdup(data);
	*pass = xstrdup(p2);
	rc = 0;
out:
	secret_free(data, len);
	return rc;
}

/* The upload cursor of one message. */
struct mail_reader {
	const char	*p;
	size_t		 left;
};

static size_t
mail_read_cb(char *dst, size_t size, size_t nmemb, void *arg)
{
	struct mail_reader *r = arg;
	size_t n = size * nmemb;

	if (n > r->left)
		n = r->left;
	memcpy(dst, r->p, n);
	r->p += n;
	r->left -= n;
	return n;
}

int
mail_send(const struct mail_server *srv, const char *from,
    char *const *rcpts, const char *msg, size_t len, struct err *e)
{
	CURL *c = NULL;
	struct curl_slist *rl = NULL;
	struct mail_reader rd;
	enum mail_tls tls;
	char *url = NULL, *ca = NULL, *user = NULL, *pass = NULL;
	char *mfrom = NULL, *rc_addr, errbuf[CURL_ERROR_SIZE], *p;
	char host[256];
	CURLcode cc;
	long code = 0, timeout;
	size_t i;
	int rc = -1;

	if ((url = mail_url_parse(srv->url, &tls, e)) == NULL)
		goto out;
	/* libcurl says EHLO with the URL's path, else "localhost", which
	   some servers refuse: this machine's name instead. */
	p = strstr(url, "://") + 3;
	if (strchr(p, '/') == NULL && gethostname(host, sizeof(host)) == 0 &&
	    host[0] != '\0') {
		host[sizeof(host) - 1] = '\0';
		p = url;
		url = xasprintf("%s/%s", p, host);
		free(p);
	}
	if (rcpts == NULL || rcpts[0] == NULL) {
		err_set(e, "SMTP %s: no recipients", srv->url);
		goto out;
	}
	if (srv->ca_file != NULL)
		ca = xstrdup(srv->ca_file);
	else if ((ca = cabundle_path(NULL, NULL, e)) == NULL)
		goto out;
	if (srv->auth_file != NULL && tls == MAIL_TLS_TRY) {
		/* Opportunistic STARTTLS can be stripped on the way. */
		err_set(e, "SMTP %s: AUTH would send the password in clear "
		    "(STARTTLS only when offered): use smtp+starttls:// or "
		    "smtps://", srv->url);
		goto out;
	}
	if (srv->auth_file != NULL &&
	    mail_auth_read(srv->auth_file, &user, &pass, e) != 0)
		goto out;
	if ((c = curl_easy_init()) == NULL) {
		err_set(e, "SMTP %s: cannot initialise libcurl", srv->url);
		goto out;
	}
	for (i = 0; rcpts[i] != NULL; i++) {
		rc_addr = xasprintf("<%s>", rcpts[i]);
		rl = curl_slist_append(rl, rc_addr);
		free(rc_addr);
	}
	mfrom = xasprintf("<%s>", from);
	rd.p = msg;
	rd.left = len;
	timeout = srv->timeout_ms > 0 ? srv->timeout_ms : 60000;
	errbuf[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, mfrom);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rl);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, mail_read_cb);
	curl_easy_setopt(c, CURLOPT_READDATA, &rd);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(c, CURLOPT_USE_SSL, tls == MAIL_TLS_TRY ?
	    (long)CURLUSESSL_TRY : (long)CURLUSESSL_ALL);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_CAINFO, ca);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
	    timeout < 10000 ? timeout : 10000L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	if (user != NULL) {
		curl_easy_setopt(c, CURLOPT_USERNAME, user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, pass);
	}
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (cc != CURLE_OK) {
		char *esc = str_escape(errbuf[0] != '\0' ? errbuf :
		    curl_easy_strerror(cc));

		if (cc == CURLE_USE_SSL_FAILED)
			err_set(e, "SMTP %s: the server does not offer "
			    "STARTTLS, which this URL requires (%s)",
			    srv->url, esc);
		else if (code > 0)
			err_set(e, "SMTP %s: %s (last reply %ld)", srv->url,
			    esc, code);
		else
			err_set(e, "SMTP %s: %s", srv->url, esc);
		free(esc);
		goto out;
	}
	rc = 0;
out:
	if (c != NULL)
		curl_easy_cleanup(c);
	curl_slist_free_all(rl);
	if (pass != NULL)
		secret_free(pass, strlen(pass));
	FREE_ALL(user, mfrom, ca, url);
	return rc;
}
