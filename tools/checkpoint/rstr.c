// SPDX-License-Identifier: GPL-2.0
/*
 * rstr - restart a process tree from an image file.
 *
 *   rstr [-i FILE] [--pidns] [--shell-job] [--wait] [-l LOG]
 *
 * Calls restart(0, fd, flags, logfd) and prints the pid of the restored
 * root, which is a child of rstr.  Without --wait rstr exits at once and
 * the restored tree is re-parented; with --wait rstr waits for the root
 * and exits with its exit status (128 + signal number if it was killed),
 * forwarding SIGHUP, SIGINT, SIGQUIT and SIGTERM to it meanwhile.
 * --shell-job gives the tree rstr's terminal in place of the one it was
 * saved with (ckpt --shell-job) and implies --wait.  rstr then stands
 * for the job in its shell: when the job stops (^Z), rstr takes the
 * terminal back for its own process group and stops by the same
 * signal, so that the shell sees its job stop; continued in the
 * foreground (fg), it gives the terminal to the job again, and in either
 * case continues the job.
 */
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/wait.h>

#include "common.h"

const char *progname = "rstr";

static pid_t root_pid;		/* set before the handlers are installed */

static void help(void)
{
	printf("Usage: %s [OPTION]...\n"
	       "Restart the process tree saved in a checkpoint image.\n"
	       "\n"
	       "  -i, --input=FILE  read the image from FILE instead of standard input\n"
	       "  -p, --pidns       restore into a new pid namespace (RSTR_PIDNS), the\n"
	       "                    root as its pid 1; needed for the image of a whole\n"
	       "                    pid namespace\n"
	       "  -j, --shell-job   give the terminal descriptors saved by ckpt --shell-job\n"
	       "                    rstr's terminal, and put the tree in its foreground\n"
	       "                    if it was in the foreground (RSTR_SHELL_JOB); implies\n"
	       "                    --wait; rstr stops when the job stops, and continues\n"
	       "                    it when continued\n"
	       "  -w, --wait        wait for the restored root and exit with its status\n"
	       "                    (128 + signal number if it was killed by a signal)\n"
	       "  -l, --log=LOG     write the kernel's messages to LOG (truncated)\n"
	       "                    instead of standard error\n"
	       "  -h, --help        print this help and exit\n"
	       "\n"
	       "Prints the pid of the restored root on standard output.  Without --wait\n"
	       "the restored tree keeps running after rstr exits.  Exit status: 0 on\n"
	       "success, 1 if the restart failed, 2 on a usage error.\n",
	       progname);
}

static void forward_signal(int sig)
{
	int saved = errno;

	if (root_pid > 0)
		kill(root_pid, sig);
	errno = saved;
}

/* Give the terminal @fd to @pgrp if @from has it; rstr may be behind */
static void pass_terminal(int fd, pid_t from, pid_t pgrp)
{
	sigset_t ttou, old;

	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	sigprocmask(SIG_BLOCK, &ttou, &old);
	if (tcgetpgrp(fd) == from && tcsetpgrp(fd, pgrp))
		ckpt_warn("giving the terminal to process group %d: %s", pgrp,
			  strerror(errno));
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/*
 * The restored job @pgrp stopped by @sig: stop rstr likewise, the
 * terminal back in rstr's group; once continued, the job too, in the
 * foreground if rstr is.
 */
static void job_stopped(int tty, pid_t pgrp, int sig)
{
	/* In rstr's own group, the job stops and goes on with rstr */
	if (pgrp == getpgrp())
		return;
	pass_terminal(tty, pgrp, getpgrp());
	kill(getpid(), sig);
	/* Continued: by fg, rstr's group has the terminal */
	pass_terminal(tty, getpgrp(), pgrp);
	if (kill(-pgrp, SIGCONT))
		ckpt_warn("continuing process group %d: %s", pgrp,
			  strerror(errno));
}

static int wait_root(pid_t pid, bool shell_job)
{
	int tty = -1, options = __WALL;
	pid_t pgrp;

	static const int fwd[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM };
	struct sigaction sa = { .sa_handler = forward_signal,
				.sa_flags = SA_RESTART };
	unsigned int i;
	int status;

	root_pid = pid;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < ARRAY_SIZE(fwd); i++)
		sigaction(fwd[i], &sa, NULL);

	if (shell_job) {
		tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (tty >= 0)
			options |= WUNTRACED;
		else
			ckpt_warn("/dev/tty: %s: the job's stops are not followed",
				  strerror(errno));
	}
	/*
	 * __WALL: the root may have been saved with an exit signal other
	 * than SIGCHLD.
	 */
	for (;;) {
		if (waitpid(pid, &status, options) < 0) {
			if (errno == EINTR)
				continue;
			ckpt_warn("waiting for pid %d: %s", pid,
				  strerror(errno));
			return 1;
		}
		if (!WIFSTOPPED(status))
			break;
		pgrp = getpgid(pid);
		if (pgrp > 0)
			job_stopped(tty, pgrp, WSTOPSIG(status));
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "input",	required_argument,	NULL, 'i' },
		{ "pidns",	no_argument,		NULL, 'p' },
		{ "wait",	no_argument,		NULL, 'w' },
		{ "shell-job",	no_argument,		NULL, 'j' },
		{ "log",	required_argument,	NULL, 'l' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *input = NULL, *log = NULL;
	int fd = STDIN_FILENO, logfd = STDERR_FILENO, c, err, ret;
	unsigned long flags = 0;
	bool do_wait = false;
	long pid;

	while ((c = getopt_long(argc, argv, "i:pjwl:h", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'i':
			input = optarg;
			break;
		case 'p':
			flags |= RSTR_PIDNS;
			break;
		case 'j':
			flags |= RSTR_SHELL_JOB;
			do_wait = true;
			break;
		case 'w':
			do_wait = true;
			break;
		case 'l':
			log = optarg;
			break;
		case 'h':
			help();
			return 0;
		default:
			fprintf(stderr, "Try '%s --help' for more information.\n",
				progname);
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	if (input && !*input)
		usage_error("empty input file name");
	if (!input && isatty(STDIN_FILENO))
		usage_error("refusing to read an image from a terminal (use -i FILE or redirect standard input)");

	/* Report a closed standard output instead of dying of it. */
	signal(SIGPIPE, SIG_IGN);
	/* The root must not be reaped behind our back. */
	signal(SIGCHLD, SIG_DFL);

	if (log) {
		logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			     0644);
		if (logfd < 0) {
			ckpt_warn("%s: %s", log, strerror(errno));
			return 1;
		}
	}
	if (input) {
		fd = open(input, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			ckpt_warn("%s: %s", input, strerror(errno));
			return 1;
		}
	}

	pid = sys_restart(0, fd, flags, logfd);
	err = errno;
	if (pid < 0) {
		ckpt_warn("restart from %s failed: %s%s%s%s",
			  input ? input : "standard input", strerror(err),
			  ckpt_errno_hint(err), log ? "; see " : "",
			  log ? log : "");
		return 1;
	}
	if (input)
		close(fd);
	if (log)
		close(logfd);

	ret = 0;
	if (printf("%ld\n", pid) < 0 || fflush(stdout) == EOF) {
		ckpt_warn("restored pid %ld: standard output: %s", pid,
			  strerror(errno));
		ret = 1;
	}
	if (do_wait)
		return wait_root((pid_t)pid, flags & RSTR_SHELL_JOB);
	return ret;
}
