/*
 * import.c - reads certbot's and Axigen's certificate directories for
 * `certkeep import` (see import.h). Nothing here writes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "acme/key.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/mem.h"
#include "base/path.h"
#include "base/str.h"
#include "cli/import.h"
#include "manifest/manifest.h"
#include "store/certinfo.h"
#include "store/store.h"

const char *const import_source_names[IMPORT__MAX] = { "certbot", "axigen" };

/* Larger files are not certificates or keys. */
#define IMPORT_FILE_MAX	(1024 * 1024)

int
import_source_from_name(const char *name)
{
	return str_index(import_source_names, IMPORT__MAX, name);
}

/* Whether real (a resolved path) is root or below it. */
static int
path_inside(const char *root, const char *real)
{
	size_t n = strlen(root);

	if (strcmp(root, "/") == 0)
		return 1;
	return strncmp(real, root, n) == 0 &&
	    (real[n] == '/' || real[n] == '\0');
}

/*
 * Reads path as text after resolving its links; the real path must stay
 * inside root. secret: a private key, refused when others may read it.
 * Returns a malloced NUL-terminated buffer, or NULL (e says why; errno
 * ENOENT when the file does not exist).
 */
static char *
import_read(const char *root, const char *path, int secret, struct err *e)
{
	struct stat st, dst;
	char *real = NULL, *dir = NULL, *data = NULL;
	size_t len = 0;
	ssize_t r;
	int fd = -1;

	if ((real = realpath(path, NULL)) == NULL) {
		err_sys(e, "%s", path);
		goto out;
	}
	if (!path_inside(root, real)) {
		err_set(e, "%s leads out of %s (to %s); refused", path, root,
		    real);
		errno = EPERM;
		goto out;
	}
	if ((fd = open(real, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1) {
		err_sys(e, "%s", real);
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > IMPORT_FILE_MAX) {
		err_set(e, "%s: not a regular file of at most %d bytes", real,
		    IMPORT_FILE_MAX);
		errno = EINVAL;
		goto out;
	}
	/* A readable key behind a directory only its owner enters (certbot's
	   archive/ is 0700) was never exposed; one others could reach was. */
	if (secret && (st.st_mode & 077) != 0) {
		int hidden = 0;

		dir = path_dirname(real);
		while (!hidden) {
			char *up;

			if (stat(dir, &dst) == 0 && (dst.st_mode & 011) == 0)
				hidden = 1;
			if (strcmp(dir, "/") == 0 || strcmp(dir, ".") == 0)
				break;
			up = path_dirname(dir);
			free(dir);
			dir = up;
		}
		if (!hidden) {
			err_set(e, "%s: the private key is readable by group "
			    "or others (mode %04o, and no directory above it "
			    "keeps them out): it may be known; chmod 600 it "
			    "first, or let certkeep issue a new one", real,
			    (unsigned)(st.st_mode & 07777));
			errno = EPERM;
			goto out;
		}
	}
	data = xmalloc((size_t)st.st_size + 1);
	while (len < (size_t)st.st_size) {
		r = read(fd, data + len, (size_t)st.st_size - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	data[len] = '\0';
	if (strlen(data) != len) {
		err_set(e, "%s: not a text file", real);
		if (secret)
			explicit_bzero(data, len);
		free(data);
		data = NULL;
		errno = EINVAL;
	}
out:
	if (fd != -1)
		close(fd);
	free(real);
	free(dir);
	return data;
}

/* Splits a PEM bundle after its first certificate: *rest may be "". */
static int
pem_split_first(const char *pem, char **first, char **rest)
{
	static const char end[] = "-----END CERTIFICATE-----";
	const char *p = strstr(pem, end);

	if (p == NULL)
		return -1;
	p += sizeof(end) - 1;
	while (*p == '\r' || *p == '\n')
		p++;
	*first = xstrndup(pem, (size_t)(p - pem));
	*rest = xstrdup(p);
	return 0;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of the subdirectories of dir (hidden ones left out). */
static int
list_dirs(const char *dir, struct strlist *names, struct err *e)
{
	DIR *d;
	struct dirent *de;
	struct stat st;
	char *p;

	if ((d = opendir(dir)) == NULL) {
		err_sys(e, "%s", dir);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		p = path_join(dir, de->d_name);
		if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
			strlist_add(names, de->d_name);
		free(p);
	}
	closedir(d);
	qsort(names->v, names->n, sizeof(names->v[0]), name_cmp);
	return 0;
}

/* Records why c cannot be adopted; the first problem stays. */
static void
set_problem(struct import_cert *c, const char *msg)
{
	if (c->problem == NULL)
		c->problem = xstrdup(msg);
}

/*
 * Fills c->set from the PEM texts (cert may hold the chain after the
 * leaf; the key is rewritten as PKCS#8) and verifies it. Takes nothing.
 */
static void
import_verify(struct import_cert *c, const char *cert, const char *chain,
    const char *key)
{
	struct key *k = NULL;
	struct err e;
	char *rest = NULL;
	size_t i;

	err_clear(&e);
	if (pem_split_first(cert, &c->set.cert, &rest) == -1) {
		set_problem(c, "the certificate file holds no PEM "
		    "certificate");
		goto out;
	}
	c->set.chain = xstrdup(chain != NULL && *chain != '\0' ? chain :
	    rest);
	if ((k = key_load_pem(key, strlen(key), "the private key", &e)) ==
	    NULL || (c->set.key = key_to_pem(k, &e)) == NULL) {
		set_problem(c, e.msg);
		goto out;
	}
	if (certinfo_read(&c->set, &c->info) == -1) {
		set_problem(c, "the certificate cannot be read");
		goto out;
	}
	if (c->info.status != CERTINFO_OK) {
		set_problem(c, c->info.problem);
		goto out;
	}
	if (c->info.key_type < 0 || c->info.key_type >= KEY__MAX) {
		set_problem(c, "the key is of a type certkeep does not make "
		    "(" KEY_TYPE_NAMES_TEXT ")");
		goto out;
	}
	if (c->info.nsans == 0)
		set_problem(c, "the certificate names no DNS hostname");
	for (i = 0; i < c->info.nsans; i++)
		if (!hostname_valid(c->info.sans[i], 1)) {
			char *s = str_escape(c->info.sans[i]);
			char *msg = xasprintf("hostname \"%s\": %s", s,
			    hostname_problem(c->info.sans[i], 1));

			set_problem(c, msg);
			free(msg);
			free(s);
			break;
		}
out:
	free(rest);
	key_free(k);
}

/* Trims spaces at both ends, in place; returns s. */
static char *
trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
	    end[-1] == '\r'))
		*--end = '\0';
	return s;
}

/*
 * certbot's renewal/<name>.conf (configobj): the authenticator and where
 * it answered http-01. Unknown keys are ignored; no file is no problem.
 */
static void
certbot_read_renewal(const char *root, struct import_cert *c)
{
	char *path, *text, *line, *save = NULL, *eq, *k, *v, *map = NULL;
	char *port = NULL, *addr = NULL, *comma;
	int in_map = 0;
	struct err e;

	path = xasprintf("%s/renewal/%s.conf", root, c->name);
	text = import_read(root, path, 0, &e);
	free(path);
	if (text == NULL)
		return;
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		line = trim(line);
		if (*line == '#' || *line == '\0')
			continue;
		if (*line == '[') {
			in_map = strcmp(line, "[[webroot_map]]") == 0;
			continue;
		}
		if ((eq = strchr(line, '=')) == NULL)
			continue;
		*eq = '\0';
		k = trim(line);
		v = trim(eq + 1);
		if (in_map) {
			if (map == NULL && *v != '\0')
				map = xstrdup(v);
		} else if (strcmp(k, "authenticator") == 0) {
			free(c->authenticator);
			c->authenticator = xstrdup(v);
		} else if (strcmp(k, "webroot_path") == 0) {
			/* A list: "/var/www/html," or "/a, /b". */
			if ((comma = strchr(v, ',')) != NULL)
				*comma = '\0';
			v = trim(v);
			free(c->webroot);
			c->webroot = *v != '\0' ? xstrdup(v) : NULL;
		} else if (strcmp(k, "http01_port") == 0) {
			free(port);
			port = xstrdup(v);
		} else if (strcmp(k, "http01_address") == 0) {
			free(addr);
			addr = xstrdup(v);
		}
	}
	if (c->webroot == NULL && map != NULL) {
		if ((comma = strchr(map, ',')) != NULL)
			*comma = '\0';
		c->webroot = xstrdup(trim(map));
	}
	if (c->authenticator != NULL &&
	    strcmp(c->authenticator, "standalone") == 0) {
		const char *a = addr != NULL && *addr != '\0' ? addr :
		    "0.0.0.0";
		const char *p = port != NULL && *port != '\0' ? port : "80";

		c->listen = strchr(a, ':') != NULL ?
		    xasprintf("[%s]:%s", a, p) : xasprintf("%s:%s", a, p);
	}
	FREE_ALL(map, port, addr, text);
}

/* Reads file of c's directory into *out (NULL when absent); -1 after
   recording any other problem. */
static int
read_opt(struct import_cert *c, const char *root, const char *file,
    int secret, char **out)
{
	struct err e;
	char *path = path_join(c->path, file);

	*out = import_read(root, path, secret, &e);
	free(path);
	if (*out == NULL && errno != ENOENT) {
		set_problem(c, e.msg);
		return -1;
	}
	return 0;
}

static void
import_one(enum import_source src, const char *root, const char *base,
    const char *name, struct import_list *l)
{
	struct import_cert *c;
	char *cert = NULL, *chain = NULL, *key = NULL, *full = NULL;
	char *leaf = NULL, *rest = NULL;

	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	c = &l->v[l->n++];
	memset(c, 0, sizeof(*c));
	c->info.key_type = -1;
	c->name = xstrdup(name);
	c->path = path_join(base, name);
	if (!safe_name_valid(name)) {
		char *s = str_escape(name);
		char *msg = xasprintf("\"%s\" cannot be a certificate name: "
		    "%s", s, safe_name_problem(name));

		set_problem(c, msg);
		free(msg);
		free(s);
		return;
	}
	if (src == IMPORT_CERTBOT) {
		if (read_opt(c, root, "cert.pem", 0, &cert) == -1 ||
		    read_opt(c, root, "chain.pem", 0, &chain) == -1 ||
		    read_opt(c, root, "privkey.pem", 1, &key) == -1)
			goto out;
		certbot_read_renewal(root, c);
	} else {
		if (read_opt(c, root, "cert.pem", 0, &cert) == -1 ||
		    read_opt(c, root, "cert_auth.pem", 0, &chain) == -1 ||
		    read_opt(c, root, "key.pem", 1, &key) == -1)
			goto out;
		if (key == NULL &&
		    read_opt(c, root, "cert_priv.key", 1, &key) == -1)
			goto out;
		/* No cert_auth.pem: the chain may follow the leaf in
		   fullchain.pem (cert.pem itself is tried after). */
		if (chain == NULL && read_opt(c, root, "fullchain.pem", 0,
		    &full) == 0 && full != NULL &&
		    pem_split_first(full, &leaf, &rest) == 0)
			chain = xstrdup(rest);
	}
	if (cert == NULL)
		set_problem(c, "no cert.pem");
	else if (key == NULL)
		set_problem(c, src == IMPORT_CERTBOT ? "no privkey.pem" :
		    "no key.pem or cert_priv.key");
	else
		import_verify(c, cert, chain, key);
out:
	if (key != NULL) {
		explicit_bzero(key, strlen(key));
		free(key);
	}
	FREE_ALL(cert, chain, full, leaf, rest);
}

int
import_scan(enum import_source src, const char *dir, struct import_list *l,
    struct err *e)
{
	struct strlist names;
	struct stat st;
	char *root = NULL, *base = NULL;
	size_t i;
	int rc = -1;

	strlist_init(&names);
	if ((root = realpath(dir, NULL)) == NULL) {
		err_sys(e, "%s", dir);
		goto out;
	}
	if (src == IMPORT_CERTBOT)
		base = path_join(root, "live");
	else {
		base = path_join(root, "letsencrypt");
		if (stat(base, &st) == -1 || !S_ISDIR(st.st_mode)) {
			free(base);
			base = xstrdup(root);
		}
	}
	if (list_dirs(base, &names, e) == -1)
		goto out;
	for (i = 0; i < names.n; i++)
		import_one(src, root, base, names.v[i], l);
	rc = 0;
out:
	strlist_clear(&names);
	free(root);
	free(base);
	return rc;
}

void
import_list_clear(struct import_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		struct import_cert *c = &l->v[i];

		free(c->name);
		free(c->path);
		certset_clear(&c->set);
		certinfo_clear(&c->info);
		FREE_ALL(c->authenticator, c->webroot, c->listen, c->problem);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* s as a double-quoted YAML scalar. */
static void
yaml_quoted(struct buf *b, const char *s)
{
	buf_puts(b, "\"");
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			buf_printf(b, "\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			buf_printf(b, "\\x%02x", ch);
		else
			buf_append(b, s, 1);
	}
	buf_puts(b, "\"");
}

void
import_entry_yaml(struct buf *b, const struct import_cert *c)
{
	const char *au = c->authenticator;
	size_t i;

	buf_printf(b, "  - name: %s\n    hostnames: [", c->name);
	for (i = 0; i < c->info.nsans; i++) {
		buf_puts(b, i ? ", " : "");
		yaml_quoted(b, c->info.sans[i]);
	}
	buf_printf(b, "]\n    key_type: %s\n",
	    key_type_names[c->info.key_type]);
	if (au != NULL && strcmp(au, "webroot") == 0 && c->webroot != NULL) {
		buf_puts(b, "    challenge: {type: http-01, http-01: "
		    "{webroot: ");
		yaml_quoted(b, c->webroot);
		buf_puts(b, "}}\n");
	} else if (c->listen != NULL) {
		buf_puts(b, "    challenge: {type: http-01, http-01: {listen: ");
		yaml_quoted(b, c->listen);
		buf_puts(b, "}}\n");
	} else if (au != NULL && strncmp(au, "dns-", 4) == 0) {
		buf_puts(b, "    # certbot used ");
		yaml_quoted(b, au);
		buf_puts(b, ": the dns-01 block (rfc2136 server, tsig_name, "
		    "tsig_secret_file)\n    # comes from the top-level "
		    "challenge or goes here.\n"
		    "    challenge: {type: dns-01}\n");
	} else if (au != NULL) {
		buf_puts(b, "    # certbot used ");
		yaml_quoted(b, au);
		buf_puts(b, ": choose a challenge (http-01 webroot or listen, "
		    "or dns-01).\n");
	}
	buf_puts(b, "    # listeners: where it is served, e.g.\n"
	    "    #   - {server: nginx, service: https, address: "
	    "\"[::]:443\"}\n");
}

cJSON *
import_entry_json(const struct import_cert *c)
{
	cJSON *o = cJSON_CreateObject(), *a, *ch;
	const char *au = c->authenticator;
	size_t i;

	cJSON_AddStringToObject(o, "name", c->name);
	cJSON_AddStringToObject(o, "path", c->path);
	if (c->problem != NULL) {
		cJSON_AddStringToObject(o, "problem", c->problem);
		return o;
	}
	a = cJSON_AddArrayToObject(o, "hostnames");
	for (i = 0; i < c->info.nsans; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(c->info.sans[i]));
	cJSON_AddStringToObject(o, "key_type",
	    key_type_names[c->info.key_type]);
	if (c->info.serial != NULL)
		cJSON_AddStringToObject(o, "serial", c->info.serial);
	if (au != NULL)
		cJSON_AddStringToObject(o, "authenticator", au);
	if (au != NULL && strcmp(au, "webroot") == 0 && c->webroot != NULL) {
		ch = cJSON_AddObjectToObject(o, "challenge");
		cJSON_AddStringToObject(ch, "type", "http-01");
		cJSON_AddStringToObject(ch, "webroot", c->webroot);
	} else if (c->listen != NULL) {
		ch = cJSON_AddObjectToObject(o, "challenge");
		cJSON_AddStringToObject(ch, "type", "http-01");
		cJSON_AddStringToObject(ch, "listen", c->listen);
	} else if (au != NULL && strncmp(au, "dns-", 4) == 0) {
		ch = cJSON_AddObjectToObject(o, "challenge");
		cJSON_AddStringToObject(ch, "type", "dns-01");
	}
	return o;
}
