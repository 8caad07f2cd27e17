// SPDX-License-Identifier: GPL-2.0
/*
 * ckpt - checkpoint a process tree into an image file.
 *
 *   ckpt [-o FILE] [--kill|--stop] [--shell-job] [-l LOG] [-v] PID
 *
 * Calls checkpoint(PID, fd, flags, logfd).  The image goes to FILE or to
 * standard output; the kernel explains a failure to LOG or, by default,
 * to standard error.
 */
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/stat.h>

#include "common.h"

const char *progname = "ckpt";

static void help(void)
{
	printf("Usage: %s [OPTION]... PID\n"
	       "Checkpoint the process tree rooted at PID into an image: PID, every\n"
	       "descendant and all their threads.  If PID is the init of a pid namespace\n"
	       "(a container), the whole namespace is saved; restart it with rstr --pidns.\n"
	       "\n"
	       "  -o, --output=FILE  write the image to FILE (created with mode 0600,\n"
	       "                     truncated; removed again if the checkpoint fails)\n"
	       "                     instead of standard output\n"
	       "  -k, --kill         kill the tree once it is saved (CKPT_KILL)\n"
	       "  -j, --shell-job    save the descriptors of the terminal of the shell\n"
	       "                     the tree runs in as references, for rstr --shell-job\n"
	       "                     to replace (CKPT_SHELL_JOB)\n"
	       "  -s, --stop         leave the tree stopped (CKPT_STOP)\n"
	       "  -l, --log=LOG      write the kernel's messages to LOG (truncated)\n"
	       "                     instead of standard error\n"
	       "  -v, --verbose      print the checkpoint id on standard error\n"
	       "  -h, --help         print this help and exit\n"
	       "\n"
	       "The image is never written to a terminal.  Exit status: 0 on success,\n"
	       "1 if the checkpoint failed, 2 on a usage error.\n",
	       progname);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output",	required_argument,	NULL, 'o' },
		{ "kill",	no_argument,		NULL, 'k' },
		{ "shell-job",	no_argument,		NULL, 'j' },
		{ "stop",	no_argument,		NULL, 's' },
		{ "log",	required_argument,	NULL, 'l' },
		{ "verbose",	no_argument,		NULL, 'v' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *output = NULL, *log = NULL;
	unsigned long flags = 0;
	bool verbose = false, created = false;
	int fd, logfd = STDERR_FILENO, c, err;
	struct stat st;
	pid_t pid;
	long ret;

	while ((c = getopt_long(argc, argv, "o:kjsl:vh", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'j':
			flags |= CKPT_SHELL_JOB;
			break;
		case 'k':
			flags |= CKPT_KILL;
			break;
		case 's':
			flags |= CKPT_STOP;
			break;
		case 'l':
			log = optarg;
			break;
		case 'v':
			verbose = true;
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
	if ((flags & CKPT_KILL) && (flags & CKPT_STOP))
		usage_error("--kill and --stop are mutually exclusive");
	if (optind >= argc)
		usage_error("missing PID");
	if (optind + 1 < argc)
		usage_error("too many arguments");
	pid = parse_pid(argv[optind]);
	if (pid < 0)
		usage_error("invalid PID '%s'", argv[optind]);
	if (output && !*output)
		usage_error("empty output file name");
	if (!output && isatty(STDOUT_FILENO))
		usage_error("refusing to write an image to a terminal (use -o FILE or redirect standard output)");

	/* The kernel's writes to a closed pipe must fail, not kill us. */
	signal(SIGPIPE, SIG_IGN);

	if (log) {
		logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			     0644);
		if (logfd < 0) {
			ckpt_warn("%s: %s", log, strerror(errno));
			return 1;
		}
	}

	if (output) {
		fd = open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			  0600);
		if (fd < 0) {
			ckpt_warn("%s: %s", output, strerror(errno));
			return 1;
		}
		/* Only a regular file is removed when the checkpoint fails. */
		created = !fstat(fd, &st) && S_ISREG(st.st_mode);
	} else {
		fd = STDOUT_FILENO;
	}

	ret = sys_checkpoint(pid, fd, flags, logfd);
	err = errno;
	if (ret < 0) {
		if (created)
			unlink(output);
		ckpt_warn("checkpoint of pid %d failed: %s%s%s%s", pid,
			  strerror(err), ckpt_errno_hint(err),
			  log ? "; see " : "", log ? log : "");
		return 1;
	}

	if (output && close(fd) < 0) {
		ckpt_warn("%s: %s", output, strerror(errno));
		return 1;
	}
	if (verbose)
		fprintf(stderr, "checkpoint id %ld\n", ret);
	return 0;
}
