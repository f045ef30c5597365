/* The preflight checks, in the order they run. One line per check. */
#include <stddef.h>

#include "checks/check.h"

extern const struct check check_manifest;
extern const struct check check_a;
extern const struct check check_aaaa;
extern const struct check check_caa;
extern const struct check check_acme_directory;

const struct check *const check_table[] = {
	&check_manifest,
	&check_a,
	&check_aaaa,
	&check_caa,
	&check_acme_directory,
	NULL,
};
