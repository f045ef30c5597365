/*
 * nofsync.c - LD_PRELOAD for seeding a benchmark's store only: fsync and
 * fdatasync return at once. Writing 100,000 fragments with two fsyncs each
 * would take a quarter of an hour on a slow disk, and a seed needs no
 * durability. Never used for a measured run.
 */
int fsync(int fd);
int fdatasync(int fd);

int
fsync(int fd)
{
	(void)fd;
	return 0;
}

int
fdatasync(int fd)
{
	(void)fd;
	return 0;
}
