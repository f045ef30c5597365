/* The preflight checks, in the order they run. One line per check. */
#include <stddef.h>

#include "check.h"

extern const struct check check_manifest;

const struct check *const check_table[] = {
	&check_manifest,
	NULL,
};
