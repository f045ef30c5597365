/*
 * wait.c - the one wait helper of every poll: first wait short, then
 * doubling with jitter up to a cap, Retry-After honoured, the total
 * bounded (see acme.h).
 */
#include <errno.h>
#include <time.h>

#include "acme/acme.h"
#include "base/rand.h"
#include "base/time.h"

void
acme_sleep_ms(long long ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

void
acme_wait_init(struct acme_wait *w, long long timeout_ms)
{
	w->deadline_ms = mono_ms() + timeout_ms;
	w->next_ms = ACME_WAIT_FIRST_MS;
	w->cap_ms = ACME_WAIT_CAP_MS;
	w->first_ms = 0;
	w->polls = 0;
}

void
acme_wait_init_first(struct acme_wait *w, long long timeout_ms,
    long long first_ms)
{
	acme_wait_init(w, timeout_ms);
	w->first_ms = first_ms;
	if (first_ms > w->next_ms)
		w->next_ms = first_ms > w->cap_ms ? w->cap_ms : first_ms;
}

int
acme_wait_next(struct acme_wait *w, long long retry_after)
{
	long long d, now = mono_ms();

	/* Jitter: uniform in [base/2, base], so parallel pollers spread;
	   a learnt first wait is taken as it is. */
	if (w->first_ms > 0) {
		d = w->first_ms;
		w->first_ms = 0;
	} else
		d = rand_between(w->next_ms / 2, w->next_ms);
	/* Retry-After honoured, but no single wait beyond the cap (the
	   check keeps the multiplication from overflowing). */
	if (retry_after >= 0) {
		if (retry_after > ACME_POLL_WAIT_CAP_MS / 1000)
			d = ACME_POLL_WAIT_CAP_MS;
		else if (retry_after * 1000 > d)
			d = retry_after * 1000;
	}
	if (now + d > w->deadline_ms)
		return -1;
	w->next_ms = w->next_ms * 2 > w->cap_ms ? w->cap_ms : w->next_ms * 2;
	w->polls++;
	acme_sleep_ms(d);
	return 0;
}
