// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark: checkpoint and restart a tree of processes with threads.
 *
 *   bench_tree [PROCS [THREADS [KIB]]]	(default 200 4 64)
 *
 * A root and PROCS - 1 children, each with THREADS threads and KIB KiB of
 * private memory written, are checkpointed with CKPT_KILL into a tmpfs
 * file, reaped and restarted.  The restored tree is checked (every
 * process there with all its threads), then killed.  Prints the image
 * size and the times of both calls, per task and per MiB.  Not a test:
 * it fails only if something does not work.
 */
#include <dirent.h>
#include <pthread.h>
#include <sys/prctl.h>

#include "ckpt_util.h"

static int procs = 200, threads = 4, kib = 64;

static void *sleeper(void *arg)
{
	for (;;)
		pause();
	return NULL;
}

/* A process of the tree: its threads, its memory, then report */
static void member(int readyfd)
{
	pthread_t thr;
	char *mem;
	int i;

	for (i = 1; i < threads; i++)
		if (pthread_create(&thr, NULL, sleeper, NULL))
			_exit(2);
	mem = malloc((size_t)kib * 1024 + 1);
	if (!mem)
		_exit(3);
	for (i = 0; i < kib * 1024; i += 4096)
		mem[i] = (char)i;
	if (write(readyfd, "x", 1) != 1)
		_exit(4);
}

static int root_fn(int readyfd)
{
	int i;

	/* One process group: the benchmark kills the tree with one kill() */
	if (ckpt_unmap_shared_anon() < 0 || setpgid(0, 0))
		return 1;
	for (i = 1; i < procs; i++) {
		pid_t pid = fork();

		if (pid < 0)
			return 1;
		if (pid == 0) {
			member(readyfd);
			for (;;)
				pause();
		}
	}
	member(readyfd);
	for (;;)
		pause();
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Wait until @n processes reported ready through @path */
static int wait_ready(const char *path, int n)
{
	struct stat st;
	int i;

	for (i = 0; i < 60000; i++) {
		if (!stat(path, &st) && st.st_size >= n)
			return 0;
		usleep(1000);
	}
	return -1;
}

/* Tasks of the tree of @root: its threads and its children's */
static int count_tasks(pid_t root, int *nprocs)
{
	char name[40], buf[65536], *p, *end;
	int n = 0, np = 1;
	struct dirent *d, *e;
	DIR *dir;

	snprintf(name, sizeof(name), "/proc/%d/task", root);
	dir = opendir(name);
	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		n++;
		snprintf(name, sizeof(name), "task/%d/children",
			 atoi(d->d_name));
		if (ckpt_proc_read(root, name, buf, sizeof(buf)) < 0)
			continue;
		for (p = buf;; p = end) {
			long pid = strtol(p, &end, 10);
			char tname[64];
			DIR *td;

			if (end == p)
				break;
			np++;
			snprintf(tname, sizeof(tname), "/proc/%ld/task", pid);
			td = opendir(tname);
			while (td && (e = readdir(td)))
				n += e->d_name[0] != '.';
			if (td)
				closedir(td);
		}
	}
	closedir(dir);
	*nprocs = np;
	return n;
}

static void reap_all(void)
{
	while (waitpid(-1, NULL, __WALL) > 0 || errno == EINTR)
		;
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/ckpt-bench.XXXXXX", ready[64], image[64];
	char log[CKPT_LOG_MAX];
	double t0, t_ckpt, t_rstr;
	int readyfd, imgfd, tasks, np = 0;
	pid_t root, pid;
	struct stat st;
	long ret;

	if (argc > 1)
		procs = atoi(argv[1]);
	if (argc > 2)
		threads = atoi(argv[2]);
	if (argc > 3)
		kib = atoi(argv[3]);
	if (procs < 1 || threads < 1 || kib < 0 || !mkdtemp(dir))
		return 2;
	snprintf(ready, sizeof(ready), "%s/ready", dir);
	snprintf(image, sizeof(image), "%s/image", dir);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	readyfd = open(ready, O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (readyfd < 0)
		return 2;

	root = fork();
	if (root == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		dup2(readyfd, 3);
		syscall(SYS_close_range, 4, ~0U, 0);
		_exit(root_fn(3));
	}
	close(readyfd);
	if (root < 0 || wait_ready(ready, procs)) {
		fprintf(stderr, "bench: the tree did not start\n");
		if (root > 0)
			kill(-root, SIGKILL);
		return 1;
	}

	fprintf(stderr, "bench: %d processes ready, checkpointing\n", procs);
	imgfd = open(image, O_RDWR | O_CREAT | O_TRUNC, 0600);
	t0 = now_ms();
	ret = sys_checkpoint(root, imgfd, CKPT_KILL, -1);
	t_ckpt = now_ms() - t0;
	if (ret <= 0) {
		perror("bench: checkpoint");
		kill(-root, SIGKILL);
		return 1;
	}
	reap_all();
	fstat(imgfd, &st);
	fprintf(stderr, "bench: checkpointed, restarting\n");

	lseek(imgfd, 0, SEEK_SET);
	log[0] = '\0';
	t0 = now_ms();
	pid = ckpt_restart(imgfd, 0, log, sizeof(log));
	t_rstr = now_ms() - t0;
	if (pid != root) {
		fprintf(stderr, "bench: restart: %s\n%s\n", strerror(errno), log);
		kill(-root, SIGKILL);
		return 1;
	}
	tasks = count_tasks(root, &np);
	kill(-root, SIGKILL);
	reap_all();
	close(imgfd);
	unlink(image);
	unlink(ready);
	rmdir(dir);
	if (tasks != procs * threads || np != procs) {
		fprintf(stderr, "bench: restored %d processes, %d tasks, not %d, %d\n",
			np, tasks, procs, procs * threads);
		return 1;
	}

	printf("tree: %d processes x %d threads = %d tasks, %d KiB written each\n",
	       procs, threads, tasks, kib);
	printf("image: %.1f MiB, %.1f KiB per process\n",
	       st.st_size / 1048576.0, st.st_size / 1024.0 / procs);
	printf("checkpoint: %.1f ms, %.1f us per task, %.1f MiB/s\n",
	       t_ckpt, t_ckpt * 1000 / tasks, st.st_size / 1048576.0 / (t_ckpt / 1000));
	printf("restart: %.1f ms, %.1f us per task, %.1f MiB/s\n",
	       t_rstr, t_rstr * 1000 / tasks, st.st_size / 1048576.0 / (t_rstr / 1000));
	printf("restart/checkpoint time ratio: %.2f\n", t_rstr / t_ckpt);
	return 0;
}
